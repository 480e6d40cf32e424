/* The chief judge's console: renders the panel's read model (GET /api/panels/<id>/progress), keeps it
 * live (officials:changed on the panel room; board:updated on the officials' board room means new
 * marks) and sends the chief judge's actions (POST /api/sheets/<id>/<action>, POST
 * /api/panels/<id>/sheets/<action>). Tablets' online state is re-evaluated every few seconds
 * against the server's clock, so a tablet that stops sending heartbeats turns offline by itself. */
(function () {
  "use strict";
  var O = window.Officials;
  var root = document.getElementById("console");
  if (!root) return;
  var L = O.json("labels");
  var data = O.json("console-data");
  var offset = 0;
  var canAct = root.dataset.canAct === "true";
  var menu = document.getElementById("sheet-menu");
  var el = O.el;

  function syncClock(d) { offset = Date.parse(d.server_time) - Date.now(); }

  function isOnline(device) {
    if (!device.last_seen_at) return false;
    return Date.now() + offset - Date.parse(device.last_seen_at) < data.online_window * 1000;
  }

  function judgeName(id) {
    var judge = data.judges.filter(function (j) { return String(j.id) === String(id); })[0];
    return judge ? judge.name : "#" + id;
  }

  function renderKpis() {
    var t = data.totals, devices = allDevices();
    var online = devices.filter(isOnline).length;
    var pending = devices.reduce(function (n, d) { return n + (d.pending_marks || 0); }, 0);
    var values = { "in": t["in"] + " / " + t.sheets, checked: t.states.checked, signed: t.states.signed,
                   locked: t.states.locked, online: online + " / " + devices.length, pending: pending,
                   violations: t.violations };
    Object.keys(values).forEach(function (key) {
      var node = root.querySelector('[data-kpi="' + key + '"]');
      node.textContent = values[key];
      node.parentNode.classList.toggle("hot", (key === "violations" || key === "pending") && values[key] > 0);
    });
  }

  function allDevices() {
    return data.judges.reduce(function (all, j) { return all.concat(j.devices); }, []);
  }

  function renderJudges() {
    var body = document.getElementById("judges");
    var rows = data.judges.map(function (j) {
      var devices = j.devices.length ? j.devices : [null];
      var last = j.devices.reduce(function (a, d) { return !a || (d.last_seen_at && d.last_seen_at > a) ? d.last_seen_at : a; }, null);
      var pending = j.devices.reduce(function (n, d) { return n + (d.pending_marks || 0); }, 0);
      var quality = j.quality ? j.quality.flags.map(function (f) {
        return el("span", { className: "flag flag-" + f, text: L.flags[f] || f });
      }) : [];
      if (j.quality) quality.unshift(el("span", { className: "muted", text: O.fill(L.bias, { v: j.quality.bias }) + " " }));
      return el("tr", { "data-judge": j.id }, [
        el("td", {}, [el("b", { text: j.name }), el("small", { className: "role", text: L.roles[j.role] || j.role })]),
        el("td", { className: "num", text: j.sheets ? j["in"] + " / " + j.sheets : "–" }),
        el("td", {}, devices.map(function (d) {
          if (!d) return el("span", { className: "dot off", text: L.no_device });
          var on = isOnline(d);
          return el("span", { className: "dot " + (on ? "on" : "off"), "data-device": d.id,
                              title: d.label, text: (on ? L.online : L.offline) + " · " + d.label });
        })),
        el("td", { className: "muted", text: j.devices.length ? O.ago(last, offset, L) : "–" }),
        el("td", { className: "num" + (pending ? " hot" : ""), text: j.devices.length ? String(pending) : "–" }),
        el("td", {}, quality),
      ]);
    });
    body.replaceChildren.apply(body, rows);
  }

  function renderIssues() {
    var list = document.getElementById("violations");
    var items = data.violations.map(function (v) {
      var values = Object.keys(v.values).map(function (j) { return judgeName(j) + " " + v.values[j]; }).join(" · ");
      var entry = data.entries.filter(function (e) { return e.team === v.team; })[0];
      var back = entry && Object.keys(entry.sheets).some(function (k) { return entry.sheets[k].returned; });
      return el("li", { className: "issue spread" }, [
        el("b", { text: v.code + " · " + v.aspect_code }), " ",
        el("span", { text: O.fill(L.spread, { aspects: v.aspect_code }) }), el("br"),
        el("small", { text: values }), back ? el("span", { className: "badge", text: L.returned }) : null]);
    }).concat(data.disagreements.map(function (d) {
      var values = Object.keys(d.values).map(function (j) { return judgeName(j) + " " + d.values[j]; }).join(" · ");
      return el("li", { className: "issue measurement" }, [
        el("b", { text: d.code + " · " + d.aspect_code }), " ", el("span", { text: L.measurement }), el("br"),
        el("small", { text: values })]);
    }));
    if (!items.length) items = [el("li", { className: "muted", text: L.none })];
    list.replaceChildren.apply(list, items);
  }

  function sheetJudges() {
    return data.judges.filter(function (j) { return j.sheets > 0; });
  }

  function renderMatrix() {
    var judges = sheetJudges(), aspects = data.aspects.length;
    var head = el("tr", {}, [el("th", { text: "#" })].concat(judges.map(function (j) {
      return el("th", { text: j.name });
    })).concat([el("th", { text: "" })]));
    document.getElementById("matrix-head").replaceChildren(head);
    var rows = data.entries.map(function (entry) {
      var cells = judges.map(function (j) {
        var sheet = entry.sheets[String(j.id)];
        if (!sheet) return el("td", { className: "cell none", text: "—" });
        var label = L.states[sheet.state] || sheet.state;
        return el("td", { className: "cell" }, [el("button", {
          type: "button", className: "chip state-" + sheet.state + (sheet.returned ? " returned" : ""),
          "data-sheet": sheet.sheet, "data-state": sheet.state,
          title: sheet.returned ? L.returned + ": " + sheet.returned : label,
          text: label + " · " + sheet.marks + "/" + aspects })]);
      });
      var actions = canAct ? ["check", "sign", "lock"].filter(function (a) { return entry.can[a]; })
        .map(function (a) {
          return el("button", { type: "button", className: "button small" + (a === "lock" ? " danger" : ""),
                                "data-entry-action": a, "data-team": entry.team,
                                text: L.actions[a] + " (" + entry.can[a] + ")" });
        }) : [];
      var flag = entry.violations.length ? el("span", { className: "badge alert", text: entry.violations.join(", ") }) : null;
      return el("tr", { className: entry.violations.length ? "violating" : "", "data-team": entry.team },
        [el("th", { className: "code" }, [entry.code, flag])].concat(cells)
          .concat([el("td", { className: "entry-actions" }, actions)]));
    });
    document.getElementById("matrix-body").replaceChildren.apply(document.getElementById("matrix-body"), rows);
  }

  function renderRecent() {
    var list = document.getElementById("recent");
    var items = data.recent.map(function (r) {
      return el("li", {}, [el("time", { text: O.clock(r.at) }), " ",
        el("b", { text: r.code }), " · " + r.judge_name + " · ",
        el("span", { className: "chip state-" + r.from, text: L.states[r.from] || r.from }), " → ",
        el("span", { className: "chip state-" + r.to, text: L.states[r.to] || r.to }),
        el("small", { className: "muted", text: " " + (r.who || (r.actor.indexOf("system") === 0 ? L.system : r.actor)) +
                                                   (r.reason ? " — " + r.reason : "") })]);
    });
    if (!items.length) items = [el("li", { className: "muted", text: L.none })];
    list.replaceChildren.apply(list, items);
  }

  function render() {
    renderKpis(); renderJudges(); renderIssues(); renderMatrix(); renderRecent();
  }

  var refetch = O.throttle(function () {
    fetch(root.dataset.progressUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) { data = d; syncClock(d); render(); } })
      .catch(function () { /* offline: the next event or poll refetches */ });
  }, 1000);

  function onEvent(message) {
    if (message && message.kind === "device") {
      allDevices().forEach(function (d) {
        if (d.id === message.device) { d.last_seen_at = message.last_seen_at; d.pending_marks = message.pending_marks; }
      });
      renderKpis(); renderJudges();
      return;
    }
    refetch();
  }

  function perform(url, action, body) {
    var needsReason = action === "return" || action === "unlock";
    var ask = needsReason ? O.askReason(O.fill(L.reason_for, { action: L.actions[action] })) : Promise.resolve(null);
    return ask.then(function (reason) {
      if (needsReason && !reason) return;
      if (action === "lock" && !window.confirm(L.confirm_lock)) return;
      var payload = Object.assign({}, body || {}, reason ? { reason: reason } : {});
      return O.api("POST", url, payload).then(function (result) {
        var text = O.fill(L.done, { n: result.changes.length });
        if (result.skipped && result.skipped.length) {
          text += " " + O.fill(L.skipped, { n: result.skipped.length }) + " " + result.skipped[0].message;
        }
        O.toast(text, result.skipped && result.skipped.length ? "warn" : "ok");
        refetch();
      }).catch(function (error) { O.toast(error.message, "error"); });
    });
  }

  function openMenu(button) {
    var state = button.dataset.state, sheet = button.dataset.sheet;
    var allowed = { draft: [], submitted: ["check", "return"], checked: ["sign", "return"],
                    signed: ["lock", "unlock"], locked: ["unlock"] }[state] || [];
    menu.replaceChildren.apply(menu, allowed.map(function (a) {
      return el("button", { type: "button", className: "button small" + (a === "lock" || a === "unlock" ? " danger" : ""),
                            "data-menu-action": a, "data-sheet": sheet, text: L.actions[a] });
    }));
    if (!allowed.length) { menu.hidden = true; return; }
    var box = button.getBoundingClientRect();
    menu.style.top = (window.scrollY + box.bottom + 4) + "px";
    menu.style.left = (window.scrollX + box.left) + "px";
    menu.hidden = false;
  }

  root.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) { menu.hidden = true; return; }
    if (target.dataset.menuAction) {
      menu.hidden = true;
      perform("/api/sheets/" + target.dataset.sheet + "/" + target.dataset.menuAction, target.dataset.menuAction);
    } else if (target.dataset.sheet && canAct) {
      openMenu(target);
    } else if (target.dataset.entryAction) {
      perform("/api/panels/" + root.dataset.panel + "/sheets/" + target.dataset.entryAction,
              target.dataset.entryAction, { team: parseInt(target.dataset.team, 10) });
    } else if (target.dataset.bulk) {
      perform("/api/panels/" + root.dataset.panel + "/sheets/" + target.dataset.bulk, target.dataset.bulk, {});
    }
  });

  syncClock(data);
  render();
  var joins = [{ event: "join_officials", token: root.dataset.panelToken }];
  if (root.dataset.boardToken) joins.push({ event: "join", token: root.dataset.boardToken });
  O.live(root, joins, onEvent, O.connection(document.getElementById("conn")));
  setInterval(function () { renderKpis(); renderJudges(); }, 5000);  // heartbeats age by themselves
  setInterval(refetch, 30000);  // a safety net if an event was lost
})();
