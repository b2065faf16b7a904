// Case viewer, time-intensity curves of the loop's ROIs (lesion vs reference) as an SVG chart
// drawn here (no chart library), with a playhead synced to the video, the phase bands, axis
// labels, a note ON the chart saying which intensity domain is plotted (linearised echo power,
// DR = N dB), and a parameter table per ROI. Curves are computed by the server's TIC task:
// GET tics_url_template → {status: pending|ready|failed, …}; polled while pending.
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const POLL_FIRST_MS = 1500;
  const POLL_MAX_MS = 10000;
  const POLL_GIVE_UP_MS = 10 * 60 * 1000;
  const TICK_STEPS = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300];
  // Table rows: parameter key, and whether it is a time (s), a slope, an area or an amplitude.
  const PARAMETERS = [
    ["pe", "power"], ["ttp", "time"], ["rt", "time"], ["wir", "slope"], ["wor", "slope"],
    ["ft", "time"], ["wiauc", "area"], ["woauc", "area"], ["wiwoauc", "area"], ["wipi", "power"],
    ["mtt", "time"],
  ];

  function niceStep(range, count) {
    const raw = range / Math.max(1, count);
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const unit = [1, 2, 2.5, 5, 10].find((f) => f * power >= raw) || 10;
    return unit * power;
  }

  function lognormal(t, fit) {
    const x = t - fit.t0;
    if (!(x > 0)) { return fit.offset; }
    return fit.offset + fit.auc / (Math.sqrt(2 * Math.PI) * fit.sigma * x) *
      Math.exp(-Math.pow(Math.log(x) - fit.mu, 2) / (2 * fit.sigma * fit.sigma));
  }

  CV.Tic = class {
    constructor(root, player) {
      this.root = root;
      this.player = player;
      this.msg = player.msg;
      this.template = root.getAttribute("data-tic-url");
      // Drawings with no stored curve (a consultation's): every ROI's curve is computed on
      // demand from its shape, saved or not.
      this.adHoc = root.hasAttribute("data-tic-ad-hoc");
      this.chart = root.querySelector("[data-tic-chart]");
      this.table = root.querySelector("[data-tic-table]");
      this.legend = root.querySelector("[data-tic-legend]");
      this.status = root.querySelector("[data-tic-status]");
      this.empty = root.querySelector("[data-tic-empty]");
      this.curves = {}; // key -> {roi, state: pending|ready|failed, data, timer, started}
      this.hidden = false;
      // Curves are fetched once the panel (below the video) comes on screen: a trainee
      // who only plays the loop downloads none of them before the video.
      this.seen = !window.IntersectionObserver;
      if (!this.seen) {
        const watcher = new IntersectionObserver((entries) => {
          if (!entries.some((entry) => entry.isIntersecting)) { return; }
          watcher.disconnect();
          this.seen = true;
          this.refresh();
        });
        watcher.observe(root);
      }
      player.events.on("loop", () => this.refresh());
      player.events.on("annotations", () => this.refresh());
      player.events.on("duration", () => this.draw());
      player.events.on("time", (t) => this.movePlayhead(t));
      if (window.ResizeObserver) {
        let last = 0;
        new ResizeObserver(() => {
          const width = this.chart.clientWidth;
          if (Math.abs(width - last) > 0.5) { last = width; this.draw(); }
        }).observe(this.chart);
      }
      this.chart.addEventListener("click", (event) => this.seekFromChart(event));
    }

    // Hidden (test yourself): nothing is fetched until the answers are revealed.
    setHidden(hidden) {
      this.hidden = hidden;
      if (!hidden) { this.refresh(); }
    }

    // ROIs of the current loop. Saved ones have their stored curve (computed in the background);
    // an instructor's new or changed ROI is previewed with an ad-hoc curve until it is saved.
    rois() {
      const loop = this.player.loop;
      return this.player.state.annotations.filter((a) => a.loop === loop.id && CV.isRoi(a));
    }

    isPreview(roi) {
      return !roi.id || this.player.isUnsaved(roi);
    }

    key(roi) {
      return [this.isPreview(roi) ? "preview" : roi.id, roi.roi_role, roi.kind, JSON.stringify(roi.geometry)].join("|");
    }

    url(roi) {
      const base = this.template.replace("{loop}", encodeURIComponent(roi.loop));
      if (!this.adHoc && !this.isPreview(roi)) { return base.replace("{annotation}", encodeURIComponent(roi.id)); }
      const g = roi.geometry;
      const spec = roi.kind === "ellipse" ? "ellipse:" + [g.cx, g.cy, g.rx, g.ry].join(",")
        : "polygon:" + (g.points || []).map((p) => p.join(",")).join(";");
      const ad = base.replace("{annotation}", encodeURIComponent(spec));
      return this.adHoc ? ad : ad + "&case=" + encodeURIComponent(this.player.data.id);
    }

    refresh() {
      if (this.hidden || !this.seen) { return; }
      const wanted = {};
      this.rois().forEach((roi) => {
        const key = this.key(roi);
        wanted[key] = true;
        if (!this.curves[key]) {
          this.curves[key] = { roi: roi, state: "pending", data: null, timer: null, started: Date.now(), delay: POLL_FIRST_MS };
          this.load(key);
        } else {
          this.curves[key].roi = roi; // same geometry, maybe a new label
        }
      });
      Object.keys(this.curves).forEach((key) => {
        if (!wanted[key]) {
          window.clearTimeout(this.curves[key].timer);
          delete this.curves[key];
        }
      });
      this.draw();
    }

    async load(key) {
      const entry = this.curves[key];
      if (!entry) { return; }
      const result = await CV.request(this.url(entry.roi));
      if (this.curves[key] !== entry) { return; } // removed or replaced meanwhile
      const body = result.body || {};
      if (result.ok && body.status === "ready") {
        entry.state = "ready";
        entry.data = body;
      } else if (result.ok && body.status === "failed") {
        entry.state = "failed";
        entry.error = body.error || this.msg["tic-failed"];
      } else if (Date.now() - entry.started > POLL_GIVE_UP_MS || (result.status >= 400 && result.status < 500)) {
        entry.state = "failed";
        const reason = body.detail || Object.keys(body).map((k) => [].concat(body[k])[0]).find((v) => typeof v === "string");
        entry.error = reason || this.msg["tic-failed"];
      } else {
        // pending, or a network/server hiccup: ask again, a little less often each time
        entry.timer = window.setTimeout(() => this.load(key), entry.delay);
        entry.delay = Math.min(POLL_MAX_MS, entry.delay * 1.5);
      }
      this.draw();
    }

    entries() {
      const order = { lesion: 0, reference: 1 };
      return Object.keys(this.curves).map((key) => this.curves[key])
        .sort((a, b) => (order[a.roi.roi_role] || 0) - (order[b.roi.roi_role] || 0) || (a.roi.id - b.roi.id));
    }

    roiName(roi) {
      const name = CV.roiName(roi, this.msg);
      return this.isPreview(roi) ? name + " · " + this.msg["tic-preview"] : name;
    }

    // --- Drawing ------------------------------------------------------------------------------
    draw() {
      if (this.hidden) { return; }
      const entries = this.entries();
      const ready = entries.filter((e) => e.state === "ready" && e.data && (e.data.times_s || []).length);
      this.empty.hidden = entries.length > 0;
      this.drawStatus(entries);
      this.drawLegend(entries);
      this.drawTable(ready);
      CV.clear(this.chart);
      this.chart.hidden = !ready.length;
      if (!ready.length) { return; }
      const width = Math.max(260, this.chart.clientWidth || 600);
      const height = Math.round(CV.clamp(width * 0.45, 220, 320));
      const narrow = width < 480;
      const m = { left: narrow ? 46 : 60, right: 12, top: 30, bottom: 42 };
      const plotW = width - m.left - m.right;
      const plotH = height - m.top - m.bottom;
      const duration = this.player.duration() || Math.max.apply(null, ready.map((e) => e.data.times_s[e.data.times_s.length - 1] + this.shift(e.data)));
      let top = 0;
      ready.forEach((e) => e.data.values.forEach((v) => { if (isFinite(v) && v > top) { top = v; } }));
      const yStep = niceStep(top || 1, 4);
      const yMax = Math.ceil((top || 1) / yStep) * yStep;
      const x = (t) => m.left + CV.clamp(t / duration, 0, 1) * plotW;
      const y = (v) => m.top + plotH - (v / yMax) * plotH;
      this.geometry = { x: x, m: m, plotW: plotW, duration: duration };

      const names = ready.map((e) => this.roiName(e.roi)).join(", ");
      const svg = CV.svg("svg", {
        class: "cv-tic-svg", width: width, height: height, viewBox: "0 0 " + width + " " + height,
        role: "img", "aria-label": CV.fill(this.msg["tic-chart"], { names: names }),
      });
      // phase bands behind everything
      this.player.bands().forEach((band) => {
        const end = band.end === null ? duration : Math.min(band.end, duration);
        const start = Math.max(0, band.start);
        if (end > start) {
          svg.appendChild(CV.svg("rect", { class: "cv-tic-band cv-band-" + band.phase, x: x(start), y: m.top, width: x(end) - x(start), height: plotH }));
        }
      });
      // axes and grid
      for (let v = 0; v <= yMax + yStep / 2; v += yStep) {
        svg.appendChild(CV.svg("line", { class: "cv-tic-grid", x1: m.left, x2: m.left + plotW, y1: y(v), y2: y(v) }));
        svg.appendChild(CV.svg("text", { class: "cv-tic-tick", x: m.left - 6, y: y(v), "text-anchor": "end", "dominant-baseline": "middle" }, CV.significant(v)));
      }
      const known = this.player.origin();
      const origin = known === null ? 0 : known;
      const xStep = TICK_STEPS.find((s) => (s / duration) * plotW >= (narrow ? 44 : 56)) || 300;
      for (let rel = Math.ceil(-origin / xStep) * xStep; rel + origin <= duration + 1e-9; rel += xStep) {
        svg.appendChild(CV.svg("line", { class: "cv-tic-grid", x1: x(rel + origin), x2: x(rel + origin), y1: m.top, y2: m.top + plotH }));
        svg.appendChild(CV.svg("text", { class: "cv-tic-tick", x: x(rel + origin), y: m.top + plotH + 14, "text-anchor": "middle" },
          known === null ? CV.fixed(rel, 0) : CV.signed(rel, 0)));
      }
      svg.appendChild(CV.svg("rect", { class: "cv-tic-frame", x: m.left, y: m.top, width: plotW, height: plotH }));
      svg.appendChild(CV.svg("text", { class: "cv-tic-axis", x: m.left + plotW / 2, y: height - 6, "text-anchor": "middle" },
        known === null ? this.msg["axis-loop-time"] : this.msg["axis-after-injection"]));
      svg.appendChild(CV.svg("text", {
        class: "cv-tic-axis", x: 12, y: m.top + plotH / 2, "text-anchor": "middle",
        transform: "rotate(-90 12 " + (m.top + plotH / 2) + ")",
      }, this.yLabel(ready[0].data)));
      // curves: measured samples, and the fitted bolus model where there is one
      ready.forEach((e) => {
        const data = e.data;
        const cls = "cv-tic-curve cv-role-" + (e.roi.roi_role || "none") + " cv-nth-" + this.nth(e);
        const shift = this.shift(data);
        const points = data.times_s.map((t, k) => (isFinite(data.values[k]) ? x(t + shift).toFixed(1) + "," + y(data.values[k]).toFixed(1) : null)).filter(Boolean);
        svg.appendChild(CV.svg("polyline", { class: cls, points: points.join(" ") }));
        const fit = data.parameters && data.parameters.fit;
        if (fit && fit.sigma > 0) {
          const model = [];
          for (let k = 0; k <= 200; k++) {
            const t = (duration * k) / 200;
            const v = lognormal(t - shift, fit);
            if (isFinite(v)) { model.push(x(t).toFixed(1) + "," + y(CV.clamp(v, 0, yMax)).toFixed(1)); }
          }
          svg.appendChild(CV.svg("polyline", { class: cls + " cv-tic-fit", points: model.join(" ") }));
        }
      });
      // the note ON the chart: which intensity this is
      const note = CV.svg("text", { class: "cv-tic-note", x: m.left + 6, y: m.top + 14 }, this.domainNote(ready[0].data));
      svg.appendChild(note);
      this.playhead = CV.svg("line", { class: "cv-tic-playhead", x1: 0, x2: 0, y1: m.top, y2: m.top + plotH });
      svg.appendChild(this.playhead);
      this.chart.appendChild(svg);
      this.movePlayhead(this.player.time());
    }

    // Curves come in seconds after injection when t0 is known ("injection"), else loop seconds.
    shift(data) {
      const origin = this.player.origin();
      return data.time_origin === "injection" && origin !== null ? origin : 0;
    }

    domainNote(data) {
      const dr = data.dynamic_range_db;
      if (data.domain === "linear") {
        return CV.fill(this.msg["tic-linear"], { dr: dr === null || dr === undefined ? "?" : CV.fixed(dr, 0) });
      }
      return this.msg["tic-log"];
    }

    yLabel(data) {
      return data.domain === "linear" ? this.msg["tic-y-linear"] : this.msg["tic-y-log"];
    }

    movePlayhead(t) {
      if (!this.playhead || !this.geometry) { return; }
      const px = this.geometry.x(t);
      this.playhead.setAttribute("x1", px);
      this.playhead.setAttribute("x2", px);
    }

    seekFromChart(event) {
      const g = this.geometry;
      const svg = this.chart.querySelector("svg");
      if (!g || !svg) { return; }
      const rect = svg.getBoundingClientRect();
      const px = event.clientX - rect.left;
      if (px < g.m.left || px > g.m.left + g.plotW) { return; }
      this.player.seek(((px - g.m.left) / g.plotW) * g.duration, { snap: true, pause: true });
    }

    drawStatus(entries) {
      CV.clear(this.status);
      entries.forEach((e) => {
        let text = null;
        if (e.state === "pending") { text = CV.fill(this.msg["tic-pending"], { name: this.roiName(e.roi) }); }
        if (e.state === "failed") { text = this.roiName(e.roi) + ": " + (e.error || this.msg["tic-failed"]); }
        if (e.state === "ready" && e.data && e.data.parameters && e.data.parameters.reason) {
          text = this.roiName(e.roi) + ": " + this.msg["tic-no-parameters"] + " (" + e.data.parameters.reason + ")";
        }
        if (text) {
          this.status.appendChild(CV.el("li", { class: "cv-tic-" + e.state }, text));
        }
        const warning = this.fitWarning(e);
        if (warning) {
          this.status.appendChild(CV.el("li", { class: "cv-tic-unreliable", "data-tic-unreliable": "" }, this.roiName(e.roi) + ": " + warning));
        }
      });
      this.status.hidden = !this.status.firstChild;
    }

    // The fitted model's numbers (MTT) are extrapolation when cine.tic_fit says so: a 3 s loop
    // gives an MTT of 70 s. Its reason codes, in words; null when the fit can be trusted.
    fitWarning(e) {
      const p = e.state === "ready" && e.data && e.data.parameters;
      if (!p || !p.fit || p.fit_reliable !== false) { return null; }
      const reasons = (p.fit_warnings || []).map((code) => this.msg["tic-unreliable-" + code] || code);
      return this.msg["tic-unreliable"] + " " + reasons.join("; ");
    }

    // 0 for the first ROI of its role, 1 for the second…: drawn with different dashes.
    nth(entry) {
      const same = this.entries().filter((e) => e.roi.roi_role === entry.roi.roi_role);
      return Math.min(3, same.indexOf(entry));
    }

    drawLegend(entries) {
      CV.clear(this.legend);
      entries.forEach((e) => {
        const item = CV.el("li", { class: "cv-role-" + (e.roi.roi_role || "none") + " cv-nth-" + this.nth(e) });
        item.appendChild(CV.el("span", { class: "cv-swatch", "aria-hidden": "true" }));
        item.appendChild(document.createTextNode(this.roiName(e.roi)));
        this.legend.appendChild(item);
      });
      this.legend.hidden = !entries.length;
    }

    drawTable(ready) {
      CV.clear(this.table);
      const wrap = this.table.closest("[data-tic-table-wrap]") || this.table;
      const withParameters = ready.filter((e) => e.data.parameters);
      wrap.hidden = !withParameters.length;
      if (!withParameters.length) { return; }
      const head = CV.el("thead");
      const row = CV.el("tr");
      row.appendChild(CV.el("th", { scope: "col" }, this.msg["tic-parameter"]));
      withParameters.forEach((e) => row.appendChild(CV.el("th", { scope: "col", class: "cv-role-" + e.roi.roi_role }, this.roiName(e.roi))));
      head.appendChild(row);
      this.table.appendChild(head);
      const body = CV.el("tbody");
      PARAMETERS.forEach(([key, kind]) => {
        if (!withParameters.some((e) => e.data.parameters[key] !== null && e.data.parameters[key] !== undefined)) { return; }
        const tr = CV.el("tr");
        const th = CV.el("th", { scope: "row" });
        th.appendChild(CV.el("abbr", { title: this.msg["param-" + key + "-long"] || key }, this.msg["param-" + key] || key.toUpperCase()));
        th.appendChild(CV.el("span", { class: "muted cv-unit" }, " " + (this.msg["unit-" + kind] || "")));
        tr.appendChild(th);
        withParameters.forEach((e) => {
          const value = e.data.parameters[key];
          const text = kind === "time" && value !== null && value !== undefined ? CV.fixed(value, 1) : CV.significant(value);
          const warning = key === "mtt" && value !== null && value !== undefined ? this.fitWarning(e) : null;
          // An unreliable MTT is not presented as fact: marked, with the reason on hover/tap.
          tr.appendChild(warning
            ? CV.el("td", { class: "cv-num cv-unreliable", title: warning, "data-unreliable": "" }, "(" + text + ") ⚠")
            : CV.el("td", { class: "cv-num" }, text));
        });
        body.appendChild(tr);
      });
      this.table.appendChild(body);
    }
  };
})();
