"""Offline study: the platform as an installable web app whose saved lessons, cases and practice
quizzes open, play and can be answered without a connection.

The parts, each deciding one thing:

- ``bundles`` — what "Save for offline" keeps of a case, a practice quiz or a course module for
  one user (a list of our own addresses), and, at each sync, whether the user may keep it still.
  Only published, de-identified content the user may open now; never an exam.
- ``rules`` — which practice quizzes may be taken offline (no exam, no time limit, no limit on
  attempts: the server keeps those).
- ``papers`` — the paper a trainee answers offline and the answers that come back, scored once
  per id the device gave them by the services every attempt goes through.
- ``api`` / ``views`` — thin: the endpoints, the pages, ``/sw.js`` and the manifest.
- In the browser: ``static/js/offline.js`` (every page: keeps, checks, sends),
  ``offline-sw.js`` (the service worker), ``offline-saved.js``, ``offline-quiz.js``.

Why Workbox, vendored (``static/vendor/workbox-7.4.1``), rather than a hand-written worker: the
parts of a service worker that are easy to get subtly wrong are done by a maintained, widely
used library — routing by request, network-first with a fallback to the cache, and above all
answering a video player's byte-range requests from a cached file (``workbox-range-requests``),
without which a saved loop would not seek offline. We load only the four modules we use (15 KB),
from our own static files, with ``importScripts`` (``workbox-sw``'s loader fetches from a CDN,
which hospital networks block). What to keep is not left to the worker's runtime caching: the
server lists it, the page fetches it with the user's session, and the worker only refreshes what
is already kept — so nothing the server did not list (an exam, another user's page) is ever
kept, and the device holds exactly what the "Saved for offline" page shows.
"""
