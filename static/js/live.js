/* Live boards without a library: a tiny Socket.IO (v5, WebSocket only) client and LiveBoard.
 *
 * LiveBoard keeps one board's latest version. It joins the board's room with a signed room
 * token (asking HTTP for a fresh one when the join says it expired), applies a whole board
 * whose version is newer, applies a delta only onto exactly its base version, and refetches
 * the snapshot (with its ETag) on a gap, after every (re)connect and when switching boards.
 * Lost or repeated messages therefore never corrupt a screen. */
(function (global) {
  "use strict";

  function Socket(namespace, on) {
    var self = this, ws = null, acks = {}, nextAck = 1, watchdog = null, retry = 0, closed = false;
    var nsp = namespace && namespace !== "/" ? namespace + "," : "";
    self.connected = false;

    function send(text) { if (ws && ws.readyState === 1) ws.send(text); }
    function arm(ms) {
      clearTimeout(watchdog);
      watchdog = setTimeout(function () { if (ws) ws.close(); }, ms);
    }
    function open() {
      var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host +
        "/socket.io/?EIO=4&transport=websocket";
      ws = new WebSocket(url);
      var timing = 25000;
      ws.onmessage = function (e) {
        var data = String(e.data), kind = data.charAt(0);
        if (kind === "0") {                       // engine.io open
          var info = JSON.parse(data.slice(1));
          timing = (info.pingInterval || 25000) + (info.pingTimeout || 20000);
          arm(timing);
          send("40" + nsp);
        } else if (kind === "2") {                // ping → pong
          send("3");
          arm(timing);
        } else if (kind === "4") {                // a socket.io packet
          packet(data.slice(1));
        }
      };
      ws.onclose = function () {
        clearTimeout(watchdog);
        var was = self.connected;
        self.connected = false;
        ws = null;
        acks = {};
        if (was && on.disconnect) on.disconnect();
        if (!closed) {
          retry = Math.min(retry + 1, 6);
          setTimeout(open, Math.min(10000, 500 * Math.pow(2, retry - 1)) * (0.5 + Math.random()));
        }
      };
    }
    function packet(p) {
      var type = p.charAt(0), rest = p.slice(1);
      if (rest.charAt(0) === "/") { var comma = rest.indexOf(","); rest = rest.slice(comma + 1); }
      var m = /^(\d*)([\s\S]*)$/.exec(rest), id = m[1], body = m[2] ? JSON.parse(m[2]) : null;
      if (type === "0") { self.connected = true; retry = 0; if (on.connect) on.connect(); }
      else if (type === "2" && body && on.event) on.event(body[0], body[1]);
      else if (type === "3" && acks[id]) { var ack = acks[id]; delete acks[id]; ack(body && body[0]); }
      else if (type === "1" || type === "4") { if (ws) ws.close(); }
    }
    self.emit = function (name, data, ack) {
      var id = "";
      if (ack) { id = String(nextAck++); acks[id] = ack; }
      send("42" + nsp + id + JSON.stringify([name, data]));
    };
    self.close = function () { closed = true; if (ws) ws.close(); };
    open();
  }

  /* The inverse of realtime.emit.rows_delta: listed rows go to their index; the other rows
   * fill the free slots in their old order, their rank shifted by the places they moved;
   * then the listed rank fixes (ties). Null when it does not fit (the caller refetches). */
  function applyDelta(rows, delta) {
    var out = new Array(delta.n), taken = {}, gone = {}, k = 0, i, bad = false;
    delta.rows.forEach(function (pair) {
      if (pair[0] < 0 || pair[0] >= delta.n) bad = true; else { out[pair[0]] = pair[1]; taken[pair[1].code] = true; }
    });
    (delta.removed || []).forEach(function (code) { gone[code] = true; });
    rows.forEach(function (row, was) {
      if (taken[row.code] || gone[row.code]) return;
      while (k < out.length && out[k] !== undefined) k++;
      if (k >= out.length) { bad = true; return; }
      var moved = {};
      Object.keys(row).forEach(function (key) { moved[key] = row[key]; });
      if (row.rank != null) moved.rank = row.rank + k - was;
      out[k++] = moved;
    });
    for (i = 0; i < out.length; i++) if (out[i] === undefined) bad = true;
    if (bad) return null;
    (delta.ranks || []).forEach(function (fix) {
      if (!out[fix[0]]) { bad = true; return; }
      if (fix[1] == null) delete out[fix[0]].rank; else out[fix[0]].rank = fix[1];
    });
    return bad ? null : out;
  }

  /* opts: namespace, event, board {id, token, tokenUrl, snapshotUrl}, initial (payload or null),
   *       render(payload), status(state: "connecting" | "online" | "offline") */
  function LiveBoard(opts) {
    var self = this, current = opts.initial || null, target = opts.board, etag = null, joined = null;
    self.version = function () { return current ? current.version : 0; };
    self.board = function () { return current; };

    function show(payload) {
      current = payload;
      opts.render(payload);
    }
    function refetch() {
      var want = target;
      var headers = etag && current && current.board === want.id ? { "If-None-Match": etag } : {};
      return fetch(want.snapshotUrl, { cache: "no-store", headers: headers })
        .then(function (r) {
          if (want !== target || r.status === 304 || !r.ok) return null;
          etag = r.headers.get("ETag");
          return r.json();
        })
        .then(function (payload) {
          if (!payload || want !== target) return;
          if (!current || current.board !== payload.board || payload.version >= current.version) show(payload);
        })
        .catch(function () { /* offline: the next reconnect refetches */ });
    }
    function join(renewed) {
      var want = target;
      socket.emit("join", { token: want.token }, function (reply) {
        if (want !== target) return;
        if (reply && reply.ok) { joined = want; opts.status("online"); refetch(); return; }
        if (!renewed && want.tokenUrl) {          // expired (or stale) token: ask HTTP for a fresh one
          fetch(want.tokenUrl, { cache: "no-store" })
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (data) { if (data && data.token) { want.token = data.token; join(true); } else opts.status("offline"); })
            .catch(function () { opts.status("offline"); });
        } else {
          opts.status("offline");
        }
      });
    }
    function onMessage(name, msg) {
      if (name !== opts.event || !msg || msg.board !== target.id) return;
      var have = current && current.board === target.id ? current.version : 0;
      if (msg.version <= have) return;                    // old or repeated: ignore
      if (msg.delta) {
        var rows = current && msg.base === have ? applyDelta(current.rows, msg.delta) : null;
        if (!rows) { refetch(); return; }                   // a gap: the snapshot is the truth
        var next = {};
        Object.keys(current).forEach(function (k) { next[k] = current[k]; });
        next.rows = rows;
        next.version = msg.version;
        show(next);
      } else if (msg.rows) {
        show(msg);
      } else {
        refetch();
      }
    }
    var socket = new Socket(opts.namespace, {
      connect: function () { join(false); },
      disconnect: function () { joined = null; opts.status("offline"); },
      event: onMessage
    });
    opts.status("connecting");
    if (current) opts.render(current); else refetch();

    /* Watch another board (the big screen's cycle): leave the old room, join the new one. */
    self.watch = function (board) {
      if (joined && socket.connected) socket.emit("leave", { token: joined.token });
      target = board;
      joined = null;
      etag = null;
      if (socket.connected) join(false);
      return refetch();
    };
    self.refetch = refetch;
  }

  global.Live = { Socket: Socket, LiveBoard: LiveBoard, applyDelta: applyDelta };
})(window);
