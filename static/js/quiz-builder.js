// Quiz builder: narrows the loop, annotation and category lists to what was chosen, and shows
// the chosen loop at a moment with an SVG overlay in the loop's ORIGINAL pixels (its viewBox),
// where the author drags an ellipse or clicks a polygon as the answer region. The region goes
// into a hidden field as {"kind", "geometry"}; the server checks it again (clean_geometry).
// Every page also works without JavaScript: the region can be copied from an annotation.
(function () {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  const round = (v) => Math.round(v * 10) / 10;
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

  function svg(name, attrs) {
    const el = document.createElementNS(SVG_NS, name);
    Object.keys(attrs).forEach((key) => el.setAttribute(key, attrs[key]));
    return el;
  }

  // Show only the options `keep(option)` accepts; clear the choice when it was hidden.
  function narrow(select, keep) {
    if (!select) { return; }
    Array.from(select.options).forEach((option) => {
      const shown = !option.value || keep(option);
      option.hidden = !shown;
      option.disabled = !shown;
    });
    Array.from(select.querySelectorAll("optgroup")).forEach((group) => {
      group.hidden = !Array.from(group.children).some((option) => !option.hidden);
    });
    const chosen = select.options[select.selectedIndex];
    if (chosen && chosen.hidden) { select.value = ""; }
  }

  const form = document.querySelector("[data-question-form]");
  if (!form) { return; }
  const caseSelect = form.querySelector("[data-case-select]");
  const loopSelect = form.querySelector("[data-loop-select]");
  const annotationSelect = form.querySelector("[data-annotation-select]");
  const vocabularySelect = form.querySelector("[data-vocabulary-select]");
  const categorySelect = form.querySelector("[data-category-select]");
  const roiInput = form.querySelector("[data-roi-input]");
  const editor = form.querySelector("[data-loop-editor]");

  function narrowLoops() {
    if (!caseSelect || !loopSelect) { return; }
    const byCase = JSON.parse(loopSelect.getAttribute("data-case-loops") || "{}");
    const allowed = (byCase[caseSelect.value] || []).map(String);
    narrow(loopSelect, (option) => allowed.indexOf(option.value) >= 0);
  }

  function narrowAnnotations() {
    if (!annotationSelect) { return; }
    const loop = loopSelect ? loopSelect.value : "";
    narrow(annotationSelect, (option) => option.getAttribute("data-loop") === loop);
  }

  function narrowCategories() {
    if (!vocabularySelect || !categorySelect) { return; }
    const list = vocabularySelect.value;
    narrow(categorySelect, (option) =>
      (option.getAttribute("data-vocabulary") || "").split(" ").indexOf(list) >= 0);
  }

  if (vocabularySelect) {
    vocabularySelect.addEventListener("change", narrowCategories);
    narrowCategories();
  }
  narrowLoops();
  narrowAnnotations();

  if (!editor) {
    if (caseSelect) { caseSelect.addEventListener("change", narrowLoops); }
    return;
  }

  // --- The loop at a moment ------------------------------------------------------------------

  const video = editor.querySelector("[data-video]");
  const overlay = editor.querySelector("[data-overlay]");
  const stage = editor.querySelector("[data-stage]");
  const scrubber = editor.querySelector("[data-scrubber]");
  const timeLabel = editor.querySelector("[data-time-label]");
  const status = editor.querySelector("[data-status]");
  const finishButton = editor.querySelector("[data-finish]");
  const summary = form.querySelector("[data-roi-summary]");
  const msg = (name) => editor.getAttribute("data-msg-" + name) || "";
  const timeField = (name) => form.querySelector("[name=" + name + "]");
  let size = null; // [columns, rows] of the chosen loop

  function say(text) { if (status) { status.textContent = text; } }

  function seek(seconds) {
    const t = clamp(Number(seconds) || 0, 0, Number(scrubber.max) || 0);
    scrubber.value = t;
    timeLabel.textContent = t.toFixed(2) + " s";
    if (video.readyState >= 1) { video.currentTime = t; }
  }

  function startTime() {
    const field = timeField("frame_time_s") || timeField("time_s");
    return field && field.value !== "" ? Number(field.value) : 0;
  }

  function showLoop() {
    const option = loopSelect && loopSelect.options[loopSelect.selectedIndex];
    const src = option ? option.getAttribute("data-video") : "";
    const columns = option ? Number(option.getAttribute("data-columns")) : 0;
    const rows = option ? Number(option.getAttribute("data-rows")) : 0;
    if (!src || !columns || !rows) {
      editor.hidden = true;
      size = null;
      return;
    }
    editor.hidden = false;
    size = [columns, rows];
    stage.style.aspectRatio = columns + " / " + rows;
    overlay.setAttribute("viewBox", "0 0 " + columns + " " + rows);
    scrubber.max = Number(option.getAttribute("data-duration")) || 0;
    if (video.getAttribute("src") !== src) {
      video.setAttribute("poster", option.getAttribute("data-poster") || "");
      video.setAttribute("src", src);
    }
    seek(startTime());
    draw();
  }

  video.addEventListener("loadedmetadata", () => {
    if (!Number(scrubber.max) && isFinite(video.duration)) { scrubber.max = video.duration; }
    seek(scrubber.value);
  });
  scrubber.addEventListener("input", () => seek(scrubber.value));
  editor.querySelectorAll("[data-use-time]").forEach((button) => {
    button.addEventListener("click", () => {
      const field = timeField(button.getAttribute("data-use-time"));
      if (field) { field.value = Number(scrubber.value).toFixed(2); }
      say(msg("time-set"));
    });
  });
  ["frame_time_s", "time_s"].forEach((name) => {
    const field = timeField(name);
    if (field) { field.addEventListener("change", () => seek(field.value)); }
  });
  if (caseSelect) {
    caseSelect.addEventListener("change", () => { narrowLoops(); narrowAnnotations(); showLoop(); });
  }
  if (loopSelect) {
    loopSelect.addEventListener("change", () => { narrowAnnotations(); showLoop(); });
  }

  // --- The answer region ---------------------------------------------------------------------

  let tool = null;
  let draft = []; // polygon points, or [start] of an ellipse drag
  let cursor = null;

  function region() {
    if (annotationSelect && annotationSelect.value) {
      const option = annotationSelect.options[annotationSelect.selectedIndex];
      try { return JSON.parse(option.getAttribute("data-roi") || "null"); } catch (e) { return null; }
    }
    if (!roiInput || !roiInput.value) { return null; }
    try { return JSON.parse(roiInput.value); } catch (e) { return null; }
  }

  function shapeElement(r, cls) {
    const g = r.geometry || {};
    if (r.kind === "ellipse") {
      return svg("ellipse", { class: cls, cx: g.cx, cy: g.cy, rx: g.rx, ry: g.ry });
    }
    if (r.kind === "polygon" && Array.isArray(g.points)) {
      return svg("polygon", { class: cls, points: g.points.map((p) => p.join(",")).join(" ") });
    }
    return null;
  }

  function draw() {
    if (!overlay) { return; }
    while (overlay.firstChild) { overlay.removeChild(overlay.firstChild); }
    const r = region();
    const shape = r && shapeElement(r, "roi-shape");
    if (shape) { overlay.appendChild(shape); }
    if (summary) { summary.textContent = r ? (annotationSelect && annotationSelect.value ? msg("copied") : msg("region-set")) : ""; }
    if (tool === "polygon" && draft.length) {
      const all = cursor ? draft.concat([cursor]) : draft;
      overlay.appendChild(svg("polyline", { class: "roi-draft", points: all.map((p) => p.join(",")).join(" ") }));
      overlay.appendChild(svg("circle", { class: "roi-first", cx: draft[0][0], cy: draft[0][1], r: unit() * 6 }));
    } else if (tool === "ellipse" && draft.length && cursor) {
      const p = draft[0];
      overlay.appendChild(svg("ellipse", {
        class: "roi-draft", cx: (p[0] + cursor[0]) / 2, cy: (p[1] + cursor[1]) / 2,
        rx: Math.abs(cursor[0] - p[0]) / 2, ry: Math.abs(cursor[1] - p[1]) / 2,
      }));
    }
  }

  // Image pixels per CSS pixel of the overlay.
  function unit() {
    const rect = overlay.getBoundingClientRect();
    return size && rect.width ? size[0] / rect.width : 1;
  }

  function toImage(event) {
    const rect = overlay.getBoundingClientRect();
    return [
      round(clamp((event.clientX - rect.left) / rect.width * size[0], 0, size[0])),
      round(clamp((event.clientY - rect.top) / rect.height * size[1], 0, size[1])),
    ];
  }

  function commit(kind, geometry) {
    roiInput.value = JSON.stringify({ kind: kind, geometry: geometry });
    if (annotationSelect) { annotationSelect.value = ""; }
    draft = [];
    cursor = null;
    setTool(null);
    say(msg("drawn"));
  }

  function setTool(name) {
    tool = name;
    draft = [];
    cursor = null;
    editor.querySelectorAll("[data-tool]").forEach((button) => {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-tool") === name));
    });
    overlay.classList.toggle("is-drawing", Boolean(name));
    if (finishButton) { finishButton.hidden = name !== "polygon"; }
    draw();
  }

  function closePolygon() {
    if (draft.length < 3) { say(msg("need-points")); return; }
    commit("polygon", { points: draft });
  }

  editor.querySelectorAll("[data-tool]").forEach((button) => {
    button.addEventListener("click", () => {
      const name = button.getAttribute("data-tool");
      setTool(tool === name ? null : name);
      if (tool) { video.pause(); }
    });
  });
  if (finishButton) { finishButton.addEventListener("click", closePolygon); }
  const clearButton = editor.querySelector("[data-clear]");
  if (clearButton) {
    clearButton.addEventListener("click", () => {
      if (roiInput) { roiInput.value = ""; }
      if (annotationSelect) { annotationSelect.value = ""; }
      setTool(null);
      say(msg("cleared"));
    });
  }
  if (annotationSelect) { annotationSelect.addEventListener("change", () => { if (annotationSelect.value && roiInput) { roiInput.value = ""; } draw(); }); }

  overlay.addEventListener("pointerdown", (event) => {
    if (!tool || !size) { return; }
    event.preventDefault();
    const p = toImage(event);
    if (tool === "ellipse") {
      draft = [p];
      cursor = p;
      overlay.setPointerCapture(event.pointerId);
    } else {
      const first = draft[0];
      const near = first && Math.hypot(first[0] - p[0], first[1] - p[1]) <= unit() * 8;
      if (near && draft.length >= 3) { closePolygon(); return; }
      draft.push(p);
    }
    draw();
  });
  overlay.addEventListener("pointermove", (event) => {
    if (!tool || !size || !draft.length) { return; }
    cursor = toImage(event);
    draw();
  });
  overlay.addEventListener("pointerup", (event) => {
    if (tool !== "ellipse" || !draft.length) { return; }
    const a = draft[0];
    const b = toImage(event);
    const rx = Math.abs(b[0] - a[0]) / 2;
    const ry = Math.abs(b[1] - a[1]) / 2;
    if (rx < 1 || ry < 1) { draft = []; cursor = null; draw(); return; }
    commit("ellipse", { cx: round((a[0] + b[0]) / 2), cy: round((a[1] + b[1]) / 2), rx: round(rx), ry: round(ry) });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && tool) { setTool(null); }
    if (event.key === "Enter" && tool === "polygon" && draft.length) { event.preventDefault(); closePolygon(); }
  });

  showLoop();
})();
