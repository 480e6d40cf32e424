/* Officials' pages: the shared bits (JSON requests with CSRF, labels, time, throttled refetch,
 * live rooms). Exposes window.Officials. Rules live on the server: the pages only show and ask. */
(function () {
  "use strict";
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function api(method, url, body) {
    var options = { method: method, headers: { "Accept": "application/json", "X-CSRFToken": csrf() },
                    credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.message || response.statusText);
          error.data = data;
          throw error;
        }
        return data;
      });
    });
  }

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : {};
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else if (key.indexOf("data-") === 0 || key === "title" || key === "type" || key === "href" ||
               key === "aria-label" || key === "colspan" || key === "disabled") node.setAttribute(key, value);
      else node[key] = value;
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function fill(template, params) {
    return String(template).replace(/%\((\w+)\)s/g, function (_, key) {
      return params[key] === undefined ? "" : String(params[key]);
    });
  }

  /* "12 s ago" / "3 min ago" / a clock time, from the server's clock (offset in ms). */
  function ago(iso, offset, labels) {
    if (!iso) return labels.never;
    var seconds = Math.max(0, Math.round((Date.now() + offset - Date.parse(iso)) / 1000));
    if (seconds < 60) return fill(labels.seconds_ago, { n: seconds });
    if (seconds < 3600) return fill(labels.minutes_ago, { n: Math.floor(seconds / 60) });
    return clock(iso);
  }

  function clock(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds());
  }

  /* Run ``fn`` at most once per ``ms``; calls in between fold into one trailing run. */
  function throttle(fn, ms) {
    var last = 0, timer = null;
    return function () {
      var wait = last + ms - Date.now();
      if (timer) return;
      if (wait <= 0) { last = Date.now(); fn(); return; }
      timer = setTimeout(function () { timer = null; last = Date.now(); fn(); }, wait);
    };
  }

  /* Join officials' rooms (and board rooms) on every (re)connect; ``onEvent`` gets every message. */
  function live(root, joins, onEvent, setConn) {
    if (typeof io === "undefined") { setConn("offline"); return null; }
    var socket = io(root.dataset.namespace, { transports: ["websocket"] });
    socket.on("connect", function () {
      var pending = joins.length, ok = true;
      joins.forEach(function (join) {
        socket.emit(join.event, { token: join.token }, function (reply) {
          ok = ok && !!(reply && reply.ok);
          // a page left open past its room token's age: reload for a fresh one (the server re-checks roles)
          if (reply && reply.error === "room.token_expired") { setTimeout(function () { location.reload(); }, 1000); }
          pending -= 1;
          if (pending === 0) { setConn(ok ? "online" : "offline"); onEvent({ kind: "reconnected" }); }
        });
      });
    });
    socket.on("disconnect", function () { setConn("offline"); });
    socket.on(root.dataset.officialsEvent, onEvent);
    if (root.dataset.boardEvent) socket.on(root.dataset.boardEvent, function () { onEvent({ kind: "marks" }); });
    return socket;
  }

  function connection(node) {
    return function (state) {
      node.dataset.state = state;
      node.textContent = node.dataset["label" + state.charAt(0).toUpperCase() + state.slice(1)];
    };
  }

  function toast(text, kind) {
    var box = document.getElementById("toast");
    if (!box) return;
    box.textContent = text;
    box.className = "toast " + (kind || "");
    box.hidden = false;
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.hidden = true; }, 6000);
  }

  /* Ask for a reason in the page's dialog; resolves with the text, or null when cancelled. */
  function askReason(title) {
    var dialog = document.getElementById("reason-dialog");
    var text = dialog.querySelector("textarea");
    dialog.querySelector(".dialog-title").textContent = title;
    text.value = "";
    return new Promise(function (resolve) {
      function done() {
        dialog.removeEventListener("close", done);
        resolve(dialog.returnValue === "ok" && text.value.trim() ? text.value.trim() : null);
      }
      dialog.addEventListener("close", done);
      dialog.showModal();
      text.focus();
    });
  }

  window.Officials = { api: api, json: json, el: el, fill: fill, ago: ago, clock: clock, throttle: throttle,
                       live: live, connection: connection, toast: toast, askReason: askReason };
})();
