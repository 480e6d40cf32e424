/* A board's appeals (申诉): record one (organisers), move one with a reason (arbitrators), and a
   correction set: preview the board before → after (nothing stored), then apply it. Each change
   is one POST; the page is drawn by the server and reloaded after a change. */
(function () {
  "use strict";
  var root = document.getElementById("appeals");
  if (!root) return;
  var labels = JSON.parse(document.getElementById("ap-labels").textContent);
  var message = document.getElementById("ap-message");
  var csrf = document.querySelector('meta[name="csrf-token"]');

  function send(url, body) {
    var headers = { "Content-Type": "application/json" };
    if (csrf) headers["X-CSRFToken"] = csrf.content;
    return fetch(url, { method: "POST", headers: headers, credentials: "same-origin", body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (res) {
        message.className = "message" + (res.ok ? "" : " error");
        message.textContent = res.ok ? labels.done : res.body.message;
        return res;
      });
  }

  var filing = document.getElementById("ap-file");
  if (filing) {
    filing.addEventListener("submit", function (e) {
      e.preventDefault();
      send(root.dataset.file, { team: Number(filing.team.value), leader: filing.leader.value,
                                grounds: filing.grounds.value })
        .then(function (res) { if (res.ok) window.location.reload(); });
    });
  }

  function changes(form) {
    return Array.prototype.map.call(form.querySelectorAll("tr.ap-change"), function (row) {
      var get = function (name) { return row.querySelector('[name="' + name + '"]').value; };
      return { sheet: Number(get("sheet")), aspect: Number(get("aspect")), value: get("value"), reason: get("reason") };
    });
  }

  function showPreview(body) {
    var rows = document.getElementById("ap-preview-rows");
    rows.textContent = "";
    body.entries.forEach(function (e) {
      var tr = document.createElement("tr");
      if (e.changed) tr.className = "changed";
      [e.code, e.name || "", (e.rank_before || "—") + " → " + (e.rank_after || "—"),
       e.total_before + " → " + e.total_after].forEach(function (text) {
        var td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
    document.getElementById("ap-preview").hidden = false;
  }

  root.addEventListener("input", function (e) {
    var form = e.target.closest("form.ap-corrections");
    if (form) form.querySelector("[data-apply]").disabled = true;  /* changed since the preview */
  });

  root.addEventListener("click", function (e) {
    var move = e.target.closest("button[data-move]");
    if (move) {
      var reason = window.prompt(labels.reason, "");
      if (reason === null) return;
      send("/api/appeals/" + move.dataset.appeal + "/" + move.dataset.move, { reason: reason })
        .then(function (res) { if (res.ok) window.location.reload(); });
      return;
    }
    var form = e.target.closest("form.ap-corrections");
    if (!form) return;
    if (e.target.closest("[data-add]")) {
      var body = form.querySelector("tbody"), row = body.querySelector("tr.ap-change").cloneNode(true);
      Array.prototype.forEach.call(row.querySelectorAll("input"), function (input) { input.value = ""; });
      body.appendChild(row);
      form.querySelector("[data-apply]").disabled = true;
    } else if (e.target.closest("[data-preview]")) {
      send(form.dataset.preview, { changes: changes(form) }).then(function (res) {
        if (!res.ok) return;
        showPreview(res.body);
        form.querySelector("[data-apply]").disabled = false;
      });
    } else if (e.target.closest("[data-apply]")) {
      var apply = e.target.closest("[data-apply]");
      if (!window.confirm(apply.dataset.confirm)) return;
      send(form.dataset.apply, { changes: changes(form) })
        .then(function (res) { if (res.ok) window.location.reload(); });
    }
  });
})();
