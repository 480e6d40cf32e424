/* Run a draw, and check recorded draws against their seeds. */
(function () {
  "use strict";
  var C = window.Console, S = C.strings();
  var form = document.getElementById("draw-form");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      form.querySelector(".error").textContent = "";
      var body = {division: parseInt(form.division.value, 10), stage: parseInt(form.stage.value, 10),
                  kind: form.kind.value, zone: form.zone.value ? parseInt(form.zone.value, 10) : null,
                  seed: form.seed.value.trim() || null};
      C.call("POST", form.dataset.url, body).then(function () { location.reload(); })
        .catch(function (error) { form.querySelector(".error").textContent = C.describe(error); });
    });
  }
  document.querySelectorAll("button.verify").forEach(function (button) {
    button.addEventListener("click", function () {
      var verdict = button.parentNode.querySelector(".verdict");
      C.call("GET", button.dataset.url).then(function (result) {
        verdict.textContent = result.reproducible ? S.ok : S.bad;
        verdict.className = "verdict " + (result.reproducible ? "ok" : "bad");
      }).catch(function (error) { verdict.textContent = C.describe(error); });
    });
  });
})();
