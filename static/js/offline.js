// Offline study, on every page (templates/base.html): registers the service worker
// (/sw.js, offline-sw.js), keeps what the trainee saves for offline, checks it again with the
// server, and sends the practice answers given offline. Self-hosted, no libraries.
//
// What is kept, and where:
// - The server decides what an item is (GET /api/v1/offline/bundles/{kind}/{id}/: the list of
//   our addresses to keep); this script fetches each with the user's session and puts the
//   bytes in one Cache ("ceus-offline-v1"), under our own address (a media file redirected to
//   an object store is kept under the address of ours that was asked for). The scripts and
//   styles each kept page loads are kept with it.
// - IndexedDB "ceus-offline": items (key, title, the addresses it needs), sizes (bytes per
//   address), outbox (practice answers waiting to be sent, each with an id made here),
//   drafts (answers being given on an offline paper), meta (whose device copy this is, when
//   it was last checked, what a check removed and why).
// - An address stays in the cache while any saved item lists it: removing an item deletes
//   only what no other item needs.
//
// Checks ("sync"): when a page loads online (at most every few minutes, at once on the "Saved
// for offline" page, on an exam's page and when the connection comes back), the device sends
// the keys it holds (POST /api/v1/offline/sync/); what the user may no longer see, or no
// longer keep (unpublished, access withdrawn, an exam in progress uses the case), is deleted,
// and what changed is fetched.
//
// Whose copy: the page says who is signed in (data-user). A page of nobody (logged out, the
// session expired) or of someone else deletes every kept page and file at once. Answers
// waiting to be sent stay, marked with their owner, and are sent only in that owner's session.
(function () {
  "use strict";

  const script = document.currentScript;
  const O = (window.CeusOffline = window.CeusOffline || {});
  O.supported = !!(script && "serviceWorker" in navigator && "caches" in window && "indexedDB" in window);
  if (!O.supported) { return; }

  const cfg = script.dataset;
  const user = cfg.user || "";
  const shellPages = (cfg.shell || "").split(" ").filter(Boolean);
  const CACHE = cfg.cache;
  const SYNC_EVERY_MS = 5 * 60 * 1000;
  const SENT_KEPT_MS = 30 * 24 * 3600 * 1000;
  const NOTICES_KEPT = 20;
  const lang = document.documentElement.lang || undefined;
  O.user = user;
  O.cache = CACHE;

  // --- IndexedDB: one small promise per request ------------------------------------------------
  let opened = null;
  function db() {
    if (!opened) {
      opened = new Promise((resolve, reject) => {
        const request = indexedDB.open("ceus-offline", 1);
        request.onupgradeneeded = () => {
          const base = request.result;
          base.createObjectStore("items", { keyPath: "key" });
          base.createObjectStore("sizes", { keyPath: "url" });
          base.createObjectStore("outbox", { keyPath: "id" });
          base.createObjectStore("drafts", { keyPath: "paper" });
          base.createObjectStore("meta", { keyPath: "name" });
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return opened;
  }
  function done(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function store(name, mode) { return (await db()).transaction(name, mode).objectStore(name); }
  O.get = async (name, key) => done((await store(name, "readonly")).get(key));
  O.all = async (name) => done((await store(name, "readonly")).getAll());
  O.put = async (name, value) => done((await store(name, "readwrite")).put(value));
  O.del = async (name, key) => done((await store(name, "readwrite")).delete(key));
  O.clear = async (name) => done((await store(name, "readwrite")).clear());
  async function meta(name, fallback) {
    const row = await O.get("meta", name);
    return row ? row.value : fallback;
  }
  const setMeta = (name, value) => O.put("meta", { name: name, value: value });

  // One change at a time, across the tabs of this browser (two tabs saving and removing at
  // once would each decide which addresses are still needed).
  function exclusive(task) {
    if (navigator.locks && navigator.locks.request) { return navigator.locks.request("ceus-offline", task); }
    return task();
  }

  // --- Requests -----------------------------------------------------------------------------------
  function csrfToken() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  // Resolves (never rejects) to {ok, status, body}; status 0: the network failed.
  O.json = async function (url, body) {
    const init = { credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.method = "POST";
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRFToken"] = csrfToken();
      init.body = JSON.stringify(body);
    }
    let response;
    try { response = await fetch(url, init); } catch (e) { return { ok: false, status: 0, body: null }; }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return { ok: response.ok, status: response.status, body: data };
  };

  // --- Keeping addresses ----------------------------------------------------------------------------
  // The permission-checked media view's address: {before}{loop id}{between}{kind}/
  const isMedia = (url) => url.indexOf(cfg.mediaBefore) === 0 && url.indexOf(cfg.mediaBetween) > cfg.mediaBefore.length;

  // A redirect to another page of ours (the login page: the session ended) is no copy of the
  // address asked for; a redirect elsewhere (a media file in an object store) is.
  function landedElsewhere(url, response) {
    if (!response.redirected) { return false; }
    const landed = new URL(response.url);
    return landed.origin === location.origin && landed.pathname !== new URL(url, location.href).pathname;
  }

  // The scripts, styles and images of ours a kept page loads.
  function assetsOf(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const found = [];
    doc.querySelectorAll("script[src], link[rel~=stylesheet][href], link[rel~=icon][href], link[rel=apple-touch-icon][href], img[src]").forEach((node) => {
      const url = new URL(node.getAttribute(node.hasAttribute("src") ? "src" : "href"), location.href);
      if (url.origin === location.origin) { found.push(url.pathname + url.search); }
    });
    return found;
  }

  // Fetch one address and keep its bytes; resolves to {ok, status, bytes, assets}.
  async function fetchAndKeep(cache, url) {
    let response;
    try {
      // Pages say they are fetched to be kept (a lesson fetched is not a lesson visited); media
      // go without, so that a redirect to an object store needs no CORS preflight.
      const headers = isMedia(url) ? {} : { "X-Offline-Save": "1" };
      response = await fetch(url, { credentials: "same-origin", headers: headers });
    } catch (e) {
      return { ok: false, status: 0 };
    }
    if (!response.ok || landedElsewhere(url, response)) { return { ok: false, status: response.ok ? 401 : response.status }; }
    const blob = await response.blob();
    const type = response.headers.get("Content-Type") || "application/octet-stream";
    const headers = new Headers({ "Content-Type": type, "Content-Length": String(blob.size), "X-Offline-Kept": new Date().toISOString() });
    // A fresh response: not marked "redirected", so it may answer a navigation.
    await cache.put(url, new Response(blob, { status: 200, statusText: "OK", headers: headers }));
    await O.put("sizes", { url: url, bytes: blob.size });
    const assets = type.indexOf("text/html") === 0 ? assetsOf(await blob.text()) : [];
    return { ok: true, status: 200, bytes: blob.size, assets: assets };
  }

  // Keep every address of a bundle (and the assets of its pages). Media already kept are not
  // fetched again (a second save after a dropped connection resumes); pages always are, unless
  // ``onlyMissing``. Throws {status, detail} when a page could not be kept.
  async function keep(bundle, options) {
    const opts = options || {};
    const cache = await caches.open(CACHE);
    const queue = bundle.urls.slice();
    const needed = new Set(queue);
    const shell = new Set(await meta("shell", []));
    let fetched = 0;
    const progress = () => { if (opts.progress) { opts.progress(fetched, needed.size); } };
    progress();
    while (queue.length) {
      const url = queue.shift();
      const kept = (opts.onlyMissing || isMedia(url) || url.indexOf(cfg.staticUrl) === 0) && await cache.match(url, { ignoreVary: true });
      if (kept) {
        // A kept page refreshed since (online visits do) may load other scripts now (a new
        // release): those are fetched too, and the old ones go at the next clean-up.
        const type = kept.headers.get("Content-Type") || "";
        (type.indexOf("text/html") === 0 ? assetsOf(await kept.text()) : []).forEach((asset) => {
          if (!needed.has(asset)) { needed.add(asset); queue.push(asset); }
        });
      } else {
        const result = await fetchAndKeep(cache, url);
        if (!result.ok) {
          // A missing poster or a curve not computed yet leaves the rest usable; a page that
          // cannot be kept, a dropped connection or an ended session fails the save (what was
          // fetched stays, for a retry).
          const optional = isMedia(url) || url.indexOf("/api/") === 0;
          if (!optional || result.status === 0 || result.status === 401 || result.status === 403) {
            throw { status: result.status, url: url };
          }
          needed.delete(url);
        }
        const isShell = shellPages.indexOf(url) !== -1;
        if (isShell && result.ok) { shell.add(url); }
        (result.assets || []).forEach((asset) => {
          if (isShell) { shell.add(asset); }
          if (!needed.has(asset)) { needed.add(asset); queue.push(asset); }
        });
      }
      fetched += 1;
      progress();
    }
    const previous = await O.get("items", bundle.key);
    await O.put("items", {
      key: bundle.key,
      kind: bundle.kind,
      title: bundle.title,
      context: bundle.context,
      url: bundle.url,
      urls: Array.from(needed),
      saved_at: previous ? previous.saved_at : new Date().toISOString(),
    });
    await setMeta("shell", Array.from(shell));
    await setMeta("owner", user);
  }

  // Delete from the cache every address no saved item needs any more. The pages that find the
  // way offline ("Saved for offline", "not saved on this device") stay while anything was saved
  // by this user: offline, a removed item then says so instead of the browser's error.
  async function collect() {
    const items = await O.all("items");
    const needed = new Set(await meta("shell", []));
    items.forEach((item) => item.urls.forEach((url) => needed.add(url)));
    const cache = await caches.open(CACHE);
    for (const request of await cache.keys()) {
      const url = new URL(request.url);
      const key = url.pathname + url.search;
      if (!needed.has(key)) {
        await cache.delete(request, { ignoreVary: true });
        await O.del("sizes", key);
      }
    }
  }

  O.save = function (key, bundleUrl, progress) {
    return exclusive(async () => {
      const result = await O.json(bundleUrl);
      if (!result.ok) { throw { status: result.status, detail: result.body && result.body.detail }; }
      await navigator.serviceWorker.ready; // the pages open offline only once it answers
      if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(() => {}); }
      await keep(result.body, { progress: progress });
      return O.item(key);
    });
  };

  O.remove = function (key) {
    return exclusive(async () => {
      await O.del("items", key);
      await collect();
    });
  };

  // An item with its size (the bytes of every address it needs), or null.
  O.item = async function (key) {
    const item = await O.get("items", key);
    if (!item) { return null; }
    const sizes = new Map((await O.all("sizes")).map((row) => [row.url, row.bytes]));
    item.bytes = item.urls.reduce((sum, url) => sum + (sizes.get(url) || 0), 0);
    return item;
  };

  O.items = async function () {
    const items = await O.all("items");
    const sizes = new Map((await O.all("sizes")).map((row) => [row.url, row.bytes]));
    const unique = new Set();
    items.forEach((item) => {
      item.bytes = item.urls.reduce((sum, url) => sum + (sizes.get(url) || 0), 0);
      item.urls.forEach((url) => unique.add(url));
    });
    let total = 0;
    unique.forEach((url) => { total += sizes.get(url) || 0; });
    items.sort((a, b) => (a.saved_at < b.saved_at ? 1 : -1));
    return { items: items, bytes: total };
  };

  O.isKept = async function (url) {
    return !!(await (await caches.open(CACHE)).match(url, { ignoreVary: true }));
  };

  // --- Checking again with the server ------------------------------------------------------------
  O.sync = function (force) {
    return exclusive(async () => {
      if (!user || navigator.onLine === false) { return false; }
      const last = await meta("synced", 0);
      if (!force && Date.now() - last < SYNC_EVERY_MS) { return false; }
      const items = await O.all("items");
      if (items.length) {
        const result = await O.json(cfg.sync, { keys: items.map((item) => item.key) });
        if (!result.ok) { return false; }
        const notices = await meta("notices", []);
        for (const entry of result.body.items) {
          const item = items.find((one) => one.key === entry.key);
          if (!item) { continue; }
          if (!entry.bundle) {
            await O.del("items", entry.key);
            notices.unshift({ title: item.title, reason: entry.gone, at: new Date().toISOString() });
            continue;
          }
          try {
            await keep(entry.bundle, { onlyMissing: true });
          } catch (e) {
            // Offline again, or a page that answered an error: kept as it was until next time.
          }
        }
        await setMeta("notices", notices.slice(0, NOTICES_KEPT));
      }
      await collect();
      await setMeta("synced", Date.now());
      return true;
    });
  };

  // --- Sending the answers given offline ----------------------------------------------------------
  O.queue = async function (entry) {
    await O.put("outbox", Object.assign({ owner: user, status: "waiting", detail: "", created_at: new Date().toISOString() }, entry));
    await O.flush();
  };

  // One pass at a time; a pass asked for during another runs after it (and sees what was
  // queued meanwhile).
  let flushing = Promise.resolve();
  O.flush = function () {
    flushing = flushing.then(sendWaiting).catch(() => {});
    return flushing;
  };

  async function sendWaiting() {
    if (!user || navigator.onLine === false) { return; }
    const entries = (await O.all("outbox")).filter((entry) => entry.owner === user);
    for (const entry of entries) {
      if (entry.status === "sent" && Date.now() - Date.parse(entry.sent_at) > SENT_KEPT_MS) {
        await O.del("outbox", entry.id);
        continue;
      }
      if (entry.status !== "waiting") { continue; }
      const result = await O.json(cfg.submit, { id: entry.id, paper: entry.paper, answers: entry.answers });
      if (result.status === 0 || result.status >= 500 || result.status === 429) { return; } // later
      const detail = (result.body && result.body.detail) || "";
      if (result.ok) {
        Object.assign(entry, { status: "sent", result: result.body, sent_at: new Date().toISOString(), detail: "" });
      } else if (result.status === 409) {
        entry.detail = detail; // an attempt open online: sent once it is submitted
      } else {
        Object.assign(entry, { status: "refused", detail: detail || String(result.status) });
      }
      await O.put("outbox", entry);
      document.dispatchEvent(new CustomEvent("ceus-offline:sent", { detail: entry }));
      if (result.ok && entry.take_url && await O.isKept(entry.take_url)) {
        // The paper is answered: keep a fresh one for the next time offline.
        fetchAndKeep(await caches.open(CACHE), entry.take_url).catch(() => {});
      }
    }
  }

  // --- Whose copy this is ---------------------------------------------------------------------------
  async function forgetIfNotOwner() {
    const owner = await meta("owner", "");
    if (!owner || owner === user) { return; }
    await exclusive(async () => {
      const names = (await caches.keys()).filter((name) => name.indexOf("ceus-offline") === 0);
      await Promise.all(names.map((name) => caches.delete(name)));
      await Promise.all(["items", "sizes", "meta"].map((name) => O.clear(name)));
    });
    document.dispatchEvent(new CustomEvent("ceus-offline:forgotten"));
  }
  O.ready = forgetIfNotOwner().catch(() => {});

  // --- Sizes, in the page's language ----------------------------------------------------------------
  O.size = function (bytes) {
    const format = (value) => new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(value);
    if (bytes < 1e6) { return format(Math.max(bytes, 1) / 1e3) + " KB"; }
    if (bytes < 1e9) { return format(bytes / 1e6) + " MB"; }
    return format(bytes / 1e9) + " GB";
  };

  O.percent = (value) => new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 }).format((value || 0) / 100);

  O.fill = (template, values) => String(template || "").replace(/\{(\w+)\}/g, (match, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match);

  O.strings = function (root) {
    const out = {};
    if (root) { root.querySelectorAll("[data-msg]").forEach((node) => { out[node.dataset.msg] = node.textContent.trim(); }); }
    return out;
  };

  // --- "Save for offline" buttons ([data-offline-save]) ---------------------------------------------
  function wireButton(box) {
    const msg = O.strings(box.querySelector("[data-offline-strings]"));
    const button = box.querySelector("[data-offline-toggle]");
    const state = box.querySelector("[data-offline-state]");
    const key = box.dataset.offlineSave;
    let busy = false;
    async function show() {
      const item = await O.item(key);
      button.textContent = item ? msg.remove : msg.save;
      button.dataset.saved = item ? "1" : "";
      state.textContent = item ? O.fill(msg.saved, { size: O.size(item.bytes) }) : "";
      state.classList.remove("is-error");
    }
    button.addEventListener("click", async () => {
      if (busy) { return; }
      busy = true;
      button.disabled = true;
      try {
        if (button.dataset.saved) {
          await O.remove(key);
        } else {
          await O.save(key, box.dataset.bundle, (count, total) => {
            state.textContent = O.fill(msg.saving, { done: count, total: total });
          });
        }
        await show();
      } catch (e) {
        let detail = (e && e.detail) || (e && e.status === 0 ? msg.network : String((e && e.status) || ""));
        if (e && e.name === "QuotaExceededError") { detail = msg.full; }
        state.textContent = O.fill(msg.failed, { detail: detail });
        state.classList.add("is-error");
      } finally {
        busy = false;
        button.disabled = false;
      }
    });
    box.hidden = false;
    O.ready.then(show);
  }

  // "Take this quiz offline" ([data-offline-take]): shown while offline, once the paper is kept.
  function wireTakeLinks() {
    const links = document.querySelectorAll("[data-offline-take]");
    if (!links.length) { return; }
    const update = () => links.forEach(async (link) => {
      link.hidden = navigator.onLine !== false || !(await O.isKept(link.getAttribute("href")));
    });
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    update();
  }

  // --- Start --------------------------------------------------------------------------------------
  document.querySelectorAll("[data-offline-save]").forEach(wireButton);
  wireTakeLinks();
  if (!user) { return; }
  const forceSync = document.querySelector("[data-offline-sync-now]") !== null;
  const start = () => {
    navigator.serviceWorker.register(cfg.worker, { scope: "/" }).catch(() => {});
    O.ready.then(() => O.sync(forceSync)).catch(() => {}).then(() => O.flush());
  };
  if (document.readyState === "complete") { start(); } else { window.addEventListener("load", start); }
  window.addEventListener("online", () => { O.flush(); O.sync(true).catch(() => {}); });
})();
