// Annotation editor for instructors: draw point / arrow / ellipse / polygon / text / measure on
// the current frame (pointer events: mouse, pen and touch), select, drag to move, drag handles
// to reshape, set the time range, label and ROI role of the selected shape, set phase markers
// at the current time, undo (Ctrl+Z) / redo, and Save: PUT the whole set. A failed save keeps
// every change on the page and says why; leaving with unsaved changes asks first.
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const HISTORY_LIMIT = 100;
  const MIN_DRAG_PX = 6; // shorter drags are taps (touch), not shapes
  const CLOSE_POLYGON_PX = 12;
  const ANNOTATION_FIELDS = ["id", "loop", "kind", "geometry", "label", "t_start", "t_end", "roi_role"];
  const MARKER_FIELDS = ["id", "loop", "kind", "time_s"];

  function pick(item, fields) {
    const out = {};
    fields.forEach((name) => {
      if (item[name] !== undefined && !(name === "id" && (item.id === null || item.id === undefined))) { out[name] = item[name]; }
    });
    if (out.label === undefined && fields.indexOf("label") >= 0) { out.label = ""; }
    return out;
  }

  CV.Editor = class {
    // `panel`: the properties, markers and lists ([data-editor]); the toolbar above the
    // image is [data-editor-bar]. Both live inside the page's root.
    constructor(panel, player) {
      this.panel = panel;
      this.root = player.root;
      this.bar = this.root.querySelector("[data-editor-bar]");
      this.player = player;
      this.state = player.state;
      this.msg = player.msg;
      this.svg = player.overlay.svg;
      this.url = player.root.getAttribute("data-annotations-url");
      this.tool = "select";
      this.editing = false;
      this.draft = null; // {kind, points: [[x, y]…], cursor}
      this.drag = null;
      this.undoStack = [];
      this.redoStack = [];
      this.saving = false;
      this.saved = this.serialise();
      this.rememberSaved();
      this.q = (selector) => this.root.querySelector(selector);
      this.bindToolbar();
      this.bindProperties();
      this.bindPointer();
      this.bindKeys();
      player.events.on("time", () => this.updateRangeText());
      player.events.on("loop", () => { this.cancelDraft(); this.select(null); this.refreshLists(); });
      this.svg.addEventListener("cv:rendered", () => this.drawHandles());
      window.addEventListener("beforeunload", (event) => {
        if (this.isDirty()) { event.preventDefault(); event.returnValue = ""; }
      });
      this.refreshLists();
      this.updateButtons();
    }

    // --- State, history, dirtiness ------------------------------------------------------------
    serialise() {
      return JSON.stringify({
        annotations: this.state.annotations.map((a) => pick(a, ANNOTATION_FIELDS)),
        phase_markers: this.state.markers.map((m) => pick(m, MARKER_FIELDS)),
      });
    }

    isDirty() { return this.serialise() !== this.saved; }

    rememberSaved() {
      this.savedShapes = {};
      this.state.annotations.forEach((a) => {
        if (a.id) { this.savedShapes[a.id] = JSON.stringify([a.kind, a.roi_role, a.geometry]); }
      });
    }

    isUnsaved(a) {
      return !a.id || this.savedShapes[a.id] !== JSON.stringify([a.kind, a.roi_role, a.geometry]);
    }

    snapshot() {
      return {
        annotations: JSON.stringify(this.state.annotations),
        markers: JSON.stringify(this.state.markers),
        selected: this.state.annotations.indexOf(this.state.selected),
      };
    }

    restore(snap) {
      this.state.annotations = JSON.parse(snap.annotations);
      this.state.markers = JSON.parse(snap.markers);
      this.state.selected = snap.selected >= 0 ? this.state.annotations[snap.selected] || null : null;
    }

    // Call before every change: what undo returns to.
    record(key) {
      if (key && key === this.lastRecordKey) { return; } // typing a label is one step
      this.lastRecordKey = key || null;
      this.undoStack.push(this.snapshot());
      if (this.undoStack.length > HISTORY_LIMIT) { this.undoStack.shift(); }
      this.redoStack = [];
    }

    undo() {
      if (!this.undoStack.length) { return; }
      this.redoStack.push(this.snapshot());
      this.restore(this.undoStack.pop());
      this.lastRecordKey = null;
      this.changed();
    }

    redo() {
      if (!this.redoStack.length) { return; }
      this.undoStack.push(this.snapshot());
      this.restore(this.redoStack.pop());
      this.lastRecordKey = null;
      this.changed();
    }

    changed() {
      this.player.changed(); // redraws the overlay (and our handles), markers, curves
      this.refreshLists();
      this.showProperties();
      this.updateButtons();
    }

    // --- Toolbar --------------------------------------------------------------------------------
    bindToolbar() {
      const toggle = this.q("[data-editor-toggle]");
      toggle.addEventListener("click", () => this.setEditing(!this.editing));
      this.root.querySelectorAll("[data-tool]").forEach((button) => {
        button.addEventListener("click", () => this.setTool(button.getAttribute("data-tool")));
      });
      const act = (name, handler) => {
        this.root.querySelectorAll("[data-editor-action=" + name + "]").forEach((b) => b.addEventListener("click", handler));
      };
      act("undo", () => this.undo());
      act("redo", () => this.redo());
      act("save", () => this.save());
      act("finish-polygon", () => this.finishPolygon());
      act("delete", () => this.deleteSelected());
      act("start-here", () => this.setRange("t_start"));
      act("end-here", () => this.setRange("t_end"));
      act("whole-loop", () => this.setRange(null));
      act("add-marker", () => this.addMarker());
    }

    setEditing(on) {
      this.editing = on;
      this.q("[data-editor-toggle]").setAttribute("aria-pressed", on ? "true" : "false");
      this.q("[data-editor-body]").hidden = !on;
      this.panel.hidden = !on;
      this.player.root.classList.toggle("is-editing", on);
      if (!on) { this.cancelDraft(); this.select(null); }
      this.setTool(this.tool);
    }

    setHidden(hidden) {
      if (hidden && this.editing) { this.setEditing(false); }
      this.bar.hidden = hidden;
      this.panel.hidden = hidden || !this.editing;
    }

    setTool(tool) {
      this.cancelDraft();
      this.tool = tool;
      this.root.querySelectorAll("[data-tool]").forEach((b) => {
        b.setAttribute("aria-pressed", b.getAttribute("data-tool") === tool ? "true" : "false");
      });
      this.player.root.setAttribute("data-tool", this.editing ? tool : "");
      const help = this.q("[data-tool-help]");
      if (help) { help.textContent = this.msg["help-" + tool] || ""; }
    }

    // --- Pointer: drawing, selecting, moving, reshaping ------------------------------------------
    point(event) {
      const matrix = this.svg.getScreenCTM();
      const box = this.svg.viewBox.baseVal;
      if (!matrix) { return [0, 0]; }
      const p = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
      const loop = this.player.loop;
      return [CV.clamp(p.x, 0, loop.columns || box.width), CV.clamp(p.y, 0, loop.rows || box.height)];
    }

    units() { return CV.unitsPerPixel(this.svg); }

    bindPointer() {
      const svg = this.svg;
      svg.addEventListener("pointerdown", (event) => {
        if (!this.editing || event.button > 0) { return; }
        event.preventDefault();
        this.player.pause();
        const p = this.point(event);
        const tool = this.tool;
        if (tool === "select") {
          this.startSelectDrag(event, p);
        } else if (tool === "point" || tool === "text") {
          this.create(tool, CV.shapes.fromPoint(tool, p[0], p[1]));
        } else if (tool === "polygon") {
          this.addPolygonPoint(p);
        } else {
          this.draft = { kind: tool, points: [p], cursor: p };
          svg.setPointerCapture(event.pointerId);
        }
      });
      svg.addEventListener("pointermove", (event) => {
        if (!this.editing) { return; }
        const p = this.point(event);
        if (this.drag) {
          this.moveDrag(p);
        } else if (this.draft) {
          this.draft.cursor = p;
          CV.shapes.drawDraft(this.player.overlay.draft, this.draft.kind, this.draft.points, p, this.units());
        }
      });
      const end = (event) => {
        if (this.drag) {
          const moved = this.drag.moved;
          this.drag = null;
          if (moved) { this.changed(); } else { this.undoStack.pop(); } // a click, not a change
          this.updateButtons();
          return;
        }
        if (this.draft && this.draft.kind !== "polygon") {
          const p = event.type === "pointerup" ? this.point(event) : null;
          const start = this.draft.points[0];
          const kind = this.draft.kind;
          this.cancelDraft();
          const geometry = p && CV.shapes.fromDrag(kind, start[0], start[1], p[0], p[1], MIN_DRAG_PX * this.units());
          if (geometry) { this.create(kind, geometry); }
        }
      };
      svg.addEventListener("pointerup", end);
      svg.addEventListener("pointercancel", end);
      svg.addEventListener("dblclick", (event) => {
        if (this.editing && this.tool === "polygon") { event.preventDefault(); this.finishPolygon(); }
      });
    }

    startSelectDrag(event, p) {
      const handle = event.target.closest && event.target.closest("[data-handle]");
      const selected = this.state.selected;
      if (handle && selected) {
        this.record();
        this.drag = { kind: "handle", index: parseInt(handle.getAttribute("data-handle"), 10), moved: false };
      } else {
        const node = event.target.closest && event.target.closest(".cv-ann");
        const hit = node ? this.player.overlay.drawn.find((item) => item.node === node) : null;
        if (!hit) { this.select(null); return; }
        this.select(hit.annotation);
        this.record();
        this.drag = { kind: "move", start: p, geometry: JSON.parse(JSON.stringify(hit.annotation.geometry)), moved: false };
      }
      this.svg.setPointerCapture(event.pointerId);
    }

    moveDrag(p) {
      const a = this.state.selected;
      if (!a) { return; }
      const box = this.svg.viewBox.baseVal;
      const size = [this.player.loop.columns || box.width, this.player.loop.rows || box.height];
      if (this.drag.kind === "handle") {
        a.geometry = CV.shapes.moveHandle(a, this.drag.index, p[0], p[1], size);
      } else {
        a.geometry = CV.shapes.translate(a.kind, this.drag.geometry, p[0] - this.drag.start[0], p[1] - this.drag.start[1], size[0], size[1]);
      }
      a.length_mm = null; // measured again by the server on save
      this.drag.moved = true;
      if (!this.frame) {
        this.frame = window.requestAnimationFrame(() => {
          this.frame = null;
          this.player.overlay.render();
          this.showProperties();
        });
      }
    }

    addPolygonPoint(p) {
      if (!this.draft) { this.draft = { kind: "polygon", points: [], cursor: null }; }
      const points = this.draft.points;
      const first = points[0];
      if (first && points.length >= 3 && Math.hypot(p[0] - first[0], p[1] - first[1]) <= CLOSE_POLYGON_PX * this.units()) {
        this.finishPolygon();
        return;
      }
      points.push(p);
      CV.shapes.drawDraft(this.player.overlay.draft, "polygon", points, null, this.units());
      this.updateButtons();
    }

    finishPolygon() {
      if (!this.draft || this.draft.kind !== "polygon") { return; }
      const points = this.draft.points.map((p) => [Math.round(p[0] * 10) / 10, Math.round(p[1] * 10) / 10]);
      this.cancelDraft();
      if (points.length >= 3) { this.create("polygon", { points: points }); }
    }

    cancelDraft() {
      this.draft = null;
      CV.clear(this.player.overlay.draft);
      this.updateButtons();
    }

    create(kind, geometry) {
      this.record();
      const annotation = {
        loop: this.player.loop.id, kind: kind, geometry: geometry,
        label: kind === "text" ? this.msg["default-text"] : "",
        t_start: null, t_end: null, roi_role: "", length_mm: null,
      };
      this.state.annotations.push(annotation);
      this.state.selected = annotation;
      this.changed();
      if (kind === "text") {
        const input = this.q("[data-prop=label]");
        input.focus();
        input.select();
      }
    }

    select(annotation) {
      if (this.state.selected === annotation) { return; }
      this.state.selected = annotation;
      this.lastRecordKey = null;
      this.player.overlay.render();
      this.showProperties();
      this.refreshLists();
    }

    drawHandles() {
      const layer = this.player.overlay.handles;
      const a = this.state.selected;
      if (!this.editing || !a || a.loop !== this.player.loop.id) { CV.clear(layer); return; }
      CV.shapes.drawHandles(layer, a, this.units());
    }

    deleteSelected() {
      const a = this.state.selected;
      if (!a) { return; }
      this.record();
      this.state.annotations.splice(this.state.annotations.indexOf(a), 1);
      this.state.selected = null;
      this.changed();
    }

    // --- Properties of the selected shape -----------------------------------------------------
    bindProperties() {
      const label = this.q("[data-prop=label]");
      label.addEventListener("input", () => {
        const a = this.state.selected;
        if (!a) { return; }
        this.record("label:" + this.state.annotations.indexOf(a));
        a.label = label.value;
        this.player.overlay.render();
        this.refreshLists();
        this.updateButtons();
      });
      const role = this.q("[data-prop=roi_role]");
      role.addEventListener("change", () => {
        const a = this.state.selected;
        if (!a) { return; }
        this.record();
        a.roi_role = role.value;
        this.changed();
      });
    }

    setRange(which) {
      const a = this.state.selected;
      if (!a) { return; }
      this.record();
      // The whole current frame: from its start to its end (ms, rounded outwards), so that the
      // shape is shown on this frame whatever rounding the times go through.
      const player = this.player;
      const fps = player.fps();
      const now = player.time();
      const from = fps ? player.frameAt(now) / fps : now;
      const to = fps ? Math.min(player.duration() || Infinity, (player.frameAt(now) + 1) / fps) : now;
      const t = which === "t_end" ? Math.ceil(to * 1000 - 1e-6) / 1000 : Math.floor(from * 1000 + 1e-6) / 1000;
      if (which === null) {
        a.t_start = null;
        a.t_end = null;
      } else {
        a[which] = t;
        if (which === "t_start" && a.t_end !== null && a.t_end < t) { a.t_end = null; }
        if (which === "t_end" && a.t_start !== null && a.t_start > t) { a.t_start = null; }
      }
      this.changed();
    }

    rangeText(a) {
      if (a.t_start === null && a.t_end === null) { return this.msg["whole-loop"]; }
      return CV.fill(this.msg["visible-range"], {
        start: a.t_start === null ? this.msg["loop-start"] : this.player.timeLabel(a.t_start),
        end: a.t_end === null ? this.msg["loop-end"] : this.player.timeLabel(a.t_end),
      });
    }

    updateRangeText() {
      const a = this.state.selected;
      const out = this.q("[data-range-text]");
      if (a && out) {
        out.textContent = this.rangeText(a) + (CV.inTimeRange(a, this.player.time()) ? "" : " · " + this.msg["not-now"]);
      }
    }

    showProperties() {
      const a = this.state.selected;
      const box = this.q("[data-props]");
      box.hidden = !a;
      if (!a) { return; }
      this.q("[data-props-title]").textContent = this.msg["kind-" + a.kind] || a.kind;
      const label = this.q("[data-prop=label]");
      if (document.activeElement !== label) { label.value = a.label || ""; }
      const roiField = this.q("[data-role-field]");
      roiField.hidden = !(a.kind === "ellipse" || a.kind === "polygon");
      this.q("[data-prop=roi_role]").value = a.roi_role || "";
      const length = this.q("[data-length]");
      length.hidden = a.kind !== "measure";
      if (a.kind === "measure") {
        length.textContent = CV.annotationText(Object.assign({}, a, { label: "" }), this.msg, this.player.loop.regions);
      }
      this.updateRangeText();
    }

    // --- Phase markers ------------------------------------------------------------------------
    addMarker() {
      const kind = this.q("[data-marker-kind]").value;
      const t = Math.round(this.player.time() * 1000) / 1000;
      const loop = this.player.loop.id;
      this.record();
      const existing = this.state.markers.find((m) => m.loop === loop && m.kind === kind);
      if (existing) { existing.time_s = t; } else { this.state.markers.push({ loop: loop, kind: kind, time_s: t }); }
      this.changed();
    }

    // --- Lists: this loop's annotations and markers (also the way to reach hidden shapes) --------
    refreshLists() {
      const loop = this.player.loop.id;
      const list = this.q("[data-ann-list]");
      CV.clear(list);
      this.state.annotations.forEach((a) => {
        if (a.loop !== loop) { return; }
        const li = CV.el("li", { class: a === this.state.selected ? "is-selected" : "" });
        const text = CV.annotationText(a, this.msg, this.player.loop.regions);
        const button = CV.el("button", { type: "button", class: "link-button", "aria-pressed": a === this.state.selected ? "true" : "false" },
          (this.msg["kind-" + a.kind] || a.kind) + (text ? " · " + text : ""));
        button.addEventListener("click", () => {
          if (!this.editing) { this.setEditing(true); }
          this.select(a);
          if (!CV.inTimeRange(a, this.player.time()) && a.t_start !== null) { this.player.seek(a.t_start, { snap: true, pause: true }); }
        });
        li.appendChild(button);
        li.appendChild(CV.el("span", { class: "muted" }, " · " + this.rangeText(a)));
        list.appendChild(li);
      });
      this.q("[data-ann-empty]").hidden = !!list.firstChild;

      const markers = this.q("[data-marker-list]");
      CV.clear(markers);
      this.state.markers.filter((m) => m.loop === loop).sort((x, y) => x.time_s - y.time_s).forEach((m) => {
        const li = CV.el("li");
        const go = CV.el("button", { type: "button", class: "link-button" },
          (this.msg["marker-" + m.kind] || m.kind) + " · " + this.player.timeLabel(m.time_s));
        go.addEventListener("click", () => this.player.seek(m.time_s, { pause: true }));
        const remove = CV.el("button", { type: "button", class: "cv-btn cv-btn-text cv-small", "aria-label": CV.fill(this.msg["remove-marker"], { name: this.msg["marker-" + m.kind] || m.kind }) }, "×");
        remove.addEventListener("click", () => {
          this.record();
          this.state.markers.splice(this.state.markers.indexOf(m), 1);
          this.changed();
        });
        li.appendChild(go);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(remove);
        markers.appendChild(li);
      });
    }

    updateButtons() {
      const set = (name, disabled) => this.root.querySelectorAll("[data-editor-action=" + name + "]").forEach((b) => { b.disabled = disabled; });
      set("undo", !this.undoStack.length);
      set("redo", !this.redoStack.length);
      const dirty = this.isDirty();
      set("save", this.saving || !dirty);
      const finish = this.q("[data-editor-action=finish-polygon]");
      finish.hidden = !(this.draft && this.draft.kind === "polygon");
      finish.disabled = !(this.draft && this.draft.points.length >= 3);
      const state = this.q("[data-save-state]");
      if (!this.saving) {
        state.textContent = dirty ? this.msg.unsaved : "";
        state.classList.toggle("is-dirty", dirty);
      }
    }

    // --- Keyboard -------------------------------------------------------------------------------
    bindKeys() {
      document.addEventListener("keydown", (event) => {
        if (!this.editing || this.bar.hidden) { return; }
        const typing = event.target.closest && event.target.closest("input, textarea, select");
        const key = event.key.toLowerCase();
        if ((event.ctrlKey || event.metaKey) && !event.altKey && !typing) {
          if (key === "z" && !event.shiftKey) { event.preventDefault(); this.undo(); }
          if ((key === "z" && event.shiftKey) || key === "y") { event.preventDefault(); this.redo(); }
          return;
        }
        if (typing) { return; }
        if ((event.key === "Delete" || event.key === "Backspace") && this.state.selected) {
          event.preventDefault();
          this.deleteSelected();
        } else if (event.key === "Escape") {
          if (this.draft) { this.cancelDraft(); } else { this.select(null); }
        } else if (event.key === "Enter" && this.draft && this.draft.kind === "polygon") {
          event.preventDefault();
          this.finishPolygon();
        }
      });
    }
  };
})();
