/* The roster page: add judges, set or reset PINs, show a one-time sign-in code, revoke tablets.
 * Every change goes through the JSON API and the page reloads to show the stored state. */
(function () {
  "use strict";
  var O = window.Officials;
  var root = document.getElementById("judges-page");
  if (!root) return;
  var L = O.json("labels");
  var competition = root.dataset.competition;

  function fail(error) { O.toast(error.message, "error"); }

  root.addEventListener("click", function (event) {
    var b = event.target.closest("button");
    if (!b) return;
    if (b.dataset.invite) {
      O.api("POST", "/api/judges/" + b.dataset.invite + "/invites").then(function (invite) {
        document.getElementById("invite-name").textContent = invite.judge.name;
        document.getElementById("invite-qr").innerHTML = invite.qr_svg;  // SVG made by the server
        var link = document.getElementById("invite-link");
        link.textContent = invite.link;
        link.href = invite.link;
        document.getElementById("invite-dialog").showModal();
      }).catch(fail);
    } else if (b.dataset.revoke) {
      if (!window.confirm(L.revoke)) return;
      O.api("POST", "/api/devices/" + b.dataset.revoke + "/revoke").then(function () { location.reload(); }).catch(fail);
    } else if (b.dataset.clearPin) {
      if (!window.confirm(L.reset)) return;
      O.api("DELETE", "/api/judges/" + b.dataset.clearPin + "/pin").then(function () { location.reload(); }).catch(fail);
    } else if (b.dataset.pin) {
      var dialog = document.getElementById("pin-dialog"), input = dialog.querySelector("input");
      input.value = "";
      dialog.onclose = function () {
        if (dialog.returnValue !== "ok" || !input.value) return;
        O.api("PUT", "/api/judges/" + b.dataset.pin + "/pin", { pin: input.value })
          .then(function () { location.reload(); }).catch(fail);
      };
      dialog.showModal();
    }
  });

  document.getElementById("new-judge").addEventListener("submit", function (event) {
    event.preventDefault();
    var f = event.target, error = document.getElementById("new-judge-error");
    var body = { name: f.name.value.trim(), role: f.role.value, province: f.province.value.trim() || null,
                 institution: f.institution.value ? parseInt(f.institution.value, 10) : null,
                 pin: f.pin.value || null };
    O.api("POST", "/api/competitions/" + competition + "/judges", body)
      .then(function () { location.reload(); })
      .catch(function (e) {
        var fields = (e.data && e.data.fields) || {};
        error.textContent = Object.keys(fields).map(function (k) { return fields[k].join(" "); }).join(" ") || e.message;
      });
  });
})();
