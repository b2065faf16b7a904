// Quizzes, questions answered on a case's loop: hotspot (a point), drawn (an outline) and time
// point (a moment of the loop). Self-hosted, no libraries. The SVG overlay works in the loop's
// ORIGINAL pixels (viewBox 0 0 columns rows), letterboxed in the stage
// (preserveAspectRatio="xMidYMid meet") with the video's image under it, as the case viewer
// does (viewer-overlay.js), so a point saved at (x, y) is on the same anatomy at any size.
// Uses the CeusViewer helpers of viewer-core.js; strings come from [data-msg] elements. Which
// rendition of the loop's video plays, and switching at the same frame: renditions.js and
// renditions-player.js (which places the video under the overlay: a point is on the same
// pixel in every rendition).
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const Q = (window.CeusQuiz = window.CeusQuiz || {});
  Q.widgets = Q.widgets || {};

  const MARKER_PX = 7; // marker radius on screen, CSS pixels
  const CLOSE_PX = 12; // a click this close to the first vertex closes the outline

  // Image pixels per CSS pixel, so that markers keep their on-screen size.
  function unitsPerPixel(svg) {
    const box = svg.viewBox.baseVal;
    const rect = svg.getBoundingClientRect();
    if (!box || !box.width || !rect.width || !rect.height) { return 1; }
    return 1 / Math.min(rect.width / box.width, rect.height / box.height);
  }

  const round1 = (value) => Math.round(value * 10) / 10;

  // The centre of the frame that shows time t: decoders show exactly that frame whatever
  // rounding the container's timestamps have (the viewer's step() does the same).
  function frameCentre(t, fps, frames) {
    if (!fps) { return t; }
    const last = Math.max(0, (frames || 1) - 1);
    return (CV.clamp(Math.floor(t * fps + 1e-6), 0, last) + 0.5) / fps;
  }

  // The player of a loop's video (renditions-player.js) in a [data-loop-widget] or
  // [data-frame-figure] box: its renditions are in data-renditions (the loop payload's list, as
  // JSON), its one video in data-video-url for a payload without the list.
  Q.renditions = function (box, video) {
    const d = box.dataset;
    let list = [];
    try { list = JSON.parse(d.renditions || "[]"); } catch (e) { list = []; }
    if (!Array.isArray(list)) { list = []; }
    const player = new window.CeusRenditions.Player(video, {
      stage: box.querySelector("[data-stage]"),
      control: box.querySelector("[data-quality]"),
    });
    const loop = {
      renditions: list, video_url: d.videoUrl || null, columns: parseInt(d.columns, 10) || 0,
      rows: parseInt(d.rows, 10) || 0, fps: parseFloat(d.fps) || 0, frames: parseInt(d.frames, 10) || 0,
    };
    player.setLoop(Object.assign(loop, { renditions: window.CeusRenditions.ofLoop(loop) }));
    return player;
  };

  // Show the frame at `t` of a paused video, once its metadata is there.
  Q.showFrame = function (video, t, options) {
    const opts = options || {};
    const go = () => {
      if (t === null || t === undefined || isNaN(t)) { return; }
      const end = isFinite(video.duration) ? Math.max(0, video.duration - 1e-3) : t;
      video.currentTime = CV.clamp(frameCentre(t, opts.fps, opts.frames), 0, end);
    };
    if (video.readyState >= 1) { go(); } else { video.addEventListener("loadedmetadata", go, { once: true }); }
  };

  // Review pages and feedback: every [data-frame-figure] shows its question's frame.
  Q.initFrames = function (scope) {
    (scope || document).querySelectorAll("[data-frame-figure]").forEach((figure) => {
      const video = figure.querySelector("video");
      if (!video || figure.hasAttribute("data-frame-ready")) { return; }
      figure.setAttribute("data-frame-ready", "");
      const d = figure.dataset;
      Q.renditions(figure, video);
      Q.showFrame(video, d.frameTime === undefined ? 0 : parseFloat(d.frameTime), {
        fps: parseFloat(d.fps) || 0, frames: parseInt(d.frames, 10) || 0,
      });
    });
  };

  // --- Common part of the three loop widgets --------------------------------------------------
  class LoopWidget {
    constructor(el, question, msg) {
      this.el = el;
      this.box = el.querySelector("[data-loop-widget]");
      this.question = question;
      this.msg = msg;
      this.video = this.box.querySelector("[data-video]");
      this.svg = this.box.querySelector("[data-overlay]");
      this.readout = this.box.querySelector("[data-readout]");
      this.stageMsg = this.box.querySelector("[data-stage-msg]");
      const d = this.box.dataset;
      this.fps = parseFloat(d.fps) || 0;
      this.frames = parseInt(d.frames, 10) || 0;
      this.columns = parseInt(d.columns, 10) || 1;
      this.rows = parseInt(d.rows, 10) || 1;
      this.frameTime = d.frameTime === undefined ? null : parseFloat(d.frameTime);
      this.locked = el.hasAttribute("data-locked");
      this.handlers = [];
      this.video.addEventListener("error", () => this.say(msg["video-failed"]));
      this.player = Q.renditions(this.box, this.video);
      if (this.svg) {
        if (window.ResizeObserver) {
          new ResizeObserver(() => this.render()).observe(this.svg);
        } else {
          window.addEventListener("resize", () => this.render());
        }
      }
    }

    onChange(handler) { this.handlers.push(handler); }

    changed(delay) { this.handlers.forEach((handler) => handler(delay || 0)); }

    lock() {
      this.locked = true;
      this.box.querySelectorAll("[data-tool]").forEach((b) => {
        if (b.dataset.tool !== "prev-frame" && b.dataset.tool !== "next-frame" && b.dataset.tool !== "go-to-mark") { b.disabled = true; }
      });
      if (this.svg) { this.svg.classList.remove("is-active"); this.svg.removeAttribute("tabindex"); }
    }

    say(text) {
      if (!this.stageMsg) { return; }
      this.stageMsg.textContent = text || "";
      this.stageMsg.hidden = !text;
    }

    tool(name, handler) {
      const button = this.box.querySelector('[data-tool="' + name + '"]');
      if (button) { button.addEventListener("click", handler); }
      return button;
    }

    // Where a click is, in original image pixels; null in the letterbox bands.
    toImage(event) {
      const matrix = this.svg.getScreenCTM();
      if (!matrix) { return null; }
      const p = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
      if (p.x < 0 || p.y < 0 || p.x > this.columns || p.y > this.rows) { return null; }
      return { x: round1(p.x), y: round1(p.y) };
    }

    showFrame() {
      Q.showFrame(this.video, this.frameTime === null ? 0 : this.frameTime, { fps: this.fps, frames: this.frames });
    }

    // The loop time shown; while the rendition changes, the frame it changes at.
    time() { return this.player.switching ? this.player.heldTime : this.video.currentTime || 0; }

    // A shape twice: a dark halo under a bright line keeps it visible on grey and on contrast.
    shape(parent, tag, attrs, cls) {
      parent.appendChild(CV.svg(tag, Object.assign({ class: "qz-halo" }, attrs)));
      parent.appendChild(CV.svg(tag, Object.assign({ class: "qz-stroke " + (cls || "") }, attrs)));
    }

    render() {}
  }

  // --- Hotspot: one point -----------------------------------------------------------------------
  class Hotspot extends LoopWidget {
    constructor(el, question, msg) {
      super(el, question, msg);
      this.point = null;
      this.showFrame();
      this.svg.addEventListener("click", (event) => {
        if (this.locked) { return; }
        const p = this.toImage(event);
        if (p) { this.point = p; this.render(); this.changed(0); }
      });
      this.svg.addEventListener("keydown", (event) => this.onKey(event));
      this.tool("clear", () => { if (!this.locked) { this.point = null; this.render(); this.changed(0); } });
      this.render();
    }

    // Keyboard: Enter or Space places the point in the middle; arrows move it (Shift: faster).
    onKey(event) {
      if (this.locked) { return; }
      const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      const move = moves[event.key];
      if (!move && event.key !== "Enter" && event.key !== " ") { return; }
      event.preventDefault();
      const step = Math.max(1, Math.round(this.columns / 100)) * (event.shiftKey ? 10 : 1);
      const p = this.point || { x: round1(this.columns / 2), y: round1(this.rows / 2) };
      if (move) {
        p.x = round1(CV.clamp(p.x + move[0] * step, 0, this.columns));
        p.y = round1(CV.clamp(p.y + move[1] * step, 0, this.rows));
      }
      this.point = p;
      this.render();
      this.changed(move ? 500 : 0);
    }

    read() { return this.point ? { x: this.point.x, y: this.point.y } : null; }

    write(response) {
      this.point = response && isFinite(response.x) && isFinite(response.y) ? { x: response.x, y: response.y } : null;
      this.render();
    }

    render() {
      CV.clear(this.svg);
      if (this.point) {
        const u = unitsPerPixel(this.svg);
        const g = CV.svg("g", { class: "qz-mine" });
        const p = this.point;
        this.shape(g, "circle", { cx: p.x, cy: p.y, r: MARKER_PX * u });
        this.shape(g, "line", { x1: p.x - 2 * MARKER_PX * u, y1: p.y, x2: p.x + 2 * MARKER_PX * u, y2: p.y });
        this.shape(g, "line", { x1: p.x, y1: p.y - 2 * MARKER_PX * u, x2: p.x, y2: p.y + 2 * MARKER_PX * u });
        this.svg.appendChild(g);
      }
      if (this.readout) {
        this.readout.textContent = this.point
          ? CV.fill(this.msg["point-at"], { x: CV.fixed(this.point.x, 0), y: CV.fixed(this.point.y, 0) })
          : this.msg["no-point"];
      }
    }
  }

  // --- Drawn: a closed outline (polygon) -------------------------------------------------------
  class Drawn extends LoopWidget {
    constructor(el, question, msg) {
      super(el, question, msg);
      this.points = [];
      this.closed = false;
      this.note = ""; // a one-off message put before the next readout
      // The keyboard cursor, in image pixels: shown while the overlay has keyboard focus.
      this.cursor = null;
      this.showCursor = false;
      this.showFrame();
      this.svg.addEventListener("click", (event) => this.onClick(event));
      this.svg.addEventListener("keydown", (event) => this.onKey(event));
      this.svg.addEventListener("pointerdown", () => {
        if (this.showCursor) { this.showCursor = false; this.render(); }
      });
      this.svg.addEventListener("focus", () => {
        let keyboard = false;
        try { keyboard = this.svg.matches(":focus-visible"); } catch (e) { keyboard = false; }
        if (keyboard && !this.locked) { this.showCursor = true; this.render(); }
      });
      this.svg.addEventListener("blur", () => {
        if (this.showCursor) { this.showCursor = false; this.render(); }
      });
      this.tool("close", () => this.close());
      this.tool("undo", () => this.undo());
      this.tool("clear", () => {
        if (this.locked) { return; }
        const had = this.closed;
        this.points = [];
        this.closed = false;
        this.render();
        if (had) { this.changed(0); }
      });
      this.render();
    }

    undo() {
      if (this.locked || !this.points.length) { return; }
      if (this.closed) { this.closed = false; } else { this.points.pop(); }
      this.render();
    }

    // Keyboard, as the hotspot: arrows move a cursor (Shift: bigger steps), Enter or Space adds
    // a point there (on the first point, once there are three, it closes the outline, as a
    // click does), Backspace removes the last point and C closes the outline.
    onKey(event) {
      if (this.locked || event.ctrlKey || event.altKey || event.metaKey) { return; }
      const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      const move = moves[event.key];
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      if (!move && key !== "Enter" && key !== " " && key !== "Backspace" && key !== "c") { return; }
      event.preventDefault();
      this.showCursor = true;
      if (key === "Backspace") { this.undo(); return; }
      if (key === "c") {
        if (!this.closed && this.points.length < 3) { this.note = this.msg["outline-too-short"]; }
        if (!this.close()) { this.render(); }
        return;
      }
      if (this.closed) { this.render(); return; }
      const c = this.keyboardCursor();
      if (move) {
        const step = Math.max(1, Math.round(this.columns / 100)) * (event.shiftKey ? 10 : 1);
        c.x = round1(CV.clamp(c.x + move[0] * step, 0, this.columns));
        c.y = round1(CV.clamp(c.y + move[1] * step, 0, this.rows));
        this.render();
        return;
      }
      this.addPoint({ x: c.x, y: c.y });
    }

    // Is image point p on the first vertex, within CLOSE_PX screen pixels?
    onFirst(p) {
      if (this.points.length < 3) { return false; }
      const first = this.points[0];
      return Math.hypot(first[0] - p.x, first[1] - p.y) <= CLOSE_PX * unitsPerPixel(this.svg);
    }

    addPoint(p) {
      if (this.onFirst(p)) { this.close(); return; }
      if (this.points.length < 500) { this.points.push([p.x, p.y]); }
      this.render();
    }

    onClick(event) {
      if (this.locked || this.closed) { return; }
      const p = this.toImage(event);
      if (!p) { return; }
      this.cursor = { x: p.x, y: p.y }; // the keyboard goes on from the last click
      this.addPoint(p);
    }

    close() {
      if (this.locked || this.closed || this.points.length < 3) { return false; }
      this.closed = true;
      this.render();
      this.changed(0);
      return true;
    }

    read() { return this.closed && this.points.length >= 3 ? { points: this.points.map((p) => [p[0], p[1]]) } : null; }

    write(response) {
      const points = response && Array.isArray(response.points) ? response.points : [];
      this.points = points.map((p) => [p[0], p[1]]);
      this.closed = this.points.length >= 3;
      this.render();
    }

    render() {
      CV.clear(this.svg);
      const u = unitsPerPixel(this.svg);
      const g = CV.svg("g", { class: "qz-mine" + (this.closed ? "" : " is-draft") });
      const text = this.points.map((p) => p.join(",")).join(" ");
      if (this.points.length > 1) {
        this.shape(g, this.closed ? "polygon" : "polyline", { points: text });
      }
      if (!this.closed) {
        this.points.forEach((p, i) => {
          g.appendChild(CV.svg("circle", { class: "qz-vertex" + (i === 0 ? " is-first" : ""), cx: p[0], cy: p[1], r: 4 * u }));
        });
      }
      this.svg.appendChild(g);
      const c = this.keyboardCursor();
      if (c) {
        const cursor = CV.svg("g", { class: "qz-cursor" + (this.onFirst(c) ? " is-closing" : ""), "data-cursor": "" });
        const arm = 2 * MARKER_PX * u;
        this.shape(cursor, "circle", { cx: c.x, cy: c.y, r: MARKER_PX * u });
        this.shape(cursor, "line", { x1: c.x - arm, y1: c.y, x2: c.x - MARKER_PX * u, y2: c.y });
        this.shape(cursor, "line", { x1: c.x + MARKER_PX * u, y1: c.y, x2: c.x + arm, y2: c.y });
        this.shape(cursor, "line", { x1: c.x, y1: c.y - arm, x2: c.x, y2: c.y - MARKER_PX * u });
        this.shape(cursor, "line", { x1: c.x, y1: c.y + MARKER_PX * u, x2: c.x, y2: c.y + arm });
        this.svg.appendChild(cursor);
      }
      const close = this.box.querySelector('[data-tool="close"]');
      if (close) { close.disabled = this.locked || this.closed || this.points.length < 3; }
      if (this.readout) {
        const n = this.points.length;
        let text = !n ? this.msg["no-outline"]
          : this.closed ? CV.fill(this.msg["outline-closed"], { n: n })
            : CV.fill(this.msg["outline-points"], { n: n }) + " · " + this.msg["outline-open"];
        if (c) {
          text += " " + (this.onFirst(c) ? this.msg["cursor-on-first"]
            : CV.fill(this.msg["cursor-at"], { x: CV.fixed(c.x, 0), y: CV.fixed(c.y, 0) }));
        }
        this.readout.textContent = this.note ? this.note + " " + text : text;
        this.note = "";
      }
    }

    // The keyboard cursor while the keyboard is in use on an open outline, else null. It
    // starts on the last point, or in the middle of the frame.
    keyboardCursor() {
      if (!this.showCursor || this.locked || this.closed) { return null; }
      if (!this.cursor) {
        const last = this.points[this.points.length - 1];
        this.cursor = last ? { x: last[0], y: last[1] } : { x: round1(this.columns / 2), y: round1(this.rows / 2) };
      }
      return this.cursor;
    }
  }

  // --- Time point: a moment of the playing loop ------------------------------------------------
  class TimePoint extends LoopWidget {
    constructor(el, question, msg) {
      super(el, question, msg);
      this.marked = null;
      this.now = this.box.querySelector("[data-now]");
      this.goTo = this.box.querySelector('[data-tool="go-to-mark"]');
      this.tool("mark", () => {
        if (this.locked) { return; }
        this.marked = Math.round(this.time() * 1000) / 1000;
        this.render();
        this.changed(0);
      });
      this.tool("prev-frame", () => this.step(-1));
      this.tool("next-frame", () => this.step(1));
      this.tool("go-to-mark", () => { if (this.marked !== null) { this.video.pause(); this.video.currentTime = this.marked; } });
      ["timeupdate", "seeked", "loadedmetadata"].forEach((name) => this.video.addEventListener(name, () => this.updateNow()));
      this.render();
    }

    step(delta) {
      if (!this.fps) { return; }
      this.video.pause();
      const last = Math.max(0, (this.frames || 1) - 1);
      const frame = CV.clamp(Math.floor(this.time() * this.fps + 1e-6) + delta, 0, last);
      this.video.currentTime = (frame + 0.5) / this.fps;
    }

    updateNow() {
      if (!this.now) { return; }
      const t = this.time();
      let text = CV.fill(this.msg.seconds || "{value} s", { value: CV.fixed(t, 2) });
      if (this.fps && this.frames) {
        text += " · " + CV.fill(this.msg.frame || "{n} / {total}", {
          n: CV.clamp(Math.floor(t * this.fps + 1e-6), 0, this.frames - 1) + 1, total: this.frames,
        });
      }
      this.now.textContent = text;
    }

    read() { return this.marked === null ? null : { time_s: this.marked }; }

    write(response) {
      this.marked = response && isFinite(response.time_s) ? response.time_s : null;
      this.render();
    }

    render() {
      if (this.goTo) { this.goTo.disabled = this.marked === null; }
      if (this.readout) {
        this.readout.textContent = this.marked === null ? this.msg["not-marked"]
          : CV.fill(this.msg["marked-at"], { time: CV.fixed(this.marked, 2) });
      }
      this.updateNow();
    }
  }

  Q.widgets.hotspot = (el, question, msg) => new Hotspot(el, question, msg);
  Q.widgets.drawn = (el, question, msg) => new Drawn(el, question, msg);
  Q.widgets.time_point = (el, question, msg) => new TimePoint(el, question, msg);
})();
