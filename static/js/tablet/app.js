/* The judge's tablet: routes between the entry list and a scoresheet, keeps the last data it
 * fetched in localStorage (so a reload without network still shows everything), puts every
 * mark into the MarkQueue before sending it, and always shows the connection and the number
 * of marks waiting. Every value shown is, in order of precedence: a value being stepped,
 * the newest queued value, a refused value (with the server's message), the server's value.
 *
 * localStorage keys (``compete.tablet.`` +): token (the device token), label, me, sheets
 * (the list), sheet.<id> (one sheet), queue (MarkQueue), refused ({"sheet:aspect": ...}).
 */
(function () {
  "use strict";

  var root = document.getElementById("tablet");
  if (!root) return;
  var D = window.TabletDecimal;
  var fill = window.TabletScoresheet.fill;
  var strings = JSON.parse(document.getElementById("tablet-strings").textContent);
  var store = window.localStorage;
  var PREFIX = "compete.tablet.";
  var KEY = {
    token: PREFIX + "token", me: PREFIX + "me", sheets: PREFIX + "sheets", sheet: PREFIX + "sheet.",
    refused: PREFIX + "refused", queue: PREFIX + "queue",
  };
  var ACCEPT_LANGUAGE = root.dataset.lang === "zh_CN" ? "zh-CN,zh;q=0.9" : "en";
  var HOME = root.dataset.home;
  var STEP_IDLE_MS = 900, SYNC_EVERY_MS = 30000, HEARTBEAT_EVERY_MS = 15000, REQUEST_TIMEOUT_MS = 10000,
      OPEN_RETRY_MS = 2000;

  var $ = function (id) { return document.getElementById(id); };
  var connEl = $("conn"), waitingEl = $("waiting"), listEl = $("entry-list"), judgeEl = $("judge-name");
  var noticeEl = $("sheet-notice"), submitBox = $("submit-box"), submitButton = $("submit-sheet");
  var submitHint = $("submit-hint"), submitError = $("submit-error"), confirmBox = $("submit-confirm");

  var state = { conn: navigator.onLine ? "online" : "offline", sheetId: null, editing: {}, keypad: null };

  // --- storage -------------------------------------------------------------------------------
  function read(key, fallback) {
    try {
      var text = store.getItem(key);
      return text == null ? fallback : JSON.parse(text);
    } catch (e) {
      return fallback;
    }
  }

  function write(key, value) {
    try {
      store.setItem(key, JSON.stringify(value));
    } catch (e) {
      console.error("tablet: could not keep", key, e);
    }
  }

  function token() { return store.getItem(KEY.token); }

  // --- HTTP ----------------------------------------------------------------------------------
  /* Resolves {status, body} for any answer; rejects only when no answer came (network, timeout). */
  function api(method, path, body) {
    var headers = { "Accept": "application/json", "Accept-Language": ACCEPT_LANGUAGE,
                    "Authorization": "Device " + (token() || "") };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS) : null;
    return fetch(path, {
      method: method, headers: headers, cache: "no-store", credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body), signal: controller ? controller.signal : undefined,
    }).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: response.status, body: data };
      });
    }).then(function (answer) {
      clearTimeout(timer);
      if (answer.status === 401) setConn("unauthorised");
      else if (state.conn === "offline" || (state.conn === "unauthorised" && answer.status < 300)) setConn("online");
      return answer;
    }, function (error) {
      clearTimeout(timer);
      setConn("offline");
      throw error;
    });
  }

  /* The sentence to show for an error answer: the field's own message first. */
  function errorText(body) {
    if (!body) return strings.network_error;
    var fields = body.fields || {};
    var first = (fields.value || fields.aspect || fields.sheet || [])[0];
    return first || body.message || strings.network_error;
  }

  // --- connection and waiting marks -------------------------------------------------------------
  function setConn(next) {
    var was = state.conn;
    state.conn = next;
    renderStatus();
    if (was !== "online" && next === "online" && queue && queue.size()) queue.retryNow();
  }

  function renderStatus() {
    var conn = navigator.onLine === false ? "offline" : state.conn;
    connEl.dataset.state = conn;
    connEl.textContent = strings[conn] || conn;
    var waiting = queue ? queue.size() : 0;
    waitingEl.dataset.count = String(waiting);
    waitingEl.textContent = waiting ? fill(strings.waiting, { n: waiting }) : strings.all_saved;
    root.dataset.conn = conn;
  }

  // --- the queue -------------------------------------------------------------------------------
  var queue = new window.MarkQueue({
    storage: store,
    key: KEY.queue,
    send: function (entry) {
      return api("POST", "/api/marks",
                 { submission_id: entry.submission_id, sheet: entry.sheet, aspect: entry.aspect, value: entry.value });
    },
    onChange: function (entries) {
      renderStatus();
      render();
      if (!entries.length) scheduleSync();
    },
    onStored: function (entry, receipt) {
      applyReceipt(receipt);
      forgetRefusal(entry.sheet, entry.aspect);
      render();
    },
    onRefused: function (entry, error) {
      var refused = read(KEY.refused, {});
      refused[entry.sheet + ":" + entry.aspect] = { value: entry.value, code: error.error || "",
                                                    message: errorText(error) };
      write(KEY.refused, refused);
      if (String(error.error || "").indexOf("sheet.") === 0 || (error.fields || {}).sheet) refreshSheet(entry.sheet);
      render();
    },
    onConnection: function (next) {
      if (next !== "sending" || state.conn !== "unauthorised") setConn(next);
    },
  });

  function applyReceipt(receipt) {
    var sheet = read(KEY.sheet + receipt.sheet_id, null);
    if (!sheet) return;
    eachAspect(sheet, function (aspect) {
      if (aspect.id === receipt.aspect_id && receipt.revision >= (aspect.revision || 0)) {
        aspect.value = receipt.value;
        aspect.revision = receipt.revision;
      }
    });
    sheet.state = receipt.sheet_state || sheet.state;
    write(KEY.sheet + sheet.id, sheet);
  }

  function forgetRefusal(sheetId, aspectId) {
    var refused = read(KEY.refused, {});
    if (refused[sheetId + ":" + aspectId]) {
      delete refused[sheetId + ":" + aspectId];
      write(KEY.refused, refused);
    }
  }

  function eachAspect(sheet, callback) {
    sheet.modules.forEach(function (module) {
      module.sub_criteria.forEach(function (sub) { sub.aspects.forEach(callback); });
    });
  }

  // --- what each aspect shows ---------------------------------------------------------------
  function displayFor(sheet) {
    var latest = {};
    queue.entries().forEach(function (entry) { if (entry.sheet === sheet.id) latest[entry.aspect] = entry; });
    var refused = read(KEY.refused, {});
    return function (aspect) {
      var key = sheet.id + ":" + aspect.id, saved = aspect.value;
      if (state.editing[key]) return { value: state.editing[key].value, status: "editing", saved: saved };
      if (latest[aspect.id]) return { value: latest[aspect.id].value, status: "queued", saved: saved };
      if (refused[key]) return { value: refused[key].value, status: "refused", error: refused[key].message, saved: saved };
      return { value: saved, status: saved == null ? "empty" : "saved", saved: saved };
    };
  }

  function commit(sheetId, aspect, value) {
    var key = sheetId + ":" + aspect.id;
    if (state.editing[key]) { clearTimeout(state.editing[key].timer); delete state.editing[key]; }
    var sheet = read(KEY.sheet + sheetId, null);
    if (sheet) {
      var shown = displayFor(sheet)(aspect);
      if (shown.status !== "refused" && shown.value != null && D.compare(shown.value, value) === 0) {
        render();
        return;  // the same value again: no new revision
      }
    }
    forgetRefusal(sheetId, aspect.id);
    var me = read(KEY.me, null);
    try {
      queue.add({ sheet: sheetId, aspect: aspect.id, value: value, judge: me ? me.judge.id : null });
    } catch (e) {
      console.error("tablet: the queue could not keep a mark", e);
      window.alert(strings.storage_full);
    }
    render();
  }

  function commitAllEditing() {
    Object.keys(state.editing).forEach(function (key) {
      var edit = state.editing[key];
      commit(edit.sheet, edit.aspect, edit.value);
    });
  }

  // --- inputs --------------------------------------------------------------------------------
  function stepUnits(aspect) {
    return D.units(aspect.max) >= 4 * D.SCALE ? D.SCALE : D.SCALE / 2;
  }

  var actions = {
    choose: function (aspect, value) {
      if (state.sheetId != null) commit(state.sheetId, aspect, value);
    },
    step: function (aspect, direction) {
      var sheet = currentSheet();
      if (!sheet || sheet.state !== "draft") return;
      var key = sheet.id + ":" + aspect.id, shown = displayFor(sheet)(aspect);
      var current = shown.value == null ? null : D.units(shown.value);
      var max = D.units(aspect.max), step = stepUnits(aspect);
      var next = current == null ? (direction > 0 ? step : 0) : current + direction * step;
      next = Math.max(0, Math.min(max, next));
      var edit = state.editing[key] || { sheet: sheet.id, aspect: aspect };
      clearTimeout(edit.timer);
      edit.value = D.format(next);
      edit.timer = setTimeout(function () { commit(edit.sheet, edit.aspect, edit.value); }, STEP_IDLE_MS);
      state.editing[key] = edit;
      render();
    },
    keypad: function (aspect) { openKeypad(aspect); },
  };

  // --- keypad ----------------------------------------------------------------------------------
  var keypadEl = $("keypad"), keypadDisplay = $("keypad-display"), keypadError = $("keypad-error");

  function openKeypad(aspect) {
    var sheet = currentSheet();
    if (!sheet || sheet.state !== "draft") return;
    var shown = displayFor(sheet)(aspect);
    state.keypad = { sheet: sheet.id, aspect: aspect, text: shown.value == null ? "" : shown.value, fresh: true };
    $("keypad-title").textContent = aspect.code + " " + aspect.name;
    $("keypad-range").textContent = "0 – " + aspect.max + (aspect.kind === "deduction" ? " (" + strings["kind.deduction"] + ")" : "");
    keypadError.textContent = "";
    keypadEl.hidden = false;
    renderKeypad();
  }

  function closeKeypad() {
    state.keypad = null;
    keypadEl.hidden = true;
  }

  function renderKeypad() {
    keypadDisplay.textContent = state.keypad.text === "" ? "0" : state.keypad.text;
    keypadDisplay.classList.toggle("placeholder", state.keypad.text === "");
  }

  function keypadKey(key) {
    var pad = state.keypad;
    if (!pad) return;
    keypadError.textContent = "";
    if (key === "ok") return keypadOk();
    if (key === "cancel") return closeKeypad();
    if (key === "back") pad.text = pad.fresh ? "" : pad.text.slice(0, -1);
    else if (key === "clear") pad.text = "";
    else if (key === ".") pad.text = pad.fresh || pad.text === "" ? "0." : (pad.text.indexOf(".") < 0 ? pad.text + "." : pad.text);
    else if (/^\d$/.test(key)) pad.text = pad.fresh || pad.text === "0" ? key : (pad.text.length < 10 ? pad.text + key : pad.text);
    pad.fresh = false;
    renderKeypad();
  }

  function keypadOk() {
    var pad = state.keypad, aspect = pad.aspect;
    var parsed = D.parse(pad.text === "" ? "0" : pad.text);
    if (parsed.error) {
      keypadError.textContent = strings[parsed.error];
      return;
    }
    if (parsed.units > D.units(aspect.max)) {
      keypadError.textContent = fill(strings.out_of_range, { min: "0", max: aspect.max });
      return;
    }
    closeKeypad();
    commit(pad.sheet, aspect, D.format(parsed.units));
  }

  keypadEl.addEventListener("click", function (event) {
    var button = event.target.closest("[data-key]");
    if (button) keypadKey(button.dataset.key);
    else if (event.target === keypadEl) closeKeypad();
  });
  document.addEventListener("keydown", function (event) {
    if (!state.keypad) return;
    var map = { Enter: "ok", Escape: "cancel", Backspace: "back", ".": ".", ",": "." };
    var key = /^\d$/.test(event.key) ? event.key : map[event.key];
    if (key) { event.preventDefault(); keypadKey(key); }
  });

  // --- views ---------------------------------------------------------------------------------
  var scoresheet = new window.TabletScoresheet($("modules"), strings, actions);

  function currentSheet() {
    return state.sheetId == null ? null : read(KEY.sheet + state.sheetId, null);
  }

  function progressOf(summary) {
    var sheet = read(KEY.sheet + summary.id, null);
    var waiting = queue.entries().filter(function (e) { return e.sheet === summary.id; }).length;
    if (!sheet) return { done: summary.required_marked, total: summary.required, waiting: waiting, state: summary.state };
    var display = displayFor(sheet), done = 0, total = 0;
    eachAspect(sheet, function (aspect) {
      if (aspect.kind === "deduction") return;  // optional: no deduction, no penalty
      total += 1;
      var shown = display(aspect);
      if ((shown.status === "refused" ? shown.saved : shown.value) != null) done += 1;
    });
    return { done: done, total: total, waiting: waiting, state: summary.state };
  }

  function renderList() {
    var listing = read(KEY.sheets, null);
    if (!listing) {
      listEl.replaceChildren(item(null, strings.loading));
      return;
    }
    if (!listing.length) {
      listEl.replaceChildren(item(null, strings.no_sheets));
      return;
    }
    var fragment = document.createDocumentFragment();
    listing.forEach(function (summary) {
      var p = progressOf(summary);
      var link = document.createElement("a");
      link.className = "entry";
      link.href = HOME + "sheets/" + summary.id;
      link.dataset.nav = "";
      link.dataset.sheet = summary.id;
      link.dataset.state = p.state;
      if (summary.id === state.sheetId) link.setAttribute("aria-current", "page");
      link.appendChild(span("entry-code", summary.code));
      link.appendChild(span("state-chip", strings["state." + p.state] || p.state)).dataset.state = p.state;
      var bar = span("progress");
      var fillBar = span("bar");
      fillBar.style.width = (p.total ? Math.round(100 * p.done / p.total) : 0) + "%";
      bar.appendChild(fillBar);
      link.appendChild(bar);
      link.appendChild(span("count", fill(strings.progress, { done: p.done, total: p.total })));
      if (p.waiting) link.appendChild(span("entry-waiting", fill(strings.waiting, { n: p.waiting })));
      var li = document.createElement("li");
      li.appendChild(link);
      fragment.appendChild(li);
    });
    listEl.replaceChildren(fragment);
  }

  function span(className, text) {
    var node = document.createElement("span");
    node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function item(className, text) {
    var li = document.createElement("li");
    li.className = "list-note" + (className ? " " + className : "");
    li.textContent = text;
    return li;
  }

  function renderSheet() {
    var sheet = currentSheet();
    var missing = $("sheet-missing");
    $("sheet-body").hidden = !sheet;
    missing.hidden = !!sheet;
    if (!sheet) {
      missing.textContent = navigator.onLine === false || state.conn === "offline" ? strings.not_cached : strings.loading;
      $("sheet-code").textContent = "";
      return;
    }
    $("sheet-code").textContent = sheet.code;
    var chip = $("sheet-state");
    chip.dataset.state = sheet.state;
    chip.textContent = strings["state." + sheet.state] || sheet.state;
    $("sheet").dataset.state = sheet.state;
    document.title = sheet.code + " · " + root.dataset.title;
    var totals = scoresheet.show(sheet, displayFor(sheet));
    $("grand-total").textContent = totals.total + " / " + totals.max;
    var notice = "";
    if (sheet.state !== "draft") notice = fill(strings.read_only, { state: strings["state." + sheet.state] || sheet.state });
    else if (sheet.returned_reason) notice = fill(strings.returned, { reason: sheet.returned_reason });
    noticeEl.textContent = notice;
    noticeEl.hidden = !notice;
    noticeEl.dataset.kind = sheet.state !== "draft" ? "read-only" : "returned";
    renderSubmit(sheet, totals);
    renderNeighbours(sheet.id);
  }

  function renderSubmit(sheet, totals) {
    submitBox.hidden = sheet.state !== "draft";
    var pending = queue.entries().some(function (e) { return e.sheet === sheet.id; }) ||
      Object.keys(state.editing).some(function (k) { return k.indexOf(sheet.id + ":") === 0; });
    var savedAll = true;
    eachAspect(sheet, function (aspect) { if (aspect.kind !== "deduction" && aspect.value == null) savedAll = false; });
    var hint = "";
    if (!totals.complete || !savedAll) hint = pending ? strings.submit_needs_sync : strings.submit_needs_all;
    else if (pending) hint = strings.submit_needs_sync;
    submitButton.disabled = !!hint;
    submitHint.textContent = hint;
    submitHint.hidden = !hint;
    if (hint) confirmBox.hidden = true;
  }

  function renderNeighbours(sheetId) {
    var listing = read(KEY.sheets, []) || [];
    var index = listing.findIndex(function (s) { return s.id === sheetId; });
    [["prev-entry", index - 1], ["next-entry", index + 1]].forEach(function (pair) {
      var link = $(pair[0]), target = index < 0 ? null : listing[pair[1]];
      link.hidden = !target;
      if (target) {
        link.href = HOME + "sheets/" + target.id;
        link.querySelector(".code").textContent = target.code;
      }
    });
  }

  function render() {
    var signedIn = !!token();
    $("signed-out").hidden = signedIn;
    $("layout").hidden = !signedIn;
    if (!signedIn) return;
    var me = read(KEY.me, null);
    judgeEl.textContent = me ? me.judge.name : "";
    $("panels").textContent = me ? me.panels.map(function (panel) {
      return [panel.name, panel.stage, panel.division].filter(Boolean).join(" · ");
    }).join(" | ") : "";
    renderList();
    if (state.sheetId != null) renderSheet();
  }

  // --- submit a sheet ----------------------------------------------------------------------------
  submitButton.addEventListener("click", function () {
    var sheet = currentSheet();
    if (!sheet) return;
    $("submit-confirm-text").textContent = fill(strings.submit_confirm, { code: sheet.code });
    submitError.textContent = "";
    confirmBox.hidden = false;
  });
  $("submit-cancel").addEventListener("click", function () { confirmBox.hidden = true; });
  $("submit-yes").addEventListener("click", function () {
    var sheet = currentSheet();
    confirmBox.hidden = true;
    if (!sheet) return;
    submitButton.disabled = true;
    api("POST", "/api/sheets/" + sheet.id + "/submit", {}).then(function (answer) {
      if (answer.status < 300) {
        var stored = read(KEY.sheet + sheet.id, sheet);
        var mine = ((answer.body && answer.body.changes) || []).filter(function (c) { return c.sheet === sheet.id; });
        stored.state = mine.length ? mine[mine.length - 1].to : "submitted";
        write(KEY.sheet + sheet.id, stored);
        submitError.textContent = "";
        render();
        refreshSheet(sheet.id);
        refreshList();
      } else {
        submitError.textContent = errorText(answer.body);
        refreshSheet(sheet.id);
      }
    }, function () {
      submitError.textContent = strings.network_error;
      render();
    });
  });

  // --- fetching --------------------------------------------------------------------------------
  function refreshMe() {
    return api("GET", "/api/judge/me").then(function (answer) {
      if (answer.status !== 200) return;
      var before = read(KEY.me, null);
      if (before && before.judge.id !== answer.body.judge.id) forgetJudgeData();
      write(KEY.me, answer.body);
      render();
    }, function () {});
  }

  function forgetJudgeData() {
    Object.keys(store).forEach(function (key) {
      if (key === KEY.me || key === KEY.sheets || key === KEY.refused || key.indexOf(KEY.sheet) === 0) {
        store.removeItem(key);
      }
    });
  }

  function mergeSheet(fresh) {
    var cached = read(KEY.sheet + fresh.id, null);
    if (cached) {
      var known = {};
      eachAspect(cached, function (aspect) { known[aspect.id] = aspect; });
      eachAspect(fresh, function (aspect) {
        var old = known[aspect.id];
        if (old && (old.revision || 0) > (aspect.revision || 0)) {  // a receipt newer than this read
          aspect.value = old.value;
          aspect.revision = old.revision;
        }
      });
    }
    write(KEY.sheet + fresh.id, fresh);
    var listing = read(KEY.sheets, null);
    var summary = listing && listing.find(function (item) { return item.id === fresh.id; });
    if (summary && summary.state !== fresh.state) {  // the list learns a new state at once
      summary.state = fresh.state;
      write(KEY.sheets, listing);
    }
  }

  function refreshSheet(id) {
    return api("GET", "/api/judge/sheets/" + id).then(function (answer) {
      if (answer.status === 200) mergeSheet(answer.body);
      else if (answer.status === 404) store.removeItem(KEY.sheet + id);
      else retryOpenSheet(id);
      render();
    }, function () { retryOpenSheet(id); render(); });
  }

  /* The sheet on screen could not be fetched and none is kept on the tablet (a dropped
   * request on venue Wi-Fi): try again shortly while it stays open, instead of a blank page
   * until the next sync. */
  function retryOpenSheet(id) {
    if (id !== state.sheetId || read(KEY.sheet + id, null)) return;
    setTimeout(function () { if (id === state.sheetId && token()) refreshSheet(id); }, OPEN_RETRY_MS);
  }

  function refreshList() {
    return api("GET", "/api/judge/sheets").then(function (answer) {
      if (answer.status !== 200) return;
      var listing = answer.body.sheets;
      write(KEY.sheets, listing);
      render();
      return prefetch(listing);
    }, function () {});
  }

  /* Keep every sheet on the tablet, so that any entry opens offline; refresh those whose
   * state moved (sent back, locked). One request at a time. */
  function prefetch(listing) {
    var todo = listing.filter(function (summary) {
      var cached = read(KEY.sheet + summary.id, null);
      return !cached || (summary.id !== state.sheetId && cached.state !== summary.state);
    });
    return todo.reduce(function (chain, summary) {
      return chain.then(function () { return refreshSheet(summary.id); });
    }, Promise.resolve());
  }

  var syncTimer = null;
  function scheduleSync() {
    clearTimeout(syncTimer);
    syncTimer = setTimeout(sync, 400);
  }

  function sync() {
    if (!token()) return Promise.resolve();
    var work = [refreshMe(), refreshList()];
    if (state.sheetId != null) work.push(refreshSheet(state.sheetId));
    return Promise.all(work);
  }

  function heartbeat() {
    if (!token()) return;
    api("POST", "/api/devices/heartbeat", { pending: queue.size() }).catch(function () {});
  }

  // --- routing ---------------------------------------------------------------------------------
  function route() {
    commitAllEditing();
    closeKeypad();
    confirmBox.hidden = true;
    submitError.textContent = "";
    var match = /\/sheets\/(\d+)\/?$/.exec(location.pathname);
    state.sheetId = match ? parseInt(match[1], 10) : null;
    root.dataset.view = match ? "sheet" : "list";
    $("sheet").hidden = !match;
    if (!match) document.title = root.dataset.title;
    render();
    if (match && token()) refreshSheet(state.sheetId);
    if (match) window.scrollTo(0, 0);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-nav]");
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    if (link.href !== location.href) history.pushState(null, "", link.href);
    route();
  });
  window.addEventListener("popstate", route);
  window.addEventListener("online", function () { setConn("online"); scheduleSync(); });
  window.addEventListener("offline", function () { setConn("offline"); });
  window.addEventListener("storage", function (event) {
    if (event.key && event.key.indexOf(PREFIX) === 0) { renderStatus(); render(); }
  });
  window.addEventListener("pagehide", commitAllEditing);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") commitAllEditing();
    else if (token()) { queue.retryNow(); scheduleSync(); }
  });

  window.addEventListener("unhandledrejection", function (event) {
    console.error("tablet:", event.reason);
  });

  if ("serviceWorker" in navigator && root.dataset.sw) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: HOME }).catch(function (error) {
      console.warn("tablet: no offline shell", error);
    });
  }

  route();
  renderStatus();
  if (token()) {
    queue.start();
    sync();
    setInterval(function () { if (navigator.onLine !== false) sync(); }, SYNC_EVERY_MS);
    heartbeat();
    setInterval(heartbeat, HEARTBEAT_EVERY_MS);
  }
})();
