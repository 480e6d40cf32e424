/* MarkQueue: the tablet's offline-first outbox for marks. No DOM, no knowledge of the page.
 *
 * Contract
 *   var queue = new MarkQueue({
 *     storage:  window.localStorage,   // Storage-like (getItem/setItem); the queue lives here
 *     key:      "compete.tablet.queue",
 *     send:     function (entry) { ... } // → Promise<{status, body}>; REJECTS on a network failure
 *     onChange: function (entries) {},   // after every change of the stored queue
 *     onStored: function (entry, receipt) {},          // 200/201: the server's receipt is authoritative
 *     onRefused: function (entry, error, status) {},   // a rule said no (4xx): the entry is dropped
 *     onConnection: function (state) {},  // "online" | "offline" | "sending" | "unauthorised"
 *     uuid:     function () { return crypto.randomUUID(); },
 *     random:   Math.random, baseDelay: 1000, maxDelay: 30000, timers: window
 *   });
 *   queue.add({sheet, aspect, value})  → the entry, written to storage BEFORE anything is sent;
 *                                        it carries submission_id (a client UUID) and queued_at
 *   queue.entries() / queue.size()     → what is waiting, oldest first (read from storage)
 *   queue.flush()                      → Promise; sends the entries one at a time, in order
 *   queue.start() / queue.stop()       → follow window "online" events and retry timers
 *   queue.retryNow()                   → forget the backoff and flush now (the network is back)
 *
 * Outcomes of one send (``MarkQueue.classify``)
 *   200/201                        "stored":  removed; onStored(entry, receipt)
 *   401                            "unauthorised": kept; flushing pauses until add/online/start
 *   408, 425, 429, 5xx, mark.concurrent_change, a network failure
 *                                  "retry":   kept; the next try waits baseDelay·2^failures
 *                                             (capped at maxDelay) with jitter: [d/2, d)
 *   any other 4xx                  "refused": removed; onRefused(entry, error, status)
 * The same submission_id is sent again after a failure, so the server stores it at most once
 * (a repeat answers with the first receipt). Storage is re-read on every step, so two tabs
 * sharing one queue can at worst send an entry twice, which the server also absorbs.
 */
