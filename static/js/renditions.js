// Video renditions: which one a loop player plays (these rules), and switching between them
// without losing the frame (renditions-player.js). Used by the case viewer (viewer.js) and the
// quiz loop player (quiz-loop.js). Self-hosted, no libraries, no build step;
// window.CeusRenditions.
//
// Why MP4 renditions switched here, not HLS: each rendition of a loop ("high", "medium", "low",
// cineloops/playback.py) is one faststart MP4 with every frame at the same timestamps, so a
// switch is only "remember the frame, swap the src, seek to the centre of the same frame,
// resume if it was playing" — frame stepping, overlays and time-point answers stay exact, the
// offline copy stays one file (the lowest rendition, which the service worker serves for any
// of them), and no segmenter, playlist or player library is needed.
//
// The choice (RULES, in kbit/s of the files' mean rates):
// - Start: the highest rendition whose rate x START_FACTOR fits the throughput estimate: this
//   page's own downloads (Resource Timing: the page, the poster, styles and scripts, measured
//   over the time they were arriving), else navigator.connection.downlink, else the last
//   estimate this device kept (localStorage). No estimate at all: the one below the highest.
// - While playing: the estimate is how fast the buffer ahead grows x the playing rendition's
//   rate. Down one rung (or to what fits) at a stall (or WAIT_S without a picture after play
//   or a seek), or when less than LOW_BUFFER_S is buffered and the estimate is under
//   DOWN_FACTOR x the playing rate; up one rung when the estimate has stayed above UP_FACTOR x
//   the next rung's rate over UP_SAMPLE_S of downloading, the buffer ahead is healthy and
//   nothing switched or stalled lately (hysteresis). Never while paused: someone stepping
//   frames keeps the picture they are looking at.
// - A pinned quality (the control, remembered on this device) turns switching off. The data
//   saver of the profile (data-data-saver on <body>) keeps Auto at the lowest rendition.
// The playing rendition's name is on the <video> as data-rendition.
(function () {
  "use strict";

  const R = (window.CeusRenditions = window.CeusRenditions || {});

  const RULES = (R.RULES = Object.freeze({
    START_FACTOR: 1.3, // start on a rendition when the estimate is 1.3 x its rate
    UP_FACTOR: 1.6, // go up only with a wider margin than the start needs
    DOWN_FACTOR: 1.1, // the buffer runs low and the link barely carries this rate: go down
    LOW_BUFFER_S: 3, // "runs low": less than this many seconds buffered ahead
    HEALTHY_BUFFER_S: 8, // go up only with this much ahead (or the rest of the loop)
    UP_SAMPLE_S: 3, // seconds of measured downloading before going up
    UP_HOLD_S: 10, // after any switch, this long before going up
    STALL_HOLD_S: 20, // after a stall, this long before going up
    DOWN_HOLD_S: 4, // after a switch, the new rendition's buffer fills: no "runs low" meanwhile
    WAIT_S: 2.5, // asked to play and waiting this long for data (starting, after a seek): a stall
    SAMPLE_WINDOW_S: 8, // the playback estimate covers the last seconds of downloading
    MIN_PAGE_BYTES: 24000, // fewer bytes measured on the page tell little about the link
  }));

  const PIN_KEY = "ceus-video-quality"; // "auto" or a rendition name
  const ESTIMATE_KEY = "ceus-throughput"; // {kbps, at}
  const AUTO = "auto";

  // --- Pure rules (tests evaluate these in the page) -------------------------------------------

  // Index of the rendition Auto starts on. `ladder` is highest first.
  R.startIndex = function (ladder, estimate, dataSaver) {
    const last = ladder.length - 1;
    if (last <= 0) { return 0; }
    if (dataSaver) { return last; }
    if (estimate === null || estimate === undefined || !(estimate > 0)) { return 1; }
    for (let i = 0; i < last; i++) {
      if ((ladder[i].kbps || 0) * RULES.START_FACTOR <= estimate) { return i; }
    }
    return last;
  };

  // The highest index at or below `from` whose rate fits `estimate` with `factor`.
  function fitting(ladder, from, estimate, factor) {
    for (let i = from; i < ladder.length; i++) {
      if ((ladder[i].kbps || 0) * factor <= estimate) { return i; }
    }
    return ladder.length - 1;
  }

  // Where Auto goes from `s.current` now: an index, or null to stay. `s` holds ladder (highest
  // first), current, estimate (kbit/s or null), sampled (s of download measured), ahead (s
  // buffered past the playhead), remaining (s to the end), stalled (a stall just now),
  // sinceSwitch, sinceStall (s) and dataSaver.
  R.decide = function (s) {
    const last = s.ladder.length - 1;
    const cur = s.current;
    if (last <= 0) { return null; }
    const known = s.estimate !== null && s.estimate !== undefined && s.estimate > 0;
    if (cur < last && s.stalled) {
      return known ? Math.max(cur + 1, fitting(s.ladder, cur + 1, s.estimate, RULES.START_FACTOR)) : cur + 1;
    }
    const rest = Math.max(0, s.remaining);
    if (cur < last && s.ahead < RULES.LOW_BUFFER_S && s.ahead < rest - 0.5 && s.sinceSwitch >= RULES.DOWN_HOLD_S &&
        known && s.estimate < (s.ladder[cur].kbps || 0) * RULES.DOWN_FACTOR) {
      return Math.max(cur + 1, fitting(s.ladder, cur + 1, s.estimate, RULES.START_FACTOR));
    }
    const cap = s.dataSaver ? last : 0;
    if (cur > cap && known && s.sampled >= RULES.UP_SAMPLE_S &&
        s.estimate >= (s.ladder[cur - 1].kbps || 0) * RULES.UP_FACTOR &&
        (s.ahead >= RULES.HEALTHY_BUFFER_S || s.ahead >= rest - 0.5) &&
        s.sinceSwitch >= RULES.UP_HOLD_S && s.sinceStall >= RULES.STALL_HOLD_S) {
      return cur - 1;
    }
    return null;
  };

  // kbit/s over this page's own downloads so far: bytes over the time during which any of them
  // was arriving (parallel downloads share the link). `entries` are Resource Timing entries
  // (navigation and resources); null when too little was measured.
  R.pageEstimate = function (entries) {
    const spans = [];
    let bytes = 0;
    (entries || []).forEach((e) => {
      const size = e.transferSize || 0;
      if (size < 2000 || !(e.responseStart > 0) || !(e.responseEnd > e.responseStart)) { return; }
      bytes += size;
      spans.push([e.responseStart, e.responseEnd]);
    });
    if (bytes < RULES.MIN_PAGE_BYTES) { return null; }
    spans.sort((a, b) => a[0] - b[0]);
    let ms = 0;
    let end = -Infinity;
    spans.forEach(([from, to]) => {
      if (to <= end) { return; }
      ms += to - Math.max(from, end);
      end = to;
    });
    return ms > 0 ? (bytes * 8) / ms : null; // bits per ms = kbit/s
  };

  // The part of a decoded frame that is the source image, in decoded pixels: the full video is
  // padded to even sizes on the right and bottom, or enlarged by whole pixels (cine/video.py);
  // lower renditions hold the whole frame shrunk (never enlarged).
  R.contentSize = function (width, height, columns, rows) {
    const side = (size, source) => (size >= source ? Math.floor(size / source) * source : size);
    return { width: side(width, columns), height: side(height, rows) };
  };

  // A loop payload's renditions; a payload without the list (older pages kept offline) plays
  // its one video.
  R.ofLoop = function (loop) {
    if (loop.renditions && loop.renditions.length) { return loop.renditions; }
    return loop.video_url ? [{ name: "high", url: loop.video_url, width: loop.columns, height: loop.rows, kbps: 0 }] : [];
  };

  R.label = function (rendition, ladder, msg) {
    const twin = ladder.some((r) => r !== rendition && r.height === rendition.height);
    const values = { height: rendition.height, kbps: rendition.kbps };
    return fill(twin ? msg["quality-rate"] : msg.quality, values);
  };

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, (m, name) => (name in values ? String(values[name]) : m));
  }

  // --- The device's memory ---------------------------------------------------------------------
  function read(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }

  function write(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* storage off: not remembered */ }
  }

  R.AUTO = AUTO;
  R.fill = fill;
  R.pinned = () => read(PIN_KEY) || AUTO;
  R.pin = (name) => write(PIN_KEY, name);

  // The throughput measured while playing, for the next page's start (kbit/s).
  R.keepEstimate = (kbps) => write(ESTIMATE_KEY, JSON.stringify({ kbps: Math.round(kbps), at: Date.now() }));

  function storedEstimate() {
    try {
      const kept = JSON.parse(read(ESTIMATE_KEY));
      return kept && kept.kbps > 0 ? kept.kbps : null;
    } catch (e) { return null; }
  }

  // The estimate Auto starts with (kbit/s) and where it came from.
  R.startEstimate = function () {
    const perf = window.performance;
    if (perf && perf.getEntriesByType) {
      const page = R.pageEstimate(perf.getEntriesByType("navigation").concat(perf.getEntriesByType("resource")));
      if (page !== null) { return { kbps: page, from: "page" }; }
    }
    const connection = navigator.connection;
    if (connection && connection.downlink > 0) { return { kbps: connection.downlink * 1000, from: "downlink" }; }
    const kept = storedEstimate();
    return kept === null ? { kbps: null, from: "none" } : { kbps: kept, from: "stored" };
  };

  R.dataSaver = () => document.body.hasAttribute("data-data-saver");
})();
