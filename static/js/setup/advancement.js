/* Advancement preview and the one enrolment. Ticking "ineligible" re-runs the preview with that team
   excluded (its reason: previous_national_first); the enrolment sends the same exclusions. */
(function () {
  "use strict";
  var S = Console.strings();
  var division = document.getElementById("division");
  var enrolButton = document.getElementById("enrol");
  var message = document.getElementById("message");
  var ineligible = {};
  var current = null;

  function cell(tr, text, className) {
    var td = document.createElement("td");
    td.textContent = text == null ? "" : text;
    if (className) { td.className = className; }
    tr.appendChild(td);
    return td;
  }

  function table(id, rows, withReason) {
    var node = document.getElementById(id);
    node.textContent = "";
    var head = document.createElement("tr");
    S.columns.forEach(function (c, i) {
      if (!withReason && i === 6) { return; }
      var th = document.createElement("th"); th.textContent = c; head.appendChild(th);
    });
    node.appendChild(head);
    if (!rows.length) {
      var tr = document.createElement("tr"); var td = cell(tr, S.none, "empty"); td.colSpan = 8; node.appendChild(tr);
      return;
    }
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      cell(tr, r.order || ""); cell(tr, r.code + " " + r.name); cell(tr, r.institution); cell(tr, r.zone);
      cell(tr, r.zone_rank, "num"); cell(tr, r.measure, "num");
      if (withReason) {
        var reason = cell(tr, S.reasons[r.reason] || r.reason);
        reason.className = "reason " + r.reason.split(":")[0];
      }
      var box = document.createElement("input");
      box.type = "checkbox"; box.checked = !!ineligible[r.team]; box.disabled = current && current.enrolled;
      box.addEventListener("change", function () {
        if (box.checked) { ineligible[r.team] = "previous_national_first"; } else { delete ineligible[r.team]; }
        load();
      });
      var td = document.createElement("td"); td.appendChild(box); tr.appendChild(td);
      node.appendChild(tr);
    });
  }

  function query() {
    var q = "?division=" + encodeURIComponent(division.value);
    Object.keys(ineligible).forEach(function (t) { q += "&ineligible." + t + "=" + ineligible[t]; });
    return S.api + q;
  }

  function load() {
    message.textContent = "";
    Console.call("GET", query()).then(function (data) {
      current = data;
      table("qualifiers", data.qualifiers, true);
      table("reserves", data.reserves, false);
      table("excluded", data.excluded, true);
      enrolButton.disabled = data.enrolled || !data.qualifiers.length;
      if (data.enrolled) { message.textContent = S.already; }
    }).catch(function (error) { message.textContent = Console.describe(error); });
  }

  enrolButton.addEventListener("click", function () {
    if (!current) { return; }
    if (!window.confirm(Console.format(S.confirm, {count: current.qualifiers.length, stage: current.target_stage_name}))) { return; }
    Console.call("POST", S.api, {division: parseInt(division.value, 10), ineligible: ineligible}).then(function () {
      document.getElementById("saved").hidden = false;
      load();
    }).catch(function (error) { message.textContent = Console.describe(error); });
  });
  division.addEventListener("change", function () { ineligible = {}; load(); });
  if (division.value) { load(); }
})();
