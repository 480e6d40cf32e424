/* The tablet's service worker (scope {{ scope }}): keeps the shell page and its assets so that
 * a reload without network still opens the tablet. It never touches /api/ requests: marks
 * and reads go straight to the network, and the page's own queue and cache handle failures.
 * Version {{ version }}: a new version replaces the old cache.
 */
"use strict";
var VERSION = {{ version|tojson }};
var CACHE = "compete-tablet-" + VERSION;
var SHELL = {{ shell|tojson }};
var ASSETS = {{ assets|tojson }};
var SCOPE_PATH = new URL({{ scope|tojson }}, self.location.origin).pathname;
var NAVIGATION_TIMEOUT_MS = 4000;

function fresh(url) {
  return new Request(url, { cache: "reload", credentials: "same-origin" });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll([SHELL].concat(ASSETS).map(fresh)); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf("compete-tablet-") === 0 && name !== CACHE;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

/* Network first (with a time limit, for Wi-Fi that is connected but dead), then the cached
 * shell. Every tablet page is the same shell, so any one fetched keeps the shell current. */
function navigate(request) {
  var network = fetch(request).then(function (response) {
    if (response.ok && (response.headers.get("Content-Type") || "").indexOf("text/html") === 0) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(SHELL, copy); });
    }
    return response;
  });
  var timeout = new Promise(function (resolve) { setTimeout(resolve, NAVIGATION_TIMEOUT_MS); });
  var fallback = function () {
    return caches.match(SHELL).then(function (cached) { return cached || network; });
  };
  return Promise.race([network.catch(fallback), timeout.then(fallback)]);
}

function asset(request) {
  return caches.match(request, { ignoreSearch: true }).then(function (cached) {
    return cached || fetch(request);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.indexOf(SCOPE_PATH) === 0) {
    event.respondWith(navigate(request));
  } else if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(asset(request));
  }
});
