// yimayou tourist pages: everything here is an extra. The pages work
// without it; with it, a visited page keeps working offline, and views and
// audio plays made offline are counted once the signal returns.
(function () {
  "use strict";
  var QUEUE = "yimayou:queue";
  var ref = document.getElementById("site-ref");

  function newID() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function save(q) {
    try { localStorage.setItem(QUEUE, JSON.stringify(q.slice(-500))); } catch (e) { /* full or private mode */ }
  }
  // The server answers every counted page fetch with a token (cookie
  // ymy_late: "day.site.visitor.mac") that late events must carry. The
  // cookie holds the last page's token, so each site's is kept apart, for
  // views of that page made offline later.
  var TOKEN = "yimayou:late:";
  function keepToken() {
    var m = document.cookie.match(/(?:^|;\s*)ymy_late=([^;]+)/);
    if (!m || !ref) { return; }
    var tok = decodeURIComponent(m[1]);
    if (tok.split(".")[1] !== ref.dataset.site) { return; }
    try { localStorage.setItem(TOKEN + ref.dataset.site, tok); } catch (e) { /* full or private mode */ }
  }
  function tokenFor(site) {
    try { return localStorage.getItem(TOKEN + site) || ""; } catch (e) { return ""; }
  }
  function enqueue(type) {
    if (!ref) { return; }
    var q = load();
    q.push({ id: newID(), type: type, site: ref.dataset.site, lang: ref.dataset.lang, t: Date.now(), tk: tokenFor(ref.dataset.site) });
    save(q);
    flush();
  }
  var flushing = false;
  function flush() {
    var q = load();
    if (flushing || !q.length || !navigator.onLine) { return; }
    flushing = true;
    var batch = q.slice(0, 100);
    var wait = 2000;
    fetch("/api/v1/events", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(batch), keepalive: true, credentials: "omit"
    }).then(function (r) {
      // Sent means stored or refused for good (too old, unknown site,
      // no valid token): either way it must not be sent again. A network
      // error, a server error or "too many requests" (many phones behind
      // one carrier address) keeps the queue; the last waits a minute.
      if (r.status === 429) {
        wait = 60000;
      } else if (r.ok || (r.status >= 400 && r.status < 500)) {
        var sent = {};
        batch.forEach(function (e) { sent[e.id] = true; });
        save(load().filter(function (e) { return !sent[e.id]; }));
      }
    }).catch(function () {}).then(function () {
      flushing = false;
      if (load().length && navigator.onLine) { setTimeout(flush, wait); }
    });
  }

  if (ref) {
    var savedKey = "yimayou:saved:" + location.pathname + location.search;
    if (navigator.onLine) {
      keepToken();
      try { localStorage.setItem(savedKey, new Date().toISOString()); } catch (e) { /* ignore */ }
    } else {
      // The page came from the service worker's cache: say so, and count
      // the view (the server never saw it).
      var note = document.getElementById("offline-note");
      var saved = null;
      try { saved = localStorage.getItem(savedKey); } catch (e) { /* ignore */ }
      if (note) {
        var t = note.querySelector("time");
        if (saved && t) {
          t.dateTime = saved;
          t.textContent = new Date(saved).toLocaleString(document.documentElement.lang);
        }
        note.hidden = false;
      }
      enqueue("page_view");
    }
    var audio = document.querySelector("audio[data-track-site]");
    if (audio) {
      var played = false;
      audio.addEventListener("play", function () {
        if (!played) { played = true; enqueue("audio_play"); }
      });
    }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.ready.then(warm);
    }
  } else if (document.querySelector("[data-keep-offline]") && "serviceWorker" in navigator) {
    // A booking's page: keep it and its ticket codes for the gate.
    navigator.serviceWorker.ready.then(warm);
  }

  // warm asks the service worker to keep what this page needs offline:
  // the county's list, the photos and the audio guide.
  function warm(reg) {
    if (!reg.active) { return; }
    var urls = [location.href];
    document.querySelectorAll("[data-offline]").forEach(function (a) { urls.push(a.getAttribute("href") || a.getAttribute("src")); });
    document.querySelectorAll(".photos img").forEach(function (img) { urls.push(img.currentSrc || img.src); });
    var audio = document.querySelector("audio[data-track-site]");
    if (audio) { urls.push(audio.getAttribute("src")); }
    reg.active.postMessage({ type: "warm", urls: urls.filter(Boolean) });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }
  window.addEventListener("online", flush);
  flush();
})();
