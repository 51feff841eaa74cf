// The gate's service worker: the gate page, its script, the vendored
// verifier and decoder and the public keys are kept, so the gate opens
// and checks tickets with no signal. The page and the keys are
// network-first (a new key or a new release wins when online); hashed
// static files are cache-first. Served from /admin/gate/sw.js with the
// release's VERSION and asset list filled in.
"use strict";
var VERSION = "__VERSION__";
var CACHE = "yimayou-gate-" + VERSION;
var ASSETS = __ASSETS__;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(ASSETS.map(function (u) {
      return fetch(u, { credentials: "same-origin" }).then(function (r) {
        if (r.ok && !r.redirected) { return cache.put(u, r); }
      }).catch(function () {});
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("yimayou-gate-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") { return; }
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname === "/admin/gate" || url.pathname === "/api/tickets/keys") {
    var key = url.pathname;
    event.respondWith(fetch(req).then(function (r) {
      if (r.ok && !r.redirected) {
        var copy = r.clone();
        caches.open(CACHE).then(function (c) { return c.put(key, copy); });
      }
      return r;
    }).catch(function () {
      return caches.match(key).then(function (hit) { return hit || Response.error(); });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(req).then(function (hit) { return hit || fetch(req); }));
  }
});
