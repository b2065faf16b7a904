// The service worker of offline study, served as /sw.js (offline/views.py), which puts its
// settings in self.CEUS_OFFLINE before this file. Workbox (static/vendor/workbox-*, ours)
// routes the requests; this worker never decides what to keep: the pages keep what the server
// lists (offline.js), and the worker only answers from that copy when the network cannot.
//
// - Media of a loop (the permission-checked media view): from the kept copy when there is one,
//   with byte ranges cut from it (video players seek with Range requests), else the network.
//   A loop's video asked in another rendition than the one kept plays the kept one.
// - Every other GET of ours (pages, their API reads, scripts and styles): the network first;
//   the kept copy when the network fails. A kept copy is refreshed by a good answer; nothing
//   new is ever added here, so an exam's pages and API — never listed — are never kept.
// - A page not kept, asked while offline (or a form sent while offline): the "not saved on this
//   device" page, kept with every item.
/* global workbox */
"use strict";

importScripts(...self.CEUS_OFFLINE.workbox);

const SETTINGS = self.CEUS_OFFLINE;
const CACHE = SETTINGS.cache;
const MATCH = { ignoreVary: true };
const { registerRoute, setCatchHandler } = workbox.routing;
const { NetworkFirst, NetworkOnly } = workbox.strategies;
const { createPartialResponse } = workbox.rangeRequests;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    // Caches of an older layout of this worker go (the pages keep again what they need).
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.indexOf("ceus-offline") === 0 && name !== CACHE).map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

const sameOrigin = (url) => url.origin === self.location.origin;

// /cineloops/{id}/media/{kind}/ -> {loop, kind}, or null.
function mediaOf(url) {
  const media = SETTINGS.media;
  const path = url.pathname;
  if (path.indexOf(media.before) !== 0 || !path.endsWith(media.after)) { return null; }
  const middle = path.slice(media.before.length, path.length - media.after.length).split(media.between);
  if (middle.length !== 2 || !/^\d+$/.test(middle[0]) || !/^[\w-]+$/.test(middle[1])) { return null; }
  return { loop: middle[0], kind: middle[1] };
}

// The kept video of a loop, whichever rendition was kept.
async function keptVideo(cache, loop) {
  const prefix = SETTINGS.media.before + loop + SETTINGS.media.between + "video";
  for (const request of await cache.keys()) {
    if (new URL(request.url).pathname.indexOf(prefix) === 0) { return cache.match(request, MATCH); }
  }
  return undefined;
}

registerRoute(
  ({ url }) => sameOrigin(url) && mediaOf(url) !== null,
  async ({ request, url }) => {
    const cache = await caches.open(CACHE);
    let kept = await cache.match(request, MATCH);
    const media = mediaOf(url);
    if (!kept && media.kind.indexOf("video") === 0) { kept = await keptVideo(cache, media.loop); }
    if (!kept) { return fetch(request); }
    return request.headers.has("range") ? createPartialResponse(request, kept) : kept;
  },
);

// Refresh what is kept; add nothing.
const onlyKept = {
  cacheWillUpdate: async ({ request, response }) => {
    if (!response || response.status !== 200 || response.redirected) { return null; }
    const kept = await (await caches.open(CACHE)).match(request, MATCH);
    return kept ? response : null;
  },
};

registerRoute(
  ({ url, request }) => sameOrigin(url) && url.pathname !== "/sw.js" && request.method === "GET",
  new NetworkFirst({ cacheName: CACHE, plugins: [onlyKept], matchOptions: MATCH }),
);

// A form sent while offline: the page saying what needs a connection, not the browser's error.
// Not a file upload: its body is better left to the browser than passed through a worker.
registerRoute(
  ({ request, url }) => sameOrigin(url) && request.mode === "navigate" &&
    (request.headers.get("Content-Type") || "").indexOf("multipart/") !== 0,
  new NetworkOnly(),
  "POST",
);

setCatchHandler(async ({ request }) => {
  if (request.destination === "document" || request.mode === "navigate") {
    const fallback = await caches.match(SETTINGS.fallback, MATCH);
    if (fallback) { return fallback; }
  }
  return Response.error();
});
