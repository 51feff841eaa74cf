// yimayou service worker: pages visited once keep working without signal.
// Pages are network-first (content changes, and every scan should reach
// the server), falling back to the last saved copy; hashed static files
// and media are cache-first. VERSION is filled in by the server.
"use strict";
var VERSION = "__VERSION__";
var CACHE = "yimayou-" + VERSION;
var PAGES = /^\/(s|c|q)\/|^\/$/;
// A booking's private page and its ticket codes: kept when opened, so the
// tourist can show them at a gate with no signal.
var BOOKING = /^\/r\/[0-9A-Z]{10}\/[A-Za-z0-9_-]+(\/t\/[0-9]+\.png)?$/;

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("yimayou-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  var d = event.data || {};
  if (d.type !== "warm" || !Array.isArray(d.urls)) { return; }
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(d.urls.slice(0, 30).map(function (u) {
      var url = new URL(u, self.location.origin);
      if (url.origin !== self.location.origin) { return null; }
      return cache.match(url.href).then(function (hit) {
        if (hit) { return null; }
        // Marked as a prefetch: the server must not count it as a visit.
        return fetch(url.href, { credentials: "same-origin", headers: { "Purpose": "prefetch" } }).then(function (r) {
          if (r.ok && r.status === 200) { return cache.put(url.href, r); }
        }).catch(function () {});
      });
    }));
  }));
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") { return; }
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) { return; }
  if ((req.mode === "navigate" && PAGES.test(url.pathname)) || BOOKING.test(url.pathname)) {
    event.respondWith(networkFirst(req));
  } else if (url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/media/") === 0) {
    event.respondWith(cacheFirst(req));
  }
});

function networkFirst(req) {
  return caches.open(CACHE).then(function (cache) {
    return fetch(req).then(function (r) {
      if (r.ok) { cache.put(req.url, r.clone()); }
      return r;
    }).catch(function () {
      return cache.match(req.url).then(function (hit) {
        return hit || cache.match(req.url, { ignoreSearch: true });
      }).then(function (hit) {
        return hit || new Response("<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'><p>离线 · Offline · དྲ་མེད།</p>",
          { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
      });
    });
  });
}

// Audio asks for byte ranges; the cache holds the whole file, which a
// media element accepts as an answer to a range request.
function cacheFirst(req) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(req.url).then(function (hit) {
      if (hit) { return hit; }
      return fetch(req).then(function (r) {
        if (r.ok && r.status === 200) { cache.put(req.url, r.clone()); }
        return r;
      });
    });
  });
}
