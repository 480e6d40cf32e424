/* Upload a file, then follow the import job: progress bar while it runs, row-level report if refused. */
(function () {
  "use strict";
  var C = window.Console, S = C.strings();
  var form = document.getElementById("import-form");
  var bar = document.querySelector("#import-progress .bar"), fill = bar.querySelector("span");
  var status = document.getElementById("import-status"), error = document.getElementById("import-error");
  var report = document.getElementById("import-report");

  function setProgress(fraction, text) {
    var pct = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    fill.style.width = pct + "%";
    bar.setAttribute("aria-valuenow", String(pct));
    status.textContent = text;
  }

  function showReport(errors) {
    var body = report.querySelector("tbody");
    body.innerHTML = "";
    errors.forEach(function (e) {
      var tr = document.createElement("tr");
      [e.row || "", e.column, e.message].forEach(function (value, i) {
        var td = document.createElement("td");
        td.textContent = value;
        if (i === 0) { td.className = "num"; }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    report.hidden = errors.length === 0;
  }

  function follow(url) {
    C.call("GET", url).then(function (run) {
      if (run.status === "done") {
        var c = run.counts || {};
        setProgress(1, C.format(S.done, {rows: run.rows, created: c.created || 0, updated: c.updated || 0,
                                         unchanged: c.unchanged || 0}));
        bar.classList.add("ok");
        form.dataset.state = "done";
        document.getElementById("import-start").disabled = false;
        return;
      }
      if (run.status === "failed") {
        setProgress(1, C.format(S.failed, {n: run.errors.length}));
        bar.classList.add("bad");
        showReport(run.errors);
        form.dataset.state = "failed";
        document.getElementById("import-start").disabled = false;
        return;
      }
      var phase = S[run.phase] || "";
      setProgress(run.progress, run.status === "queued" ? S.queued
        : C.format(S.running, {pct: Math.round(run.progress * 100)}) + " " + phase);
      setTimeout(function () { follow(url); }, 300);
    }).catch(function (e) {
      error.textContent = C.describe(e);
      document.getElementById("import-start").disabled = false;
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    error.textContent = "";
    showReport([]);
    var file = document.getElementById("import-file").files[0];
    if (!file) { error.textContent = S.choose; return; }
    var data = new FormData();
    data.append("kind", document.getElementById("import-kind").value);
    data.append("file", file);
    document.getElementById("import-progress").hidden = false;
    bar.classList.remove("ok", "bad");
    form.dataset.state = "running";
    setProgress(0, S.queued);
    document.getElementById("import-start").disabled = true;
    C.call("POST", form.dataset.url, data).then(function (run) {
      follow("/api/imports/" + run.id);
    }).catch(function (e) {
      error.textContent = C.describe(e);
      form.dataset.state = "error";
      document.getElementById("import-progress").hidden = true;
      document.getElementById("import-start").disabled = false;
    });
  });
})();
