/* The organiser's progress console: renders GET /api/competitions/<id>/progress and keeps it live
 * (officials:changed on the competition's or the zones' progress rooms → a refetch, at most every
 * two seconds; a poll every 15 s catches marks, which are counted rather than announced). */
(function () {
  "use strict";
  var O = window.Officials;
  var root = document.getElementById("progress");
  if (!root) return;
  var L = O.json("labels");
  var data = O.json("progress-data");
  var el = O.el;
  var STATES = ["draft", "submitted", "checked", "signed", "locked"];

  function bar(panel) {
    var total = panel.sheets || 1;
    return el("div", { className: "bar", title: STATES.map(function (s) {
      return (L.states[s] || s) + " " + panel.states[s];
    }).join(" · ") }, STATES.filter(function (s) { return panel.states[s]; }).map(function (s) {
      var part = el("span", { className: "state-" + s });
      part.style.width = (100 * panel.states[s] / total) + "%";
      return part;
    }));
  }

  function render() {
    var t = data.totals;
    var values = { panels: t.panels, "in": t["in"] + " / " + t.sheets, marks: t.marks,
                   online: t.online + " / " + t.devices, pending: t.pending, violations: t.violations };
    Object.keys(values).forEach(function (key) {
      var node = root.querySelector('[data-kpi="' + key + '"]');
      node.textContent = values[key];
      node.parentNode.classList.toggle("hot", (key === "violations" || key === "pending") && values[key] > 0);
    });
    var rows = data.panels.map(function (p) {
      return el("tr", { "data-panel": p.id }, [
        el("td", {}, [el("a", { href: "/officials/panels/" + p.id, text: p.name }),
                      el("small", { className: "muted", text: p.event + " · " + p.division + " · " + p.stage })]),
        el("td", { text: p.zone || "–" }),
        el("td", {}, [bar(p), el("small", { text: O.fill(L.in_of, { a: p["in"], b: p.sheets }) })]),
        el("td", { className: "num", text: String(p.marks) }),
        el("td", { className: "num" + (p.devices && p.online < p.devices ? " warn" : ""), text: p.online + " / " + p.devices }),
        el("td", { className: "num" + (p.pending ? " hot" : ""), text: String(p.pending) }),
        el("td", { className: "num" + (p.violations ? " hot" : ""), text: String(p.violations) }),
      ]);
    });
    if (!rows.length) rows = [el("tr", {}, [el("td", { colspan: 7, className: "muted", text: L.none })])];
    var body = document.getElementById("panels");
    body.replaceChildren.apply(body, rows);
    var recent = data.recent.map(function (e) {
      var p = e.payload || {};
      var what = [e.code, p.reason].filter(Boolean).join(" — ");
      var who = e.who || (e.actor.indexOf("system") === 0 ? L.system : e.actor);
      return el("li", {}, [el("time", { text: O.clock(e.at) }), " ",
        el("b", { text: L.event_types[e.type] || e.type }), " ",
        el("small", { className: "muted", text: (what ? what + " · " : "") + who })]);
    });
    if (!recent.length) recent = [el("li", { className: "muted", text: L.none })];
    var list = document.getElementById("recent");
    list.replaceChildren.apply(list, recent);
  }

  var refetch = O.throttle(function () {
    fetch(root.dataset.progressUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) { data = d; render(); } })
      .catch(function () {});
  }, 2000);

  render();
  var tokens = JSON.parse(root.dataset.roomTokens || "[]");
  O.live(root, tokens.map(function (t) { return { event: "join_officials", token: t }; }), refetch,
         O.connection(document.getElementById("conn")));
  setInterval(refetch, 15000);
})();
