// Case viewer, the timeline under the video: phase bands (arterial, portal venous, late),
// phase markers, the A/B segment, an axis in seconds after injection, and the playhead.
// The track is a keyboard-operable slider; dragging it scrubs with thumbnail previews taken
// from the loop's sprite (a horizontal strip of `count` tiles, loaded on first hover only).
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const TICK_STEPS = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300];
  const MIN_TICK_PX = 56;

  CV.Timeline = class {
    constructor(root, player, msg) {
      this.root = root;
      this.player = player;
      this.msg = msg;
      this.scrub = root.querySelector("[data-scrub]");
      this.bands = root.querySelector("[data-bands]");
      this.markers = root.querySelector("[data-markers]");
      this.ticks = root.querySelector("[data-marker-ticks]");
      this.abBox = root.querySelector("[data-ab]");
      this.playhead = root.querySelector("[data-playhead]");
      this.axis = root.querySelector("[data-axis]");
      this.legend = root.querySelector("[data-legend]");
      this.preview = root.querySelector("[data-preview]");
      this.thumb = root.querySelector("[data-thumb]");
      this.previewTime = root.querySelector("[data-preview-time]");
      this.dragging = false;
      this.markersHidden = false;
      this.bindPointer();
      this.bindKeys();
      if (window.ResizeObserver) {
        let last = 0;
        new ResizeObserver(() => {
          const width = this.scrub.clientWidth;
          if (Math.abs(width - last) > 0.5) { last = width; this.build(); }
        }).observe(this.scrub);
      }
    }

    duration() { return this.player.duration() || 1; }
    percent(t) { return (100 * CV.clamp(t / this.duration(), 0, 1)) + "%"; }

    build() {
      this.buildBands();
      this.buildMarkers();
      this.buildAxis();
      this.updateAb();
      this.update(this.player.time());
    }

    buildBands() {
      CV.clear(this.bands);
      CV.clear(this.legend);
      const duration = this.duration();
      this.player.bands().forEach((band) => {
        const start = CV.clamp(band.start, 0, duration);
        const end = CV.clamp(band.end === null ? duration : band.end, 0, duration);
        const name = this.msg["phase-" + band.phase] || band.phase;
        const range = this.player.rangeLabel(band.start, band.end);
        if (end > start) {
          const node = CV.el("div", { class: "cv-band cv-band-" + band.phase, title: name + " " + range });
          node.style.left = this.percent(start);
          node.style.width = (100 * (end - start) / duration) + "%";
          node.appendChild(CV.el("span", { class: "cv-band-label" }, name));
          this.bands.appendChild(node);
        }
        const item = CV.el("li", { class: "cv-legend-" + band.phase });
        item.appendChild(CV.el("span", { class: "cv-swatch", "aria-hidden": "true" }));
        item.appendChild(document.createTextNode(name + " "));
        item.appendChild(CV.el("span", { class: "muted" }, range));
        this.legend.appendChild(item);
      });
      this.legend.hidden = !this.legend.firstChild;
    }

    buildMarkers() {
      CV.clear(this.markers);
      CV.clear(this.ticks);
      const markers = this.markersHidden ? [] : this.player.markers();
      const width = this.scrub.clientWidth || 1;
      const rowsEnd = [];
      markers.slice().sort((a, b) => a.time_s - b.time_s).forEach((marker) => {
        const name = this.msg["marker-" + marker.kind] || marker.kind;
        const when = this.player.timeLabel(marker.time_s);
        const tick = CV.el("div", { class: "cv-tick cv-tick-" + marker.kind });
        tick.style.left = this.percent(marker.time_s);
        this.ticks.appendChild(tick);
        const button = CV.el("button", {
          type: "button", class: "cv-marker cv-marker-" + marker.kind,
          title: CV.fill(this.msg["go-to"], { name: name, time: when }),
          "aria-label": CV.fill(this.msg["go-to"], { name: name, time: when }),
        }, name);
        button.addEventListener("click", () => this.player.seek(marker.time_s, { pause: true }));
        this.markers.appendChild(button);
        // Greedy rows: a label goes to the first row where it does not overlap the previous one.
        const x = CV.clamp(marker.time_s / this.duration(), 0, 1) * width;
        const w = button.offsetWidth;
        const left = CV.clamp(x - w / 2, 0, Math.max(0, width - w));
        let row = rowsEnd.findIndex((end) => end + 4 <= left);
        if (row < 0) { row = rowsEnd.length; }
        rowsEnd[row] = left + w;
        button.style.left = left + "px";
        button.style.top = (row * 1.6) + "em";
      });
      this.markers.style.height = (Math.max(1, rowsEnd.length) * 1.6) + "em";
      this.markers.hidden = !markers.length;
    }

    buildAxis() {
      CV.clear(this.axis);
      const duration = this.duration();
      const width = this.scrub.clientWidth || 1;
      const known = this.player.origin();
      const origin = known === null ? 0 : known;
      const step = TICK_STEPS.find((s) => (s / duration) * width >= MIN_TICK_PX) || TICK_STEPS[TICK_STEPS.length - 1];
      const first = Math.ceil((0 - origin) / step) * step;
      for (let rel = first; rel + origin <= duration + 1e-9; rel += step) {
        const isOrigin = known !== null && Math.abs(rel) < 1e-9;
        const tick = CV.el("span", { class: "cv-axis-tick" + (isOrigin ? " is-origin" : "") },
          known === null ? CV.fixed(rel, 0) : CV.signed(rel, 0));
        tick.style.left = this.percent(rel + origin);
        this.axis.appendChild(tick);
      }
      this.axis.appendChild(CV.el("span", { class: "cv-axis-caption" },
        known === null ? this.msg["axis-loop-time"] : this.msg["axis-after-injection"]));
    }

    updateAb() {
      const ab = this.player.ab;
      const show = ab.a !== null || ab.b !== null;
      this.abBox.hidden = !show;
      if (!show) { return; }
      const a = ab.a === null ? 0 : ab.a;
      const b = ab.b === null ? this.duration() : ab.b;
      this.abBox.style.left = this.percent(a);
      this.abBox.style.width = (100 * Math.max(0, b - a) / this.duration()) + "%";
    }

    setMarkersHidden(hidden) {
      this.markersHidden = hidden;
      this.buildMarkers();
    }

    update(t) {
      this.playhead.style.left = this.percent(t);
      this.scrub.setAttribute("aria-valuemax", this.duration().toFixed(2));
      this.scrub.setAttribute("aria-valuenow", t.toFixed(2));
      this.scrub.setAttribute("aria-valuetext", this.player.timeLabel(t) + ", " + this.player.frameLabel(t));
    }

    // --- Scrubbing ------------------------------------------------------------------------------
    timeAt(clientX) {
      const rect = this.scrub.getBoundingClientRect();
      return CV.clamp((clientX - rect.left) / rect.width, 0, 1) * this.duration();
    }

    bindPointer() {
      const scrub = this.scrub;
      let pending = null;
      const seekSoon = (t) => {
        // One seek per animation frame while dragging: a slow network must not queue hundreds.
        if (pending === null) {
          window.requestAnimationFrame(() => { this.player.seek(pending, { snap: true }); pending = null; });
        }
        pending = t;
      };
      scrub.addEventListener("pointerdown", (event) => {
        if (event.button !== 0) { return; }
        this.dragging = true;
        this.wasPlaying = !this.player.video.paused;
        this.player.pause();
        scrub.setPointerCapture(event.pointerId);
        const t = this.timeAt(event.clientX);
        this.showPreview(event.clientX, t);
        seekSoon(t);
        event.preventDefault();
      });
      scrub.addEventListener("pointermove", (event) => {
        const t = this.timeAt(event.clientX);
        if (this.dragging) {
          seekSoon(t);
          this.showPreview(event.clientX, t);
        } else if (event.pointerType === "mouse") {
          this.showPreview(event.clientX, t);
        }
      });
      const end = (event) => {
        if (this.dragging) {
          this.dragging = false;
          if (event.type === "pointerup") { seekSoon(this.timeAt(event.clientX)); }
          if (this.wasPlaying) { this.player.play(); }
        }
        if (event.pointerType !== "mouse" || event.type === "pointerleave") { this.preview.hidden = true; }
      };
      scrub.addEventListener("pointerup", end);
      scrub.addEventListener("pointercancel", end);
      scrub.addEventListener("pointerleave", (event) => { if (!this.dragging) { end(event); } });
    }

    bindKeys() {
      this.scrub.addEventListener("keydown", (event) => {
        const t = this.player.time();
        let target = null;
        if (event.key === "Home") { target = 0; }
        if (event.key === "End") { target = this.duration(); }
        if (event.key === "PageUp") { target = t + 5; }
        if (event.key === "PageDown") { target = t - 5; }
        if (target !== null) {
          event.preventDefault();
          this.player.seek(target, { snap: true, pause: true });
        }
      });
    }

    showPreview(clientX, t) {
      const loop = this.player.loop;
      const sprite = loop.thumbnails || {};
      const rect = this.scrub.getBoundingClientRect();
      this.previewTime.textContent = this.player.timeLabel(t) + " · " + this.player.frameLabel(t);
      const indices = sprite.frame_indices || [];
      if (loop.thumbnails_url && indices.length && sprite.tile_width && sprite.tile_height) {
        const frame = this.player.frameAt(t);
        let best = 0;
        indices.forEach((index, i) => {
          if (Math.abs(index - frame) < Math.abs(indices[best] - frame)) { best = i; }
        });
        const scale = Math.min(1, 160 / sprite.tile_width);
        const w = Math.round(sprite.tile_width * scale);
        const h = Math.round(sprite.tile_height * scale);
        const url = loop.thumbnails_url;
        if (this.thumb.dataset.url !== url) {
          this.thumb.dataset.url = url;
          this.thumb.style.backgroundImage = "url(\"" + url.replace(/"/g, "%22") + "\")";
        }
        this.thumb.style.width = w + "px";
        this.thumb.style.height = h + "px";
        this.thumb.style.backgroundSize = (indices.length * w) + "px " + h + "px";
        this.thumb.style.backgroundPosition = (-best * w) + "px 0";
        this.thumb.hidden = false;
      } else {
        this.thumb.hidden = true;
      }
      this.preview.hidden = false;
      const half = this.preview.offsetWidth / 2;
      this.preview.style.left = CV.clamp(clientX - rect.left, half, Math.max(half, rect.width - half)) + "px";
    }
  };
})();
