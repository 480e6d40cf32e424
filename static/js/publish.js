/* The organiser's publication controls: one POST per action, the answer shown in place.
   The result lifecycle (review, public notice, signatures, final): one POST per step or check,
   then a reload (the page is drawn by the server); the notice's countdown ticks here. */
(function () {
  "use strict";
  var root = document.getElementById("publish");
  if (!root) return;
  var labels = JSON.parse(document.getElementById("pub-labels").textContent);
  var message = document.getElementById("pub-message");
  var csrf = document.querySelector('meta[name="csrf-token"]');

  function show(state) {
    var s = document.getElementById("pub-state"), l = document.getElementById("pub-level");
    s.dataset.state = state.publication;
    s.textContent = labels.states[state.publication];
    l.dataset.level = state.reveal_level;
    l.textContent = labels.levels[state.reveal_level];
    document.getElementById("pub-decrypted").textContent = state.decrypted ? labels.decrypted : labels.codes;
    available = state.available;
  }

  /* the actions that make sense in the current state (the server sends them with each change) */
  var available = JSON.parse(root.dataset.available || "null");
  function settle(button) {
    root.querySelectorAll("button[data-action]").forEach(function (b) {
      if (b.dataset.action !== "cosign_decryption") b.disabled = available !== null && available.indexOf(b.dataset.action) < 0;
    });
    if (button.dataset.action === "cosign_decryption") button.disabled = false;
  }

  function post(url, body, button) {
    var headers = { "Content-Type": "application/json" };
    if (csrf) headers["X-CSRFToken"] = csrf.content;
    button.disabled = true;
    return fetch(url, { method: "POST", headers: headers, credentials: "same-origin", body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (res) {
        message.className = "message" + (res.ok ? "" : " error");
        message.textContent = res.ok ? labels.done : res.body.message;
        if (res.ok) window.location.reload();
      })
      .catch(function () { message.className = "message error"; message.textContent = "…"; })
      .then(function () { button.disabled = false; });
  }

  var results = document.getElementById("results");
  if (results) {
    results.addEventListener("click", function (e) {
      var step = e.target.closest("button[data-results]"), check = e.target.closest("button[data-check]");
      if (step) {
        if (step.dataset.confirm && !window.confirm(step.dataset.confirm)) return;
        var body = { action: step.dataset.results };
        if (step.dataset.role) body.role = step.dataset.role;
        post(results.dataset.url, body, step);
      } else if (check) {
        var note = null;
        if (check.dataset.check === "error") {
          note = window.prompt(labels.note, "");
          if (note === null) return;
        }
        post(results.dataset.checks, { entry: Number(check.dataset.entry), outcome: check.dataset.check, note: note },
             check);
      }
    });
  }

  var countdown = document.getElementById("res-countdown");
  if (countdown && countdown.dataset.seconds) {
    var ends = Date.now() + Number(countdown.dataset.seconds) * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      if (left === 0) { countdown.textContent = labels.ended; return; }
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), sec = left % 60;
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      countdown.textContent = labels.left.replace("{time}", h + ":" + pad(m) + ":" + pad(sec));
      window.setTimeout(tick, 1000);
    };
    tick();
  }

  root.addEventListener("click", function (e) {
    var button = e.target.closest("button[data-action]");
    if (!button || (button.dataset.confirm && !window.confirm(button.dataset.confirm))) return;
    var headers = { "Content-Type": "application/json" };
    if (csrf) headers["X-CSRFToken"] = csrf.content;
    button.disabled = true;
    fetch(root.dataset.url, { method: "POST", headers: headers, credentials: "same-origin",
                              body: JSON.stringify({ action: button.dataset.action }) })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        message.className = "message" + (res.ok ? "" : " error");
        message.textContent = res.ok ? labels.done : res.body.message;
        if (res.ok) show(res.body);
        if (res.ok && button.dataset.reload) window.location.reload();  /* the preconditions changed */
      })
      .catch(function () { message.className = "message error"; message.textContent = "…"; })
      .then(function () { settle(button); });
  });
})();
