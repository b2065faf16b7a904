// Live room: what the host shows on the image, over the case viewer's stage — the pointer,
// freehand drawings, a hotspot poll's heat map and clicks, revealed annotations (drawn by the
// viewer's own overlay). An SVG in the loop's pixels (like the overlay: viewBox columns × rows,
// letterboxed alike) holding one in normalised units (viewBox 0 0 1 1), so a point lands on the
// same spot of the image at any size. Input: the host's pointer and drawing, a participant's
// hotspot click; coordinates leave as normalised 0-1 values rounded to 1e-4.
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const CL = (window.CeusLive = window.CeusLive || {});
  const MAX_POINTS = 200;

  const round = (v) => Math.round(CV.clamp(v, 0, 1) * 1e4) / 1e4;

  CL.Layer = class {
    // options: onPointer({x, y} | null), onDraw(points), onSpot({x, y}).
    constructor(player, options) {
      this.player = player;
      this.options = options || {};
      this.mode = "none"; // "pointer" (the host), "draw", "spot" (answering a hotspot poll)
      this.outer = CV.svg("svg", { class: "cv-overlay live-layer", "data-live-layer": "", "aria-hidden": "true", preserveAspectRatio: "xMidYMid meet" });
      this.unit = CV.svg("svg", { viewBox: "0 0 1 1", preserveAspectRatio: "none", overflow: "visible" });
      this.heat = CV.svg("g", { class: "live-heat", "data-heatmap": "" });
      this.key = CV.svg("g", { class: "live-key" });
      this.lines = CV.svg("g", { class: "live-drawings", "data-drawings": "" });
      this.marks = CV.svg("g", { class: "live-marks" });
      this.dot = CV.svg("circle", { class: "live-pointer", "data-pointer": "", r: "0.012", display: "none" });
      [this.heat, this.lines, this.marks, this.dot].forEach((node) => this.unit.appendChild(node));
      this.outer.appendChild(this.key);
      this.outer.appendChild(this.unit);
      player.stage.appendChild(this.outer);
      this.setSize(player.loop.columns || 1, player.loop.rows || 1);
      player.events.on("loop", (loop) => this.setSize(loop.columns || 1, loop.rows || 1));
      this.bind();
    }

    setSize(columns, rows) {
      this.outer.setAttribute("viewBox", "0 0 " + columns + " " + rows);
      this.unit.setAttribute("width", String(columns));
      this.unit.setAttribute("height", String(rows));
    }

    setMode(mode) {
      this.mode = mode;
      this.outer.classList.toggle("is-active", mode !== "none");
      this.outer.setAttribute("data-mode", mode);
    }

    // Screen position of an event -> normalised image coordinates (null outside the image).
    toUnit(event) {
      const matrix = this.unit.getScreenCTM();
      if (!matrix) { return null; }
      const p = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
      if (p.x < 0 || p.y < 0 || p.x > 1 || p.y > 1) { return null; }
      return { x: round(p.x), y: round(p.y) };
    }

    bind() {
      const svg = this.outer;
      let drawing = null;
      let lastMove = 0;
      svg.addEventListener("click", (event) => {
        if (this.mode === "none") { return; }
        event.stopPropagation(); // the stage would play or pause
        if (this.mode === "spot") {
          const p = this.toUnit(event);
          if (p && this.options.onSpot) { this.options.onSpot(p); }
        }
      });
      svg.addEventListener("pointerdown", (event) => {
        if (this.mode !== "draw") { return; }
        const p = this.toUnit(event);
        if (!p) { return; }
        event.preventDefault();
        svg.setPointerCapture(event.pointerId);
        drawing = { points: [[p.x, p.y]], node: CV.svg("polyline", { class: "live-line is-drawing", "vector-effect": "non-scaling-stroke" }) };
        this.lines.appendChild(drawing.node);
      });
      svg.addEventListener("pointermove", (event) => {
        if (this.mode === "draw" && drawing) {
          const p = this.toUnit(event);
          const last = drawing.points[drawing.points.length - 1];
          if (p && Math.hypot(p.x - last[0], p.y - last[1]) > 0.004) {
            drawing.points.push([p.x, p.y]);
            drawing.node.setAttribute("points", drawing.points.map((q) => q.join(",")).join(" "));
          }
          return;
        }
        if (this.mode === "pointer" && this.options.onPointer) {
          const now = performance.now();
          if (now - lastMove < 100) { return; } // ≤ 10 a second
          lastMove = now;
          const p = this.toUnit(event);
          if (p) { this.options.onPointer(p); }
        }
      });
      const finish = () => {
        if (!drawing) { return; }
        const points = thin(drawing.points, MAX_POINTS);
        drawing.node.remove();
        drawing = null;
        if (points.length >= 2 && this.options.onDraw) { this.options.onDraw(points); }
      };
      svg.addEventListener("pointerup", finish);
      svg.addEventListener("pointercancel", finish);
      svg.addEventListener("pointerleave", () => {
        if (this.mode === "pointer" && this.options.onPointer) { this.options.onPointer(null); }
      });
    }

    setPointer(p) {
      if (!p) { this.dot.setAttribute("display", "none"); return; }
      this.dot.removeAttribute("display");
      this.dot.setAttribute("cx", String(p.x));
      this.dot.setAttribute("cy", String(p.y));
    }

    setDrawings(list) {
      CV.clear(this.lines);
      (list || []).forEach((d) => this.addDrawing(d));
    }

    addDrawing(d) {
      this.lines.appendChild(CV.svg("polyline", {
        class: "live-line", "data-drawing": d.id, "vector-effect": "non-scaling-stroke",
        points: d.points.map((q) => q.join(",")).join(" "),
      }));
    }

    // A hotspot poll's clicks counted on a grid (live.selectors.polls.heatmap); null hides it.
    setHeatmap(map) {
      CV.clear(this.heat);
      if (!map) { return; }
      const w = 1 / map.columns;
      const h = 1 / map.rows;
      map.cells.forEach((count, index) => {
        if (!count) { return; }
        this.heat.appendChild(CV.svg("rect", {
          class: "live-cell", "data-cell": index, "data-count": count,
          x: (index % map.columns) * w, y: Math.floor(index / map.columns) * h, width: w, height: h,
          "fill-opacity": (0.25 + 0.6 * count / (map.max || 1)).toFixed(3),
        }));
      });
    }

    // One's own hotspot answer.
    setMark(p) {
      CV.clear(this.marks);
      if (p) { this.marks.appendChild(CV.svg("circle", { class: "live-mark", "data-my-spot": "", cx: p.x, cy: p.y, r: "0.01" })); }
    }

    // A hotspot key (loop pixels): an ellipse or a polygon outline.
    setKey(key) {
      CV.clear(this.key);
      if (!key || !key.geometry) { return; }
      const g = key.geometry;
      if (key.kind === "ellipse") {
        this.key.appendChild(CV.svg("ellipse", { class: "live-key-shape", cx: g.cx, cy: g.cy, rx: g.rx, ry: g.ry, "vector-effect": "non-scaling-stroke" }));
      } else if (g.points) {
        this.key.appendChild(CV.svg("polygon", { class: "live-key-shape", points: g.points.map((q) => q.join(",")).join(" "), "vector-effect": "non-scaling-stroke" }));
      }
    }
  };

  // At most `max` points of a line, its ends kept.
  function thin(points, max) {
    if (points.length <= max) { return points; }
    const out = [];
    const step = (points.length - 1) / (max - 1);
    for (let i = 0; i < max; i++) { out.push(points[Math.round(i * step)]); }
    return out;
  }
})();
