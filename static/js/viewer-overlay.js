// Case viewer, the SVG overlay: annotations drawn in ORIGINAL image pixel coordinates.
// The <svg> covers the stage and letterboxes the image (preserveAspectRatio="xMidYMid meet");
// renditions-player.js puts the video's image exactly there whatever the rendition's size, so
// shapes stay on the anatomy at any size and in every rendition. Lines keep
// a constant on-screen width (non-scaling-stroke); text and arrow heads are sized from the
// current scale, recomputed when the stage is resized.
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const LABEL_PX = 14; // label font size on screen, CSS pixels

  // Screen-constant sizes need "image pixels per CSS pixel".
  function unitsPerPixel(svg) {
    const box = svg.viewBox.baseVal;
    const rect = svg.getBoundingClientRect();
    if (!box || !box.width || !rect.width || !rect.height) { return 1; }
    return 1 / Math.min(rect.width / box.width, rect.height / box.height);
  }
  CV.unitsPerPixel = unitsPerPixel;

  function line(g, attrs) {
    // A dark halo under a bright line keeps it visible on grey ultrasound and on bright contrast.
    g.appendChild(CV.svg("line", Object.assign({ class: "cv-halo" }, attrs)));
    g.appendChild(CV.svg("line", Object.assign({ class: "cv-stroke" }, attrs)));
  }

  function shape(g, tag, attrs) {
    g.appendChild(CV.svg(tag, Object.assign({ class: "cv-halo" }, attrs)));
    g.appendChild(CV.svg(tag, Object.assign({ class: "cv-stroke" }, attrs)));
  }

  function label(g, text, x, y, u, anchor) {
    if (!text) { return; }
    g.appendChild(CV.svg("text", {
      class: "cv-label", x: x, y: y, "font-size": LABEL_PX * u,
      "text-anchor": anchor || "start", "dominant-baseline": "middle",
    }, text));
  }

  function arrowHead(x1, y1, x2, y2, u) {
    const angle = Math.atan2(y2 - y1, x2 - x1);
    const length = 13 * u;
    const half = 6 * u;
    const bx = x2 - length * Math.cos(angle);
    const by = y2 - length * Math.sin(angle);
    const nx = -Math.sin(angle) * half;
    const ny = Math.cos(angle) * half;
    return [[x2, y2], [bx + nx, by + ny], [bx - nx, by - ny]].map((p) => p.join(",")).join(" ");
  }

  // The text shown next to a shape (ROIs also name their role; measures show their length).
  CV.annotationText = function (a, msg, regions) {
    if (a.kind === "measure") {
      const mm = a.length_mm !== null && a.length_mm !== undefined ? a.length_mm : CV.lengthMm(regions, a.geometry);
      const length = mm === null ? msg["not-calibrated"] : CV.fill(msg.mm, { value: CV.fixed(mm, 1) });
      return a.label ? a.label + " · " + length : length;
    }
    if (CV.isRoi(a)) {
      return CV.roiName(a, msg);
    }
    return a.label || "";
  };

  // "Lesion" for a lesion ROI labelled "Lesion"; "Segment VI (reference)" otherwise.
  CV.roiName = function (a, msg) {
    const role = msg["role-" + a.roi_role] || a.roi_role;
    if (!a.label) { return msg["roi-" + a.roi_role] || role; }
    return a.label.toLowerCase().indexOf(role.toLowerCase()) >= 0 ? a.label : a.label + " (" + role + ")";
  };

  CV.drawAnnotation = function (a, u, msg, regions) {
    const g = CV.svg("g", {
      class: "cv-ann cv-ann-" + a.kind + (a.roi_role ? " cv-role-" + a.roi_role : ""),
    });
    const geo = a.geometry || {};
    const text = CV.annotationText(a, msg, regions);
    const gap = 8 * u;
    if (a.kind === "point") {
      shape(g, "circle", { cx: geo.x, cy: geo.y, r: 5 * u });
      label(g, text, geo.x + gap + 2 * u, geo.y, u);
    } else if (a.kind === "arrow") {
      line(g, { x1: geo.x1, y1: geo.y1, x2: geo.x2, y2: geo.y2 });
      shape(g, "polygon", { points: arrowHead(geo.x1, geo.y1, geo.x2, geo.y2, u) });
      const left = geo.x1 < geo.x2;
      label(g, text, geo.x1 + (left ? -gap : gap), geo.y1, u, left ? "end" : "start");
    } else if (a.kind === "ellipse") {
      shape(g, "ellipse", { cx: geo.cx, cy: geo.cy, rx: geo.rx, ry: geo.ry });
      label(g, text, geo.cx, geo.cy - geo.ry - gap, u, "middle");
    } else if (a.kind === "polygon") {
      const points = geo.points || [];
      shape(g, "polygon", { points: points.map((p) => p.join(",")).join(" ") });
      if (points.length) {
        const top = points.reduce((best, p) => (p[1] < best[1] ? p : best), points[0]);
        label(g, text, top[0], top[1] - gap, u, "middle");
      }
    } else if (a.kind === "text") {
      label(g, a.label || "", geo.x, geo.y, u);
    } else if (a.kind === "measure") {
      const dx = geo.x2 - geo.x1;
      const dy = geo.y2 - geo.y1;
      const len = Math.hypot(dx, dy) || 1;
      const nx = (-dy / len) * 6 * u;
      const ny = (dx / len) * 6 * u;
      line(g, { x1: geo.x1, y1: geo.y1, x2: geo.x2, y2: geo.y2 });
      line(g, { x1: geo.x1 - nx, y1: geo.y1 - ny, x2: geo.x1 + nx, y2: geo.y1 + ny });
      line(g, { x1: geo.x2 - nx, y1: geo.y2 - ny, x2: geo.x2 + nx, y2: geo.y2 + ny });
      // The label sits beside the middle of the line, on the side away from the image centre.
      const flip = ny > 0 ? -1 : 1;
      label(g, text, (geo.x1 + geo.x2) / 2 + flip * nx * 2.2, (geo.y1 + geo.y2) / 2 + flip * ny * 2.2 - (ny === 0 ? 10 * u : 0), u, "middle");
    }
    return g;
  };

  // --- The overlay of one loop ------------------------------------------------------------------
  CV.Overlay = class {
    constructor(svg, state, msg) {
      this.svg = svg;
      this.state = state; // {annotations, loop, selected}: shared with the editor
      this.msg = msg;
      this.layer = CV.svg("g", { class: "cv-ann-layer" });
      this.handles = CV.svg("g", { class: "cv-handle-layer" });
      this.draft = CV.svg("g", { class: "cv-draft-layer" });
      svg.appendChild(this.layer);
      svg.appendChild(this.draft);
      svg.appendChild(this.handles);
      this.drawn = []; // [{annotation, node}]
      this.time = 0;
      this.hidden = false;
      if (window.ResizeObserver) {
        let last = 0;
        new ResizeObserver(() => {
          const width = svg.getBoundingClientRect().width;
          if (Math.abs(width - last) > 0.5) { last = width; this.render(); }
        }).observe(svg);
      } else {
        window.addEventListener("resize", () => this.render());
      }
    }

    setSize(columns, rows) {
      this.svg.setAttribute("viewBox", "0 0 " + columns + " " + rows);
      this.render();
    }

    units() { return unitsPerPixel(this.svg); }

    render() {
      CV.clear(this.layer);
      this.drawn = [];
      const loop = this.state.loop;
      const u = this.units();
      this.state.annotations.forEach((a) => {
        if (a.loop !== loop.id) { return; }
        const node = CV.drawAnnotation(a, u, this.msg, loop.regions);
        if (a === this.state.selected) { node.classList.add("is-selected"); }
        this.layer.appendChild(node);
        this.drawn.push({ annotation: a, node: node });
      });
      this.fitLabels(u);
      this.arrangedFor = null;
      this.update(this.time);
      this.svg.dispatchEvent(new CustomEvent("cv:rendered"));
    }

    // Labels near an edge would be cut off (phones): slide them back inside the image.
    fitLabels(u) {
      const box = this.svg.viewBox.baseVal;
      if (!box || !box.width) { return; }
      const margin = 3 * u;
      this.layer.querySelectorAll(".cv-label").forEach((text) => {
        let bbox;
        try { bbox = text.getBBox(); } catch (e) { return; }
        if (!bbox.width) { return; }
        let dx = 0;
        let dy = 0;
        if (bbox.x + bbox.width > box.width - margin) { dx = box.width - margin - (bbox.x + bbox.width); }
        if (bbox.x + dx < margin) { dx = margin - bbox.x; }
        if (bbox.y < margin) { dy = margin - bbox.y; }
        if (bbox.y + bbox.height > box.height - margin) { dy = box.height - margin - (bbox.y + bbox.height); }
        if (dx || dy) {
          text.setAttribute("x", parseFloat(text.getAttribute("x")) + dx);
          text.setAttribute("y", parseFloat(text.getAttribute("y")) + dy);
        }
      });
    }

    update(t) {
      this.time = t;
      this.layer.style.display = this.hidden ? "none" : "";
      let key = "";
      this.drawn.forEach((item, i) => {
        const visible = item.annotation === this.state.selected || CV.inTimeRange(item.annotation, t);
        item.node.style.display = visible ? "" : "none";
        item.node.classList.toggle("is-visible", visible);
        if (visible) { key += i + ","; }
      });
      if (key !== this.arrangedFor) {
        this.arrangedFor = key;
        this.separateLabels();
      }
    }

    // Labels of shapes shown together must not cover each other: each one, in drawing order,
    // moves up (then down) by its own height until it is clear of the ones placed before it.
    separateLabels() {
      const placed = [];
      const gap = 10 * this.units(); // keep labels some screen pixels apart
      const overlaps = (a, b) => a.x < b.x + b.width + gap && b.x < a.x + a.width + gap &&
        a.y < b.y + b.height && b.y < a.y + a.height;
      const box = this.svg.viewBox.baseVal;
      this.drawn.forEach((item) => {
        if (item.node.style.display === "none") { return; }
        item.node.querySelectorAll(".cv-label").forEach((text) => {
          if (!text.hasAttribute("data-y")) { text.setAttribute("data-y", text.getAttribute("y")); }
          const y0 = parseFloat(text.getAttribute("data-y"));
          text.setAttribute("y", y0);
          let bbox;
          try { bbox = text.getBBox(); } catch (e) { return; }
          if (!bbox.height) { return; }
          const step = bbox.height + 1;
          const tries = [0, -1, 1, -2, 2, -3, 3]; // labels sit above their shapes: up first
          const shift = tries.find((k) => {
            const moved = { x: bbox.x, y: bbox.y + k * step, width: bbox.width, height: bbox.height };
            const inside = moved.y >= 0 && moved.y + moved.height <= (box ? box.height : Infinity);
            return inside && !placed.some((other) => overlaps(moved, other));
          });
          const k = shift === undefined ? 0 : shift;
          if (k) { text.setAttribute("y", y0 + k * step); }
          placed.push({ x: bbox.x, y: bbox.y + k * step, width: bbox.width, height: bbox.height });
        });
      });
    }

    visibleNow() {
      return this.drawn.filter((item) => CV.inTimeRange(item.annotation, this.time)).map((item) => item.annotation);
    }

    nodeOf(annotation) {
      const item = this.drawn.find((entry) => entry.annotation === annotation);
      return item ? item.node : null;
    }

    setHidden(hidden) {
      this.hidden = hidden;
      this.update(this.time);
    }
  };
})();
