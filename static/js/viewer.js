// Case viewer: the player. HTML5 video of the processed loop with frame-accurate stepping at the
// loop's real frame rate, speed, an A/B segment, keyboard shortcuts, time relative to the
// contrast injection (t0), "Test yourself" mode, and the wiring of the overlay, timeline,
// curves, watch-time heartbeats and (for instructors) the editor. Loaded last of the viewer
// scripts; the data comes from {{ case_json|json_script:"case-data" }}. Which rendition of the
// loop's video plays, and switching between them at the same frame: renditions.js and
// renditions-player.js.
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const SPEEDS = [0.25, 0.5, 0.75, 1, 1.5, 2];

  function isTyping(target) {
    if (!target || !target.closest) { return false; }
    return !!target.closest("input, textarea, select, [contenteditable=''], [contenteditable=true]");
  }

  class Player {
    constructor(root, data) {
      this.root = root;
      this.data = data;
      this.msg = CV.readStrings(root.querySelector("[data-strings]") || root);
      this.events = new CV.Emitter();
      this.video = root.querySelector("[data-video]");
      this.stage = root.querySelector("[data-stage]");
      this.stageMsg = root.querySelector("[data-stage-msg]");
      this.ab = { a: null, b: null };
      this.loops = (data.loops || []).slice().sort((x, y) => (x.order || 0) - (y.order || 0));
      // Shared, mutable state: the editor changes it and tells everyone through `changed()`.
      this.state = {
        loop: this.loops[0],
        annotations: (data.annotations || []).slice(),
        markers: (data.phase_markers || []).slice(),
        selected: null,
      };
      this.generation = 0;
      this.hideAnswers = false;

      this.video.removeAttribute("controls"); // our controls replace the browser's
      this.quality = new window.CeusRenditions.Player(this.video, {
        stage: this.stage,
        control: root.querySelector("[data-quality]"),
        onSwitch: (rendition, phase) => { if (phase === "after") { this.emitTime(this.video.currentTime); } },
      });
      this.overlay = new CV.Overlay(root.querySelector("[data-overlay]"), this.state, this.msg);
      this.timeline = new CV.Timeline(root.querySelector("[data-timeline]"), this, this.msg);
      this.bindVideo();
      this.bindControls();
      this.bindKeys();
      this.bindTestMode();
      const tic = root.querySelector("[data-tic]");
      this.tic = tic && CV.Tic ? new CV.Tic(tic, this) : null;
      const watch = root.getAttribute("data-watch-url");
      this.watch = watch && CV.Watch ? new CV.Watch(this, watch) : null;
      const editor = root.querySelector("[data-editor]");
      this.editor = editor && CV.Editor ? new CV.Editor(editor, this) : null;
      this.applyTestMode(); // first: hidden answers are not even fetched
      this.showLoop(this.state.loop);
    }

    get loop() { return this.state.loop; }

    // --- Time ---------------------------------------------------------------------------------
    // While the rendition changes, the frame it is changing at (the new file starts at 0).
    time() { return this.quality.switching ? this.quality.heldTime : this.video.currentTime || 0; }

    duration() {
      const d = this.video.duration;
      return isFinite(d) && d > 0 ? d : (this.loop.duration_s || 0);
    }

    fps() { return this.loop.fps || 0; }

    frameAt(t) {
      const fps = this.fps();
      if (!fps) { return 0; }
      return CV.clamp(Math.floor(t * fps + 1e-6), 0, Math.max(0, (this.loop.frames || 1) - 1));
    }

    // The injection time on this loop's timeline (loop seconds), or null when unknown. The case's
    // t0 is given on the first loop's timeline; a loop may carry its own.
    origin() {
      const loop = this.loop;
      if (loop.injection_time_s !== undefined && loop.injection_time_s !== null) { return loop.injection_time_s; }
      if (loop === this.loops[0] && this.data.injection_time_s !== null && this.data.injection_time_s !== undefined) {
        return this.data.injection_time_s;
      }
      return null;
    }

    timeLabel(t) {
      const origin = this.origin();
      if (origin === null) { return CV.fill(this.msg.seconds, { value: CV.fixed(t, 1) }); }
      return CV.fill(this.msg.seconds, { value: CV.signed(t - origin, 1) });
    }

    frameLabel(t) {
      return CV.fill(this.msg.frame, { n: this.frameAt(t) + 1, total: this.loop.frames || 1 });
    }

    // Phase bands on this loop's own timeline (loop seconds): each loop carries its bands; the
    // case-level list is the first loop's.
    bands() {
      const loop = this.loop;
      let bands = loop.phase_bands;
      if (!bands && loop === this.loops[0]) { bands = this.data.phase_bands; }
      return (bands || []).map((band) => ({
        phase: band.phase,
        start: band.start_s,
        end: band.end_s === null || band.end_s === undefined ? null : band.end_s,
      }));
    }

    rangeLabel(start, end) {
      const origin = this.origin() || 0;
      const from = CV.signed(start - origin, 0);
      if (end === null) { return CV.fill(this.msg["range-open"], { start: from }); }
      return CV.fill(this.msg.range, { start: from, end: CV.signed(end - origin, 0) });
    }

    // True when an instructor changed this annotation since the last save (its stored curve,
    // if any, is for the old shape).
    isUnsaved(annotation) {
      return this.editor ? this.editor.isUnsaved(annotation) : false;
    }

    markers() {
      return this.state.markers.filter((m) => m.loop === this.loop.id);
    }

    // --- Playback -----------------------------------------------------------------------------
    // preload="none" keeps slow networks free until the user asks for the video: the first
    // play, seek or frame step starts loading it (a seek alone would not).
    ensureLoading() {
      const video = this.video;
      if (video.preload !== "auto" && video.getAttribute("src")) {
        this.quality.beforeLoading();
        video.preload = "auto";
        if (video.readyState === 0 && video.networkState !== video.NETWORK_LOADING) { video.load(); }
      }
    }

    play() {
      this.ensureLoading();
      const promise = this.video.play();
      if (promise && promise.catch) {
        promise.catch((error) => {
          if (error && error.name !== "AbortError") { this.say(this.msg["video-failed"], true); }
        });
      }
    }

    pause() { if (!this.video.paused) { this.video.pause(); } }

    togglePlay() { if (this.video.paused) { this.play(); } else { this.pause(); } }

    seek(t, options) {
      const opts = options || {};
      if (opts.pause) { this.pause(); }
      let target = CV.clamp(t, 0, this.duration());
      const fps = this.fps();
      if (opts.snap && fps) { target = (this.frameAt(target) + 0.5) / fps; }
      this.ensureLoading();
      this.video.currentTime = target;
      this.emitTime(target);
    }

    // One frame back or forward: land on the centre of the frame, (n + 0.5) / fps, so that the
    // decoder shows exactly that frame whatever rounding the container's timestamps have.
    step(delta) {
      const fps = this.fps();
      if (!fps) { return; }
      this.pause();
      const target = CV.clamp(this.frameAt(this.time()) + delta, 0, Math.max(0, (this.loop.frames || 1) - 1));
      this.seek((target + 0.5) / fps);
    }

    emitTime(t) {
      if (this.quality.switching) { t = this.quality.heldTime; }
      this.currentTime = t;
      this.updateReadout(t);
      this.overlay.update(t);
      this.timeline.update(t);
      this.updateNow();
      this.events.emit("time", t);
    }

    tick(t) {
      const ab = this.ab;
      if (ab.b !== null && t >= ab.b && !this.video.paused) {
        this.video.currentTime = ab.a === null ? 0 : ab.a;
        t = this.video.currentTime;
      }
      this.emitTime(t);
    }

    startTicking() {
      const video = this.video;
      const generation = ++this.generation;
      if (video.requestVideoFrameCallback) {
        const onFrame = (now, meta) => {
          if (generation !== this.generation || video.paused) { return; }
          this.tick(meta.mediaTime !== undefined ? meta.mediaTime : video.currentTime);
          video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
      } else {
        const onAnimation = () => {
          if (generation !== this.generation || video.paused) { return; }
          this.tick(video.currentTime);
          window.requestAnimationFrame(onAnimation);
        };
        window.requestAnimationFrame(onAnimation);
      }
    }

    bindVideo() {
      const video = this.video;
      video.addEventListener("play", () => { this.root.classList.add("is-playing"); this.updatePlayButton(); this.startTicking(); });
      video.addEventListener("playing", () => this.say(""));
      video.addEventListener("pause", () => {
        this.generation++;
        this.root.classList.remove("is-playing");
        this.updatePlayButton();
        this.emitTime(video.currentTime);
      });
      video.addEventListener("seeked", () => { this.say(""); this.emitTime(video.currentTime); });
      video.addEventListener("waiting", () => this.say(this.msg.loading));
      video.addEventListener("canplay", () => this.say(""));
      video.addEventListener("ended", () => {
        if (this.ab.a !== null || this.ab.b !== null) {
          video.currentTime = this.ab.a === null ? 0 : this.ab.a;
          this.play();
        }
      });
      video.addEventListener("error", () => this.say(this.msg["video-failed"], true));
      video.addEventListener("loadedmetadata", () => {
        // The overlay stays in the loop's pixels whatever the rendition's size:
        // renditions-player.js puts the video's image exactly under it.
        this.timeline.build();
        this.events.emit("duration", this.duration());
      });
    }

    say(text, isError) {
      if (!this.stageMsg) { return; }
      this.stageMsg.textContent = text || "";
      this.stageMsg.hidden = !text;
      this.stageMsg.classList.toggle("is-error", !!isError);
    }

    // --- Loops ----------------------------------------------------------------------------------
    showLoop(loop) {
      this.pause();
      this.events.emit("before-loop", this.state.loop);
      this.state.loop = loop;
      this.state.selected = null;
      this.ab = { a: null, b: null };
      this.updateAbLabel();
      const video = this.video;
      if (loop.poster_url) { video.setAttribute("poster", loop.poster_url); } else { video.removeAttribute("poster"); }
      // preload="none": a new src shows the poster and fetches nothing until play or seek (a
      // call of load() would fetch: Chromium ignores "none" then).
      video.preload = "none";
      this.quality.setLoop(Object.assign({}, loop, { renditions: window.CeusRenditions.ofLoop(loop) }));
      if (!loop.video_url && video.getAttribute("src")) {
        video.removeAttribute("src");
        video.load();
      }
      if (!loop.video_url) { this.say(this.msg["no-video"]); } else { this.say(""); }
      if (loop.columns && loop.rows) {
        this.stage.style.aspectRatio = loop.columns + " / " + loop.rows;
        this.overlay.setSize(loop.columns, loop.rows);
      }
      const speed = this.root.querySelector("[data-speed]");
      if (speed) { video.playbackRate = parseFloat(speed.value) || 1; }
      const stepping = !!this.fps();
      this.root.querySelectorAll("[data-action=prev-frame], [data-action=next-frame]").forEach((b) => { b.disabled = !stepping; });
      this.timeline.build();
      this.emitTime(0);
      this.events.emit("loop", loop);
    }

    // Annotations or markers changed (the editor): redraw everything that shows them.
    changed() {
      this.overlay.render();
      this.timeline.buildMarkers();
      this.updateNow(true);
      this.events.emit("annotations", this.state);
    }

    // --- Controls -------------------------------------------------------------------------------
    bindControls() {
      const root = this.root;
      const on = (action, handler) => {
        root.querySelectorAll("[data-action=" + action + "]").forEach((b) => b.addEventListener("click", handler));
      };
      on("play", () => this.togglePlay());
      on("prev-frame", () => this.step(-1));
      on("next-frame", () => this.step(1));
      on("set-a", () => this.setAb("a"));
      on("set-b", () => this.setAb("b"));
      on("clear-ab", () => this.clearAb());
      this.stage.addEventListener("click", (event) => {
        if (!this.root.classList.contains("is-editing") && event.target.closest("[data-stage]") && !event.target.closest("button")) {
          this.togglePlay();
        }
      });
      const speed = root.querySelector("[data-speed]");
      if (speed) {
        speed.addEventListener("change", () => {
          const rate = parseFloat(speed.value);
          if (SPEEDS.indexOf(rate) >= 0) { this.video.playbackRate = rate; }
        });
      }
      const select = root.querySelector("[data-loop-select]");
      if (select) {
        select.addEventListener("change", () => {
          const loop = this.loops.find((l) => String(l.id) === select.value);
          if (loop) { this.showLoop(loop); }
        });
      }
    }

    updatePlayButton() {
      const playing = !this.video.paused;
      this.root.querySelectorAll("[data-action=play]").forEach((button) => {
        button.setAttribute("aria-label", playing ? this.msg.pause : this.msg.play);
        button.setAttribute("title", (playing ? this.msg.pause : this.msg.play) + " (" + this.msg["key-space"] + ")");
        button.classList.toggle("is-playing", playing);
      });
    }

    setAb(which) {
      const fps = this.fps();
      let t = this.time();
      if (fps) { t = (this.frameAt(t) + 0.5) / fps; }
      this.ab[which] = t;
      if (this.ab.a !== null && this.ab.b !== null && this.ab.b <= this.ab.a) {
        const a = this.ab.a;
        this.ab.a = this.ab.b;
        this.ab.b = a;
      }
      this.updateAbLabel();
      this.timeline.updateAb();
    }

    clearAb() {
      this.ab = { a: null, b: null };
      this.updateAbLabel();
      this.timeline.updateAb();
    }

    updateAbLabel() {
      const label = this.root.querySelector("[data-ab-label]");
      const clear = this.root.querySelector("[data-action=clear-ab]");
      const ab = this.ab;
      const set = ab.a !== null || ab.b !== null;
      if (clear) { clear.disabled = !set; }
      if (!label) { return; }
      label.textContent = set ? CV.fill(this.msg["ab-segment"], {
        a: ab.a === null ? "…" : this.timeLabel(ab.a),
        b: ab.b === null ? "…" : this.timeLabel(ab.b),
      }) : "";
    }

    updateReadout(t) {
      const time = this.root.querySelector("[data-time]");
      const frame = this.root.querySelector("[data-frame]");
      if (time) { time.textContent = this.timeLabel(t); }
      if (frame) {
        frame.textContent = this.frameLabel(t);
        frame.setAttribute("data-frame-index", String(this.frameAt(t)));
      }
    }

    // A text list of what the overlay shows now (screen readers, and phones where labels are small).
    updateNow(force) {
      const box = this.root.querySelector("[data-now]");
      if (!box) { return; }
      const items = this.hideAnswers ? [] : this.overlay.visibleNow();
      const key = items.map((a) => CV.annotationText(a, this.msg, this.loop.regions)).join("\u0000");
      if (!force && key === this.nowKey) { return; }
      this.nowKey = key;
      CV.clear(box);
      box.hidden = !items.length;
      if (!items.length) { return; }
      box.appendChild(CV.el("span", { class: "cv-now-title" }, this.msg["on-screen"]));
      const list = CV.el("ul");
      items.forEach((a) => {
        list.appendChild(CV.el("li", { class: "cv-now-" + a.kind + (a.roi_role ? " cv-role-" + a.roi_role : "") },
          CV.annotationText(a, this.msg, this.loop.regions) || this.msg["kind-" + a.kind]));
      });
      box.appendChild(list);
    }

    // --- Keyboard -------------------------------------------------------------------------------
    bindKeys() {
      document.addEventListener("keydown", (event) => {
        if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) { return; }
        const onButton = event.target.closest && event.target.closest("button, a, summary");
        let handled = true;
        switch (event.key) {
          case " ":
          case "Spacebar":
            if (onButton) { return; } // Space presses the focused button, as everywhere else
            this.togglePlay();
            break;
          case "ArrowLeft":
            if (event.shiftKey) { this.seek(this.time() - 1, { snap: true, pause: true }); } else { this.step(-1); }
            break;
          case "ArrowRight":
            if (event.shiftKey) { this.seek(this.time() + 1, { snap: true, pause: true }); } else { this.step(1); }
            break;
          case ",":
          case "<":
            this.step(-1);
            break;
          case ".":
          case ">":
            this.step(1);
            break;
          case "[":
            this.setAb("a");
            break;
          case "]":
            this.setAb("b");
            break;
          default:
            handled = false;
        }
        if (handled) { event.preventDefault(); }
      });
    }

    // --- Test yourself --------------------------------------------------------------------------
    bindTestMode() {
      this.testing = this.root.getAttribute("data-test-mode") === "1";
      this.revealed = false;
      const toggle = this.root.querySelector("[data-test-toggle]");
      const reveal = this.root.querySelector("[data-reveal]");
      if (toggle) {
        toggle.addEventListener("click", (event) => {
          event.preventDefault(); // without JavaScript it is a link to ?mode=test
          this.testing = !this.testing;
          this.revealed = false;
          this.applyTestMode(true);
        });
      }
      if (reveal) {
        reveal.addEventListener("click", (event) => {
          event.preventDefault();
          this.revealed = true;
          this.applyTestMode(true);
          const first = this.root.querySelector("[data-answer]");
          if (first) { first.setAttribute("tabindex", "-1"); first.focus({ preventScroll: false }); }
        });
      }
    }

    applyTestMode(updateUrl) {
      const hide = this.testing && !this.revealed;
      this.hideAnswers = hide;
      this.root.classList.toggle("is-testing", this.testing);
      this.root.classList.toggle("answers-hidden", hide);
      this.root.querySelectorAll("[data-answer]").forEach((node) => { node.hidden = hide; });
      const toggle = this.root.querySelector("[data-test-toggle]");
      if (toggle) { toggle.setAttribute("aria-pressed", this.testing ? "true" : "false"); }
      const reveal = this.root.querySelector("[data-reveal]");
      if (reveal) { reveal.hidden = !hide; }
      const note = this.root.querySelector("[data-test-note]");
      if (note) { note.hidden = !hide; }
      this.overlay.setHidden(hide);
      this.timeline.setMarkersHidden(hide);
      if (this.tic) { this.tic.setHidden(hide); }
      if (this.editor) { this.editor.setHidden(hide); }
      this.updateNow(true);
      if (updateUrl && window.history && window.history.replaceState) {
        const url = new URL(window.location.href);
        if (this.testing) { url.searchParams.set("mode", "test"); } else { url.searchParams.delete("mode"); }
        window.history.replaceState(null, "", url.pathname + url.search + url.hash);
      }
    }
  }

  CV.Player = Player;

  function start() {
    const root = document.querySelector("[data-case-viewer]");
    const script = document.getElementById("case-data");
    if (!root || !script) { return; }
    let data;
    try { data = JSON.parse(script.textContent); } catch (e) { return; }
    if (!data.loops || !data.loops.length) { return; }
    root.classList.add("has-js");
    CV.player = new Player(root, data);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
