/* Judge sign-in on a tablet: a PIN pad for the invite in the page's address (/j/<invite>).
 * POST /api/devices {"invite", "pin", "label"} → 201 {"token", "judge"}: the token is kept in
 * localStorage ("compete.tablet.token") and the tablet's home opens. Marks still waiting in
 * the queue are kept; data cached for another judge is forgotten.
 */
(function () {
  "use strict";

  var form = document.getElementById("sign-in");
  if (!form) return;
  var strings = JSON.parse(document.getElementById("tablet-strings").textContent);
  var PREFIX = "compete.tablet.";
  var MIN_PIN = 4, MAX_PIN = 8;
  var display = document.getElementById("pin-display");
  var error = document.getElementById("sign-in-error");
  var submit = document.getElementById("sign-in-submit");
  var label = document.getElementById("label");
  var pin = "";
  var busy = false;

  label.value = localStorage.getItem(PREFIX + "label") || "";
  try {
    var queued = JSON.parse(localStorage.getItem(PREFIX + "queue") || "[]");
    document.getElementById("pin-waiting").hidden = !queued.length;
  } catch (e) { /* an unreadable queue is the tablet page's business */ }

  function render() {
    display.textContent = pin.replace(/./g, "●");
    display.dataset.length = String(pin.length);
    submit.disabled = busy || pin.length < MIN_PIN;
  }

  function press(key) {
    error.textContent = "";
    if (key === "back") pin = pin.slice(0, -1);
    else if (key === "clear") pin = "";
    else if (/^\d$/.test(key) && pin.length < MAX_PIN) pin += key;
    render();
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-key]");
    if (button) press(button.dataset.key);
  });
  document.addEventListener("keydown", function (event) {
    if (event.target === label) return;
    if (/^\d$/.test(event.key)) press(event.key);
    else if (event.key === "Backspace") press("back");
  });

  function forgetOtherJudge(judge) {
    var me = null;
    try { me = JSON.parse(localStorage.getItem(PREFIX + "me") || "null"); } catch (e) { me = null; }
    if (me && judge && me.judge && me.judge.id === judge.id) return;
    Object.keys(localStorage).forEach(function (key) {
      if (key === PREFIX + "me" || key === PREFIX + "sheets" || key === PREFIX + "refused" ||
          key.indexOf(PREFIX + "sheet.") === 0) {
        localStorage.removeItem(key);
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (pin.length < MIN_PIN) { error.textContent = strings.pin_short; return; }
    busy = true;
    render();
    var headers = { "Content-Type": "application/json", "Accept": "application/json",
                    "Accept-Language": form.dataset.lang === "zh_CN" ? "zh-CN,zh;q=0.9" : "en" };
    var csrf = document.querySelector('meta[name="csrf-token"]');
    if (csrf) headers["X-CSRFToken"] = csrf.getAttribute("content");
    var body = { invite: form.dataset.invite, pin: pin, label: label.value.trim() || "tablet" };
    fetch(form.dataset.endpoint, { method: "POST", headers: headers, body: JSON.stringify(body),
                                   credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (data) {
          return { status: response.status, body: data };
        });
      })
      .then(function (answer) {
        if (answer.status === 201 || answer.status === 200) {
          forgetOtherJudge(answer.body.judge);
          localStorage.setItem(PREFIX + "token", answer.body.token);
          localStorage.setItem(PREFIX + "label", label.value.trim());
          location.replace(form.dataset.home);  // the invite leaves the history
          return;
        }
        busy = false;
        pin = "";
        var data = answer.body || {};
        var missing = answer.status === 404 && data.error === "request.not_found";
        error.textContent = missing ? strings.signin_unavailable
          : ((data.fields && (data.fields.pin || data.fields.invite) || [])[0] || data.message || strings.network_error);
        render();
      }, function () {
        busy = false;
        error.textContent = strings.network_error;
        render();
      });
  });

  render();
})();