(function (root) {
  "use strict";

  function classify(status, body) {
    if (status === 200 || status === 201) return "stored";
    if (status === 401) return "unauthorised";
    if (status === 408 || status === 425 || status === 429 || status >= 500) return "retry";
    if (status === 409 && body && body.error === "mark.concurrent_change") return "retry";
    if (status >= 400 && status < 500) return "refused";
    return "retry";
  }

  function fallbackUuid() {
    var bytes = new Uint8Array(16);
    (root.crypto || {}).getRandomValues ? root.crypto.getRandomValues(bytes)
      : bytes.forEach(function (_, i) { bytes[i] = Math.floor(Math.random() * 256); });
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function defaultUuid() {
    return root.crypto && root.crypto.randomUUID ? root.crypto.randomUUID() : fallbackUuid();
  }

  function noop() {}

  /* A listener's failure must never stop the queue: report it and go on. */
  function safe(callback) {
    return function () {
      try {
        return callback.apply(null, arguments);
      } catch (error) {
        if (root.console) root.console.error(error);
        return undefined;
      }
    };
  }

  function MarkQueue(options) {
    this.storage = options.storage;
    this.key = options.key || "compete.tablet.queue";
    this.send = options.send;
    this.onChange = safe(options.onChange || noop);
    this.onStored = safe(options.onStored || noop);
    this.onRefused = safe(options.onRefused || noop);
    this.onConnection = safe(options.onConnection || noop);
    this.uuid = options.uuid || defaultUuid;
    this.random = options.random || Math.random;
    this.baseDelay = options.baseDelay == null ? 1000 : options.baseDelay;
    this.maxDelay = options.maxDelay == null ? 30000 : options.maxDelay;
    this.timers = options.timers || root;
    this.isOnline = options.isOnline || function () { return !root.navigator || root.navigator.onLine !== false; };
    this.failures = 0;
    this.timer = null;
    this.running = null;   // the promise of the flush in progress
    this.again = false;    // a flush was asked for while one was running
    this.paused = false;   // after a 401, until add / online / start
    this.started = false;
    this.retryNow = this.retryNow.bind(this);
  }

  MarkQueue.classify = classify;

  MarkQueue.prototype.entries = function () {
    try {
      var parsed = JSON.parse(this.storage.getItem(this.key) || "[]");
      return Array.isArray(parsed) ? parsed : [];
    } catch (e) {
      return [];
    }
  };

  MarkQueue.prototype.size = function () { return this.entries().length; };

  MarkQueue.prototype._write = function (entries) {
    this.storage.setItem(this.key, JSON.stringify(entries));
    this.onChange(entries);
  };

  MarkQueue.prototype._update = function (submissionId, change) {
    var entries = this.entries(), found = null;
    entries = entries.filter(function (entry) {
      if (entry.submission_id !== submissionId) return true;
      found = entry;
      return change(entry) !== "remove";
    });
    this._write(entries);
    return found;
  };

  /* Persist first, then try to send. Throws if storage refuses (full): the caller must say so. */
  MarkQueue.prototype.add = function (mark) {
    var entry = {
      submission_id: this.uuid(), sheet: mark.sheet, aspect: mark.aspect, value: String(mark.value),
      queued_at: new Date().toISOString(), attempts: 0,
    };
    if (mark.judge != null) entry.judge = mark.judge;
    var entries = this.entries();
    entries.push(entry);
    this._write(entries);
    this.paused = false;
    this._kick();
    return entry;
  };

  MarkQueue.prototype._kick = function () {
    if (this.timer != null) { this.timers.clearTimeout(this.timer); this.timer = null; }
    this.flush();
  };

  MarkQueue.prototype.delay = function () {
    var ceiling = Math.min(this.maxDelay, this.baseDelay * Math.pow(2, Math.max(0, this.failures - 1)));
    return Math.round(ceiling / 2 + this.random() * ceiling / 2);
  };

  MarkQueue.prototype._schedule = function () {
    var self = this;
    if (this.timer != null || !this.started) return;
    this.timer = this.timers.setTimeout(function () { self.timer = null; self.flush(); }, this.delay());
  };

  /* One drain at a time. A flush asked for meanwhile runs once more after a drain that found
   * the queue empty (an entry added just then must not wait); after a failure the backoff
   * timer decides. */
  MarkQueue.prototype.flush = function () {
    var self = this;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.again = false;
    this.running = this._drain().then(function (result) {
      self.running = null;
      if (!self.again || result !== "empty") return result;
      return self.flush();
    }, function (error) {
      self.running = null;
      throw error;
    });
    return this.running;
  };

  MarkQueue.prototype._drain = function () {
    var self = this;
    var head = this.entries()[0];
    if (!head) {
      return Promise.resolve("empty");
    }
    if (this.paused) return Promise.resolve("unauthorised");
    if (!this.isOnline()) {
      this.onConnection("offline");
      this.failures += 1;
      this._schedule();
      return Promise.resolve("offline");
    }
    this.onConnection("sending");
    this._update(head.submission_id, function (entry) { entry.attempts = (entry.attempts || 0) + 1; });
    return Promise.resolve()
      .then(function () { return self.send(head); })
      .then(function (answer) {
        var outcome = classify(answer.status, answer.body);
        if (outcome === "stored") {
          self.failures = 0;
          self.onConnection("online");
          self._update(head.submission_id, function () { return "remove"; });
          self.onStored(head, answer.body);
          return self._drain();
        }
        if (outcome === "refused") {
          self.failures = 0;
          self.onConnection("online");
          self._update(head.submission_id, function () { return "remove"; });
          self.onRefused(head, answer.body || {}, answer.status);
          return self._drain();
        }
        if (outcome === "unauthorised") {
          self.paused = true;
          self.onConnection("unauthorised");
          return "unauthorised";
        }
        self.failures += 1;
        self.onConnection("online");  // the server answered; it could not take the mark now
        self._schedule();
        return "retry";
      }, function () {
        self.failures += 1;
        self.onConnection("offline");
        self._schedule();
        return "offline";
      });
  };

  MarkQueue.prototype.retryNow = function () {
    this.failures = 0;
    this.paused = false;
    this._kick();
  };

  MarkQueue.prototype.start = function () {
    if (!this.started && root.addEventListener) root.addEventListener("online", this.retryNow);
    this.started = true;
    this.paused = false;
    this._kick();
  };

  MarkQueue.prototype.stop = function () {
    if (root.removeEventListener) root.removeEventListener("online", this.retryNow);
    this.started = false;
    if (this.timer != null) { this.timers.clearTimeout(this.timer); this.timer = null; }
  };

  root.MarkQueue = MarkQueue;
})(typeof window !== "undefined" ? window : this);
