// Video renditions, the player: one <video>, the loop's renditions and the quality control.
// Plays the rendition renditions.js chooses (its header says why MP4 renditions and gives the
// rules), watches playback for Auto, and switches at the same frame: the last picture held on
// a canvas, the new file's src set, a seek to the centre of the same frame, playing again if
// it was, at the same speed. Also places the video's image exactly under the loop's overlay.
// Self-hosted, no libraries; loaded after renditions.js.
(function () {
  "use strict";

  const R = window.CeusRenditions;
  const RULES = R.RULES;

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
      if (name === R.AUTO || !this.ladder.length) { return -1; }
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
      R.pin(name);
      this.switchTo(name === R.AUTO ? this.autoIndex() : this.pinned(), "pinned");
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
        R.keepEstimate(estimate);
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
      this.select.appendChild(new Option(this.msg.auto, R.AUTO));
      ladder.forEach((r) => this.select.appendChild(new Option(R.label(r, ladder, this.msg), r.name)));
      if (this.note) { this.note.hidden = !this.player.dataSaver; }
      this.update();
    }

    update() {
      const player = this.player;
      const pin = player.pinned();
      const auto = this.select.options[0];
      const playing = player.rendition();
      this.select.value = pin >= 0 ? player.ladder[pin].name : R.AUTO;
      auto.textContent = playing && pin < 0
        ? R.fill(this.msg["auto-now"], { quality: R.label(playing, player.ladder, this.msg) }) : this.msg.auto;
    }
  }
})();
