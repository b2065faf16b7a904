// Video renditions: which one a loop player plays, and switching between them without losing
// the frame. Used by the case viewer (viewer.js) and the quiz loop player (quiz-loop.js).
// Self-hosted, no libraries, no build step; window.CeusRenditions.
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
//   or a seek), or when less than LOW_BUFFER_S is buffered
//   and the estimate is under DOWN_FACTOR x the playing rate; up one rung when the estimate has
//   stayed above UP_FACTOR x the next rung's rate over UP_SAMPLE_S of downloading, the buffer
//   ahead is healthy and nothing switched or stalled lately (hysteresis). Never while paused:
//   someone stepping frames keeps the picture they are looking at.
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

  R.pinned = () => read(PIN_KEY) || AUTO;

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

  // --- One <video>, its renditions, the quality control ----------------------------------------
  // options: stage (the box the image is letterboxed in, for placing the video), control (a
  // [data-quality] element, see templates/core/_quality.html), onSwitch(rendition, phase) with
  // phase "before" / "after" (the player holds its time display meanwhile).
  R.Player = class {
    constructor(video, options) {
      const opts = options || {};
      this.video = video;
      this.stage = opts.stage || null;
      this.onSwitch = opts.onSwitch || (() => {});
      this.control = opts.control ? new Control(opts.control, this) : null;
      this.dataSaver = R.dataSaver();
      this.ladder = [];
      this.current = -1;
      this.switching = null; // {token, time} while a switch is under way
      this.heldTime = 0;
      this.samples = []; // [{dt, kbits}] of the playback estimate
      this.reference = null; // {at, end} of the buffer when last sampled
      this.lastSwitch = -Infinity;
      this.lastStall = -Infinity;
      this.waitingSince = null; // asked to play, no picture since (ms)
      this.timer = null;
      this.token = 0;
      this.bind();
      if (this.stage) {
        if (window.ResizeObserver) {
          new ResizeObserver(() => this.place()).observe(this.stage);
        } else {
          window.addEventListener("resize", () => this.place());
        }
      }
    }

    // A loop to play: {renditions, columns, rows, fps, frames}; sets the src (nothing loads
    // before the page asks) and the control.
    setLoop(loop) {
      this.token++;
      this.switching = null;
      this.loop = loop;
      this.ladder = (loop.renditions || []).slice();
      this.samples = [];
      this.reference = null;
      this.lastSwitch = -Infinity;
      this.lastStall = -Infinity;
      this.waitingSince = null;
      this.unfreeze();
      this.estimate = R.startEstimate();
      this.current = this.ladder.length ? this.wanted() : -1;
      this.setSource();
      if (this.control) { this.control.build(); }
      this.place();
    }

    pinned() {
      const name = R.pinned();
      if (name === AUTO || !this.ladder.length) { return -1; }
      const rank = (n) => ["high", "medium", "low"].indexOf(n);
      const exact = this.ladder.findIndex((r) => r.name === name);
      if (exact >= 0) { return exact; }
      // Pinned to a rung this loop lacks: the nearest below it, else the lowest.
      const below = this.ladder.findIndex((r) => rank(r.name) > rank(name));
      return below >= 0 ? below : this.ladder.length - 1;
    }

    isAuto() { return this.pinned() < 0; }

    wanted() {
      const pin = this.pinned();
      return pin >= 0 ? pin : R.startIndex(this.ladder, this.estimate.kbps, this.dataSaver);
    }

    rendition() { return this.ladder[this.current] || null; }

    setSource() {
      const rendition = this.rendition();
      if (!rendition) {
        this.video.removeAttribute("data-rendition");
        return;
      }
      if (this.video.getAttribute("src") !== rendition.url) { this.video.setAttribute("src", rendition.url); }
      this.video.setAttribute("data-rendition", rendition.name);
    }

    // Before the first bytes of a video that waited (preload="none"): choose again with what
    // the page has measured since (the poster has arrived by now).
    beforeLoading() {
      if (!this.ladder.length || this.video.readyState > 0 || this.video.networkState === this.video.NETWORK_LOADING) { return; }
      this.estimate = R.startEstimate();
      const index = this.wanted();
      if (index !== this.current) {
        this.current = index;
        this.setSource();
        if (this.control) { this.control.update(); }
        this.place();
      }
    }

    // The quality control chose: "auto" or a rendition name.
    choose(name) {
      write(PIN_KEY, name);
      this.switchTo(name === AUTO ? this.autoIndex() : this.pinned(), "pinned");
    }

    autoIndex() {
      const started = this.video.readyState > 0;
      if (!started) { return R.startIndex(this.ladder, this.estimate.kbps, this.dataSaver); }
      // Back to Auto while playing: start from what the link carries now.
      const estimate = this.playbackEstimate();
      return R.startIndex(this.ladder, estimate === null ? this.estimate.kbps : estimate, this.dataSaver);
    }

    // Swap to ladder[index] at the same frame; playing goes on playing, at the same speed.
    switchTo(index, reason) {
      const video = this.video;
      const next = this.ladder[index];
      if (!next || index === this.current) { if (this.control) { this.control.update(); } return; }
      this.current = index;
      this.lastSwitch = performance.now();
      if (video.readyState === 0 && !this.switching) {
        // No frame shown yet: only the address changes (setting it loads again, if the page
        // was loading); a position the page already asked for, and play, are kept.
        const t = video.currentTime;
        const playing = !video.paused;
        this.token++;
        this.switching = null;
        this.setSource();
        if (t) { video.currentTime = t; }
        if (playing) {
          const promise = video.play();
          if (promise && promise.catch) { promise.catch(() => {}); }
        }
        if (this.control) { this.control.update(); }
        this.place();
        return;
      }
      const token = ++this.token;
      const fps = this.loop.fps || 0;
      const playing = this.switching ? this.switching.playing : !video.paused && !video.ended;
      let time = this.switching ? this.switching.time : video.currentTime;
      if (fps) {
        const frame = Math.min(Math.max(0, Math.floor(time * fps + 1e-6)), Math.max(0, (this.loop.frames || 1) - 1));
        time = (frame + 0.5) / fps;
      }
      const rate = video.playbackRate;
      this.switching = { token: token, time: time, playing: playing, reason: reason };
      this.waitingSince = null;
      this.heldTime = time;
      this.freeze();
      this.onSwitch(next, "before");
      this.reference = null;
      video.preload = "auto";
      this.setSource(); // a new src loads the new file
      if (this.control) { this.control.update(); }
      this.place();
      const done = () => {
        if (token !== this.token) { return; }
        this.switching = null;
        this.unfreeze();
        if (playing) {
          const promise = video.play();
          if (promise && promise.catch) { promise.catch(() => {}); }
        }
        this.onSwitch(next, "after");
      };
      const seek = () => {
        if (token !== this.token) { return; }
        video.playbackRate = rate;
        video.currentTime = time;
        video.addEventListener("seeked", () => this.whenShown(done), { once: true });
      };
      if (video.readyState >= 1) { seek(); } else { video.addEventListener("loadedmetadata", seek, { once: true }); }
    }

    // Call `then` once the frame after a seek has been painted.
    whenShown(then) {
      window.requestAnimationFrame(() => window.requestAnimationFrame(then));
    }

    // The last picture stays on screen while the new file loads (a canvas over the video).
    freeze() {
      const video = this.video;
      if (this.hold || !this.stage || video.readyState < 2 || !video.videoWidth) { return; }
      const canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.className = "video-hold";
      canvas.setAttribute("aria-hidden", "true");
      try {
        canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      } catch (e) { return; }
      ["left", "top", "width", "height"].forEach((side) => { canvas.style[side] = video.style[side]; });
      video.insertAdjacentElement("afterend", canvas);
      this.hold = canvas;
    }

    unfreeze() {
      if (this.hold) { this.hold.remove(); }
      this.hold = null;
    }

    // Put the video where the loop's image is: letterboxed in the stage like the overlay
    // (viewBox 0 0 columns rows, xMidYMid meet), the decoded frame's padding outside it. So a
    // source pixel is at the same place on screen in every rendition.
    place() {
      const video = this.video;
      const loop = this.loop;
      if (!this.stage || !loop || !loop.columns || !loop.rows) { return; }
      const box = this.stage.getBoundingClientRect();
      if (!box.width || !box.height) { return; }
      const rendition = this.rendition();
      const width = video.videoWidth || (rendition && rendition.width) || loop.columns;
      const height = video.videoHeight || (rendition && rendition.height) || loop.rows;
      const content = R.contentSize(width, height, loop.columns, loop.rows);
      const scale = Math.min(box.width / loop.columns, box.height / loop.rows);
      const shown = { width: loop.columns * scale, height: loop.rows * scale };
      const style = {
        left: (box.width - shown.width) / 2 + "px",
        top: (box.height - shown.height) / 2 + "px",
        width: (shown.width * width) / content.width + "px",
        height: (shown.height * height) / content.height + "px",
      };
      video.classList.add("is-placed");
      Object.keys(style).forEach((side) => {
        video.style[side] = style[side];
        if (this.hold) { this.hold.style[side] = style[side]; }
      });
    }

    // --- Watching playback (Auto) ------------------------------------------------------------
    bind() {
      const video = this.video;
      video.addEventListener("loadedmetadata", () => this.place());
      video.addEventListener("error", () => {
        if (this.switching) { this.token++; this.switching = null; this.unfreeze(); }
      });
      video.addEventListener("loadstart", () => { this.started = false; });
      video.addEventListener("play", () => {
        if (video.readyState < video.HAVE_FUTURE_DATA && this.waitingSince === null) { this.waitingSince = performance.now(); }
        this.startWatching();
      });
      video.addEventListener("playing", () => {
        // A new file, or playing again after a seek: its buffer starts empty, no stall yet.
        if (!this.started) { this.lastSwitch = Math.max(this.lastSwitch, performance.now()); }
        this.started = true;
        this.waitingSince = null;
      });
      video.addEventListener("pause", () => { this.waitingSince = null; this.stopWatching(); });
      video.addEventListener("ended", () => { this.waitingSince = null; this.stopWatching(); });
      video.addEventListener("seeking", () => { this.reference = null; this.started = false; });
      video.addEventListener("suspend", () => { this.reference = null; });
      video.addEventListener("progress", () => this.sample());
      video.addEventListener("waiting", () => {
        if (this.switching || video.seeking || video.paused || !this.ladder.length) { return; }
        if (this.waitingSince === null) { this.waitingSince = performance.now(); }
        // Starting, or after a seek, an empty buffer is no stall yet: consider() times it.
        if (this.started) { this.consider(true); }
      });
    }

    startWatching() {
      if (this.timer) { return; }
      this.timer = window.setInterval(() => this.consider(false), 1000);
    }

    stopWatching() {
      if (this.timer) { window.clearInterval(this.timer); }
      this.timer = null;
    }

    // Seconds buffered past the playhead (in the range holding it).
    ahead() {
      const video = this.video;
      const t = video.currentTime;
      const ranges = video.buffered;
      for (let i = 0; i < ranges.length; i++) {
        if (ranges.start(i) <= t + 0.05 && ranges.end(i) >= t) { return ranges.end(i) - t; }
      }
      return 0;
    }

    // One reading of how fast the buffer grows (on "progress"): media seconds x the file's rate.
    sample() {
      const video = this.video;
      const rendition = this.rendition();
      if (this.switching || !rendition || !rendition.kbps) { return; }
      const now = performance.now();
      const end = video.currentTime + this.ahead();
      const ref = this.reference;
      this.reference = { at: now, end: end };
      if (!ref || end < ref.end) { return; }
      const dt = (now - ref.at) / 1000;
      if (dt <= 0) { return; }
      this.samples.push({ dt: dt, kbits: (end - ref.end) * rendition.kbps });
      let total = 0;
      for (let i = this.samples.length - 1; i >= 0; i--) {
        total += this.samples[i].dt;
        if (total > RULES.SAMPLE_WINDOW_S) { this.samples.splice(0, i); break; }
      }
      const estimate = this.playbackEstimate();
      if (estimate !== null && !(now - this.lastKept < 5000)) {
        this.lastKept = now;
        write(ESTIMATE_KEY, JSON.stringify({ kbps: Math.round(estimate), at: Date.now() }));
      }
    }

    sampled() { return this.samples.reduce((sum, s) => sum + s.dt, 0); }

    playbackEstimate() {
      const seconds = this.sampled();
      if (seconds < 1) { return null; }
      return this.samples.reduce((sum, s) => sum + s.kbits, 0) / seconds;
    }

    consider(stall) {
      const video = this.video;
      if (this.switching || video.paused || this.ladder.length < 2) { return; }
      const now = performance.now();
      let stalled = stall;
      if (!stalled && this.waitingSince !== null && now - this.waitingSince >= RULES.WAIT_S * 1000) {
        stalled = true;
        this.waitingSince = now; // the next rung gets as long
      }
      if (stalled) { this.lastStall = now; }
      if (!this.isAuto()) { return; }
      const measured = this.playbackEstimate();
      const duration = isFinite(video.duration) ? video.duration : (this.loop.duration_s || 0);
      const index = R.decide({
        ladder: this.ladder,
        current: this.current,
        estimate: measured === null ? this.estimate.kbps : measured,
        sampled: this.sampled(),
        ahead: this.ahead(),
        remaining: duration - video.currentTime,
        stalled: stalled,
        sinceSwitch: (now - this.lastSwitch) / 1000,
        sinceStall: (now - this.lastStall) / 1000,
        dataSaver: this.dataSaver,
      });
      if (index !== null) { this.switchTo(index, stalled ? "stall" : "auto"); }
    }
  };

  // --- The control: Auto and each rendition ----------------------------------------------------
  class Control {
    constructor(root, player) {
      this.root = root;
      this.player = player;
      this.select = root.querySelector("select");
      this.note = root.querySelector("[data-data-saver-note]");
      this.msg = {};
      root.querySelectorAll("[data-msg]").forEach((node) => { this.msg[node.getAttribute("data-msg")] = node.textContent.trim(); });
      this.select.addEventListener("change", () => player.choose(this.select.value));
    }

    build() {
      const ladder = this.player.ladder;
      while (this.select.firstChild) { this.select.removeChild(this.select.firstChild); }
      this.root.hidden = ladder.length < 2;
      this.select.appendChild(new Option(this.msg.auto, AUTO));
      ladder.forEach((r) => this.select.appendChild(new Option(R.label(r, ladder, this.msg), r.name)));
      if (this.note) { this.note.hidden = !this.player.dataSaver; }
      this.update();
    }

    update() {
      const player = this.player;
      const pin = player.pinned();
      const auto = this.select.options[0];
      const playing = player.rendition();
      this.select.value = pin >= 0 ? player.ladder[pin].name : AUTO;
      auto.textContent = playing && pin < 0
        ? fill(this.msg["auto-now"], { quality: R.label(playing, player.ladder, this.msg) }) : this.msg.auto;
    }
  }
})();
