/* The organiser's publication controls: one POST per action, the answer shown in place. */
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
      .then(function () { button.disabled = false; });
  });
})();
