// The gate: checks ticket codes from a USB/Bluetooth scanner (it types the
// code and Enter into the focused field) or the camera. Signatures are
// verified here with the published Ed25519 keys (WebCrypto, or the
// vendored tweetnacl where the browser lacks Ed25519), so the gate answers
// with no signal; online, the server has the last word and keeps the
// first check-in. Offline check-ins wait in localStorage and are synced
// under their scan ids, so a sync sent twice records nothing twice.
(function () {
  "use strict";
  var root = document.getElementById("gate");
  if (!root || !document.getElementById("scan-form")) { return; }
  var M = JSON.parse(document.getElementById("gate-messages").textContent || "{}");
  // Ticket types per site: what the ticket is and the proof to ask for,
  // offline too.
  var TYPES = JSON.parse((document.getElementById("gate-types") || {}).textContent || "{}");
  var $ = function (id) { return document.getElementById(id); };
  var codeInput = $("code"), siteSel = $("site"), answer = $("answer");
  var csrf = root.getAttribute("data-csrf");
  var ONLINE_TIMEOUT = 1500; // ms: past this the gate answers from its own check
  var store = window.localStorage;
  var keys = {}; // kid → CryptoKey (WebCrypto) or Uint8Array (tweetnacl)
  var naclReady = null;

  function get(name, dflt) {
    try { var v = store.getItem("gate." + name); return v === null ? dflt : JSON.parse(v); } catch (e) { return dflt; }
  }
  function put(name, v) { try { store.setItem("gate." + name, JSON.stringify(v)); } catch (e) { /* full: keep going */ } }
  function fmt(key, arg) { return (M[key] || key).replace(/%[sd]/, arg); }
  function rand() {
    var b = new Uint8Array(8); crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  var device = get("device", null);
  if (!device) { device = "g" + rand(); put("device", device); }
  var savedSite = get("site", null);
  if (savedSite && siteSel.querySelector('option[value="' + savedSite + '"]')) { siteSel.value = savedSite; }
  siteSel.addEventListener("change", function () { put("site", siteSel.value); focusInput(); });

  // Days are counted in the region's time zone, as on the server (its UTC
  // offset when the page was loaded; China time if the page does not say).
  var utcOffsetMin = parseInt(root.getAttribute("data-utc-offset") || "480", 10);
  function chinaDay(ms) { return new Date(ms + utcOffsetMin * 60e3).toISOString().slice(0, 10); }
  function addDays(day, n) { var d = new Date(day + "T00:00:00Z"); d.setUTCDate(d.getUTCDate() + n); return d.toISOString().slice(0, 10); }
  function b64url(s) {
    var bin = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out;
  }

  // parse mirrors tickets.ParseToken: Y1.kid.ticket.site.yyyymmdd.slot.days.type.first.last.sig,
  // or Y2 with the amount to collect (fen) before the signature: an unpaid
  // booking's code, never "valid" until the money is taken.
  function parse(tok) {
    tok = (tok || "").trim();
    if (tok.length < 20 || tok.length > 400) { return null; }
    var cut = tok.lastIndexOf(".");
    var payload = tok.slice(0, cut), sig = tok.slice(cut + 1), f = payload.split(".");
    var unpaid = f[0] === "Y2";
    if (cut < 0 || f.length !== (unpaid ? 11 : 10) || (f[0] !== "Y1" && !unpaid) || !/^[A-Za-z0-9_-]{86}$/.test(sig) ||
        !/^[0-9]{8}$/.test(f[4]) || !/^[1-9][0-9]?$/.test(f[6]) || (unpaid && !/^[1-9][0-9]{0,8}$/.test(f[10]))) { return null; }
    return { kid: f[1], ticket: f[2], ref: f[2].split("-")[0], site: f[3], date: f[4].slice(0, 4) + "-" + f[4].slice(4, 6) + "-" + f[4].slice(6),
      slot: f[5] === "-" ? "" : f[5], days: +f[6], type: f[7], masked: (f[8] === "-" ? "" : f[8]) + "…" + f[9],
      due: unpaid ? +f[10] : 0, payload: new TextEncoder().encode(payload), sig: b64url(sig) };
  }
  function yuan(fen) { return fmt("yuan", fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2)); }

  function loadNacl() {
    if (!naclReady) {
      naclReady = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = root.getAttribute("data-nacl"); s.onload = function () { resolve(window.nacl); }; s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return naclReady;
  }

  function importKeys(list) {
    var next = {};
    return Promise.all(list.map(function (k) {
      var raw = b64url(k.key);
      var viaNacl = function () { return loadNacl().then(function () { next[k.kid] = raw; }); };
      if (!window.crypto || !crypto.subtle) { return viaNacl(); }
      return crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"])
        .then(function (ck) { next[k.kid] = ck; }, viaNacl);
    })).then(function () { keys = next; showKeys(); });
  }

  function refreshKeys() {
    return fetch(root.getAttribute("data-keys"), { cache: "no-cache", credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (j) { put("keys", j.keys || []); return importKeys(j.keys || []); });
  }

  function verify(p) {
    var k = keys[p.kid];
    if (!k) { return Promise.resolve(null); }
    if (k instanceof Uint8Array) { return Promise.resolve(window.nacl.sign.detached.verify(p.payload, p.sig, k)); }
    return crypto.subtle.verify({ name: "Ed25519" }, k, p.sig, p.payload);
  }

  // localCheck is the whole offline decision. collected is the money the
  // gate says it took for an unpaid code.
  function localCheck(tok, site, now, collected) {
    var p = parse(tok);
    if (!p) { return Promise.resolve({ ok: false, reason: "bad_code" }); }
    var t0 = performance.now();
    return verify(p).then(function (good) {
      window.gateLastVerifyMs = performance.now() - t0;
      var day = chinaDay(now);
      var v = { ok: false, ticket: p.ticket, date: p.date, last_day: addDays(p.date, p.days - 1), masked: p.masked, slot: p.slot };
      var t = (TYPES[site] || {})[p.type];
      v.type = t ? t.name : p.type;
      if (t && t.proof) { v.proof = t.proof; }
      if (good === null) { v.reason = Object.keys(keys).length ? "unknown_key" : "key_missing"; }
      else if (!good) { v.reason = "bad_code"; }
      else if (p.site !== site) { v.reason = "wrong_site"; }
      else if (day < p.date) { v.reason = "too_early"; }
      else if (day >= addDays(p.date, p.days)) { v.reason = "wrong_day"; }
      else if (get("used", {})[p.ticket]) { v.reason = "already_used"; v.first_at = new Date(get("used", {})[p.ticket]).toLocaleTimeString(); }
      else if (p.due && !(collected >= p.due) && !get("collected", {})[p.ref]) {
        v.reason = "collect"; v.due_fen = p.due; v.message = fmt("collect_offline", yuan(p.due));
        v.detail = fmt("booking", p.ref);
      }
      else { v.ok = true; v.ref = p.ref; v.due_fen = p.due; }
      return v;
    });
  }

  // markCollected remembers that a booking's money was taken here, so the
  // other codes of the group pass.
  function markCollected(ref) {
    var c = get("collected", {}), cutoff = Date.now() - 40 * 86400e3;
    Object.keys(c).forEach(function (k) { if (c[k] < cutoff) { delete c[k]; } });
    c[ref] = Date.now();
    put("collected", c);
  }

  function markUsed(ticket, at) {
    var used = get("used", {}), cutoff = Date.now() - 40 * 86400e3;
    Object.keys(used).forEach(function (k) { if (used[k] < cutoff) { delete used[k]; } });
    if (!used[ticket]) { used[ticket] = at; }
    put("used", used);
  }

  function post(url, body) {
    var ctl = new AbortController();
    var timer = setTimeout(function () { ctl.abort(); }, url === root.getAttribute("data-sync") ? 15000 : ONLINE_TIMEOUT);
    return fetch(url, { method: "POST", credentials: "same-origin", signal: ctl.signal,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body) }).finally(function () { clearTimeout(timer); });
  }

  // renewSession fetches a fresh CSRF token (it lives 2 hours; a gate may
  // have been offline longer).
  function renewSession() {
    return fetch(root.getAttribute("data-session"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("session " + r.status); } return r.json(); })
      .then(function (j) { csrf = j.csrf; });
  }

  function postRenewing(url, body) {
    return post(url, body).then(function (r) {
      if (r.status !== 403) { return r; }
      return renewSession().then(function () { return post(url, body); });
    });
  }

  function show(v, offline) {
    var ok = v.ok;
    answer.hidden = false;
    answer.style.background = ok ? "#1b7f3b" : "#b3261e";
    answer.style.color = "#fff";
    answer.style.borderRadius = ".5rem";
    answer.style.padding = "1rem 1.25rem";
    answer.style.margin = "1rem 0";
    answer.setAttribute("data-ok", ok ? "1" : "0");
    answer.setAttribute("data-reason", v.reason || "");
    var title = $("answer-title");
    title.style.fontSize = "2.4rem"; title.style.fontWeight = "700"; title.style.margin = "0"; title.style.lineHeight = "1.2";
    title.textContent = (ok ? "✓ " : "✗ ") + (ok ? M[offline ? "ok_offline" : "ok"] : (v.message || M[v.reason] || v.reason));
    var lines = [];
    if (v.name) { lines.push(fmt("name", v.name)); }
    if (v.masked) { lines.push(fmt("id", v.masked)); }
    if (v.type) { lines.push(fmt("type", v.type)); }
    if (v.proof) { lines.push(fmt("proof", v.proof)); }
    if (v.date) { lines.push(fmt("valid", v.date + (v.last_day && v.last_day !== v.date ? " – " + v.last_day : "") + (v.slot ? " " + v.slot.slice(0, 2) + ":" + v.slot.slice(2) : ""))); }
    if (v.first_at) { lines.push(fmt("first_at", v.first_at + (v.first_by ? " · " + v.first_by : ""))); }
    if (v.replayed) { lines.push(M.replayed); }
    if (v.detail) { lines.push(v.detail); }
    var detail = $("answer-detail");
    detail.style.fontSize = "1.2rem"; detail.style.margin = ".5rem 0 0";
    detail.textContent = lines.join(" · ");
    // An unpaid code: the money first, then one tap lets the visitor in.
    var collect = $("collect");
    if (collect) {
      pending = !ok && v.due_fen && v.token ? { token: v.token, due: v.due_fen } : null;
      // The console's button style sets display, which beats the hidden
      // attribute: hide it by style.
      collect.style.cssText = "background:#fff;color:#8a1c1c;border:0;font-weight:700;font-size:1.3rem;padding:.6rem 1.2rem;margin-top:.75rem";
      collect.style.display = pending ? "" : "none";
      if (pending) { collect.textContent = M.collected + " (" + yuan(pending.due) + ")"; }
    }
    var li = document.createElement("li");
    li.textContent = new Date().toLocaleTimeString() + " " + (v.ticket || "?") + " " + (ok ? "✓" : "✗ " + (v.message || M[v.reason] || v.reason)) + (offline ? " (" + M.offline + ")" : "");
    var recent = $("recent");
    recent.insertBefore(li, recent.firstChild);
    while (recent.children.length > 30) { recent.removeChild(recent.lastChild); }
  }

  function queue() { return get("queue", []); }
  function showNet() {
    var net = $("net"), q = queue().length;
    net.textContent = navigator.onLine ? M.online : M.offline;
    net.className = "badge " + (navigator.onLine ? "ok" : "warn");
    $("queue").textContent = fmt("queued", q);
    // .badge sets display, which beats the hidden attribute.
    $("queue").style.display = q === 0 ? "none" : "";
  }
  function showKeys() { var n = Object.keys(keys).length; $("keys").textContent = n ? fmt("keys", n) : M.key_missing; }

  var busy = false, pending = null;
  function scan(tok, collected) {
    var site = siteSel.value;
    if (!site) { show({ ok: false, message: M.no_site }); return Promise.resolve(); }
    var now = Date.now();
    var item = { token: tok, site: site, scan_id: device + "-" + now.toString(36) + "-" + rand().slice(0, 6), at: now, device: device,
      collected_fen: collected || 0 };
    return localCheck(tok, site, now, collected).then(function (local) {
      local.token = tok;
      // A forged, foreign or out-of-date code is refused at once, online
      // or not; an unpaid one is the server's to judge while online (it
      // may have been paid since the code was made).
      if (!local.ok && local.reason !== "already_used" && local.reason !== "unknown_key" && local.reason !== "collect") { show(local, !navigator.onLine); return; }
      var offline = function () {
        if (local.ok) {
          item.offline = true;
          var q = queue(); q.push(item); put("queue", q);
          markUsed(local.ticket, now);
          if (collected) { markCollected(local.ref); }
        }
        show(local, true);
        showNet();
      };
      if (!navigator.onLine) { offline(); return; }
      $("answer-title").textContent = M.checking;
      return postRenewing(root.getAttribute("data-check"), item).then(function (r) {
        if (r.status === 401) { offline(); show({ ok: local.ok, reason: local.reason, message: M.session }, true); return; }
        if (!r.ok) { throw new Error("check " + r.status); }
        return r.json().then(function (v) {
          if (v.ok || v.reason === "already_used") { markUsed(v.ticket, now); }
          if (v.ok && collected) { markCollected(v.ticket.split("-")[0]); }
          v.token = tok;
          show(v, false);
        });
      }).catch(offline);
    });
  }

  var syncing = false;
  function sync() {
    var q = queue();
    if (syncing || !q.length || !navigator.onLine) { showNet(); return Promise.resolve(); }
    syncing = true;
    var batch = q.slice(0, 200);
    return postRenewing(root.getAttribute("data-sync"), { device: device, items: batch }).then(function (r) {
      if (!r.ok) { throw new Error("sync " + r.status); }
      return r.json();
    }).then(function (j) {
      var done = {};
      (j.results || []).forEach(function (v) {
        done[v.scan_id] = true;
        if (!v.ok) {
          // Let through offline, refused by the server: recorded there for
          // the operator (the offline check-ins list); kept here too, so
          // a reload does not hide it from the gate.
          var flags = get("flags", []);
          flags.push({ at: Date.now(), text: fmt("flagged", (v.ticket || "?") + " — " + (v.message || v.reason)) });
          put("flags", flags.slice(-50));
          showFlag(flags[flags.length - 1]);
        }
      });
      put("queue", queue().filter(function (it) { return !done[it.scan_id]; }));
    }).catch(function () { /* try again at the next tick */ }).finally(function () { syncing = false; showNet(); });
  }

  function showFlag(f) {
    var li = document.createElement("li");
    li.className = "flagged";
    li.textContent = new Date(f.at).toLocaleTimeString() + " " + f.text;
    $("recent").insertBefore(li, $("recent").firstChild);
  }
  get("flags", []).filter(function (f) { return f.at > Date.now() - 86400e3; }).forEach(showFlag);
  if ($("collect")) {
    $("collect").style.display = "none";
    $("collect").addEventListener("click", function () {
      if (!pending || busy) { return; }
      var p = pending; pending = null; busy = true;
      scan(p.token, p.due).finally(function () { busy = false; focusInput(); });
    });
  }

  function focusInput() { if (document.activeElement !== siteSel) { codeInput.focus(); } }
  $("scan-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var tok = codeInput.value;
    codeInput.value = "";
    if (!tok.trim() || busy) { focusInput(); return; }
    busy = true;
    scan(tok).finally(function () { busy = false; focusInput(); });
  });
  // A scanner types into whatever has focus: keep it on the input.
  codeInput.addEventListener("blur", function () { setTimeout(focusInput, 300); });

  // Camera: BarcodeDetector where the browser has it (Android Chrome),
  // else the vendored jsQR on frames drawn to a canvas.
  var camera = null;
  $("camera").addEventListener("click", function () {
    var video = $("video");
    if (camera) { camera.getTracks().forEach(function (t) { t.stop(); }); camera = null; video.hidden = true; return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { show({ ok: false, message: M.camera_none }); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (stream) {
      camera = stream; video.srcObject = stream; video.hidden = false; return video.play();
    }).then(function () {
      var detect;
      if ("BarcodeDetector" in window) {
        var bd = new window.BarcodeDetector({ formats: ["qr_code"] });
        detect = function () { return bd.detect(video).then(function (c) { return c.length ? c[0].rawValue : null; }); };
      } else {
        var canvas = document.createElement("canvas"), ctx2d = canvas.getContext("2d", { willReadFrequently: true });
        detect = function () {
          return new Promise(function (resolve, reject) {
            var s = document.createElement("script"); s.src = root.getAttribute("data-jsqr");
            if (window.jsQR) { resolve(); return; }
            s.onload = resolve; s.onerror = reject; document.head.appendChild(s);
          }).then(function () {
            canvas.width = video.videoWidth; canvas.height = video.videoHeight;
            if (!canvas.width) { return null; }
            ctx2d.drawImage(video, 0, 0);
            var img = ctx2d.getImageData(0, 0, canvas.width, canvas.height);
            var code = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
            return code ? code.data : null;
          });
        };
      }
      var last = "", lastAt = 0;
      var tick = function () {
        if (!camera) { return; }
        detect().then(function (text) {
          if (text && !busy && (text !== last || Date.now() - lastAt > 3000)) {
            last = text; lastAt = Date.now(); busy = true;
            return scan(text).finally(function () { busy = false; });
          }
        }).catch(function () {}).finally(function () { setTimeout(tick, 150); });
      };
      tick();
    }).catch(function () { show({ ok: false, message: M.camera_error }); });
  });

  window.addEventListener("online", function () { showNet(); refreshKeys().catch(function () {}); sync(); });
  window.addEventListener("offline", showNet);
  setInterval(sync, 10000);
  importKeys(get("keys", [])).then(function () {
    if (navigator.onLine) { return refreshKeys(); }
  }).catch(function () { showKeys(); }).finally(function () { showNet(); sync(); root.setAttribute("data-ready", "1"); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.getAttribute("data-sw"), { scope: "/admin/gate" }).catch(function () {});
  }
  window.gateSync = sync; // for tests and for a "sync now" from the console
  focusInput();
})();
