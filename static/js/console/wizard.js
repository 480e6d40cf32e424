/* The set-up wizard: 1) competition and zones, 2) events with divisions and stages, 3) next steps. */
(function () {
  "use strict";
  var C = window.Console, S = C.strings();
  var competitionId = null, created = [];

  function show(step) {
    document.querySelectorAll(".step").forEach(function (el) { el.hidden = el.dataset.step !== String(step); });
    document.querySelectorAll("#steps li").forEach(function (li) {
      if (li.dataset.step === String(step)) { li.setAttribute("aria-current", "step"); }
      else { li.removeAttribute("aria-current"); }
    });
  }

  function addRow(tableId, templateId) {
    var row = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
    row.querySelector(".remove").addEventListener("click", function () { row.remove(); });
    document.querySelector("#" + tableId + " tbody").appendChild(row);
    return row;
  }

  function fail(form, error) { form.querySelector(".error").textContent = C.describe(error); }

  document.getElementById("add-zone").addEventListener("click", function () { addRow("zones", "zone-row"); });
  document.getElementById("add-division").addEventListener("click", function () { addRow("divisions", "division-row"); });
  addRow("zones", "zone-row");
  addRow("zones", "zone-row");
  addRow("divisions", "division-row");

  document.getElementById("step-1").addEventListener("submit", function (e) {
    e.preventDefault();
    var form = e.target;
    form.querySelector(".error").textContent = "";
    var zones = [];
    form.querySelectorAll("#zones tbody tr").forEach(function (tr) {
      var code = tr.querySelector("[name=code]").value.trim(), name = tr.querySelector("[name=zname]").value.trim();
      if (code || name) { zones.push({code: code, name: name}); }
    });
    var body = {name: form.name.value.trim(), year: parseInt(form.year.value, 10), level: form.level.value,
                default_locale: form.default_locale.value, zones: zones};
    C.call("POST", "/api/competitions", body).then(function (competition) {
      competitionId = competition.id;
      show(2);
    }).catch(function (error) { fail(form, error); });
  });

  document.getElementById("step-2").addEventListener("submit", function (e) {
    e.preventDefault();
    var form = e.target;
    form.querySelector(".error").textContent = "";
    var divisions = [];
    form.querySelectorAll("#divisions tbody tr").forEach(function (tr) {
      var group = tr.querySelector("[name=group]").value;
      var name = tr.querySelector("[name=dname]").value.trim() || (S.group_names || {})[group] || group;
      divisions.push({group: group, name: name, rules: {
        team_size_min: parseInt(tr.querySelector("[name=min]").value, 10),
        team_size_max: parseInt(tr.querySelector("[name=max]").value, 10),
        coaches_max: parseInt(tr.querySelector("[name=coaches]").value, 10),
        max_teams_per_institution: parseInt(tr.querySelector("[name=per_institution]").value, 10)}});
    });
    var single = form.querySelector("[name=stages]:checked").value === "single";
    var stages = single ? [{code: "main", name: S.single, kind: "single", position: 1}]
      : [{code: "zone", name: S.zone_round, kind: "zone", position: 1},
         {code: "final", name: S.final, kind: "final", position: 2}];
    var body = {code: form.code.value.trim(), name: form.name.value.trim(), divisions: divisions, stages: stages};
    C.call("POST", "/api/competitions/" + competitionId + "/events", body).then(function (event) {
      created.push(event);
      var li = document.createElement("li");
      li.textContent = S.created + ": " + event.name + " (" + event.code + ")";
      document.getElementById("created-events").appendChild(li);
      document.getElementById("finish").hidden = false;
      form.code.value = "";
      form.name.value = "";
    }).catch(function (error) { fail(form, error); });
  });

  document.getElementById("finish").addEventListener("click", function () {
    var list = document.getElementById("next-steps");
    created.forEach(function (event) {
      var li = document.createElement("li");
      li.innerHTML = "<b></b> · <a class='scheme'></a> · <a class='rules'></a>";
      li.querySelector("b").textContent = event.name;
      var scheme = li.querySelector(".scheme"), rules = li.querySelector(".rules");
      scheme.href = event.scheme_url; scheme.textContent = S.scheme;
      rules.href = event.rules_url; rules.textContent = S.rules;
      list.appendChild(li);
    });
    document.getElementById("go-import").href = "/console/competitions/" + competitionId + "/import?kind=institutions";
    document.getElementById("go-overview").href = "/console/competitions/" + competitionId;
    show(3);
  });
})();
