// Live room: polls on the image (live/PROTOCOL.md). The host launches one from the bank or on
// the spot and sees the results live — counts, a heat map of the clicks over the frame, a
// histogram on the timeline — then closes it and reveals the key. Participants answer (a
// choice, a click on the image, or the time shown now) and see the key and results once
// revealed. Also drives the replay's poll display (no sending there). Text: textContent only.
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const CL = (window.CeusLive = window.CeusLive || {});

  CL.Polls = class {
    // options: send(message) -> bool, msg, layer, player, host (bool), error(text).
    constructor(root, options) {
      this.root = root;
      this.o = options;
      this.msg = options.msg;
      this.poll = null;
      this.card = root.querySelector("[data-poll-card]");
      this.results = root.querySelector("[data-poll-results]");
      const timeline = root.querySelector("[data-timeline]");
      this.histogram = timeline ? CV.el("div", { class: "live-histogram", "data-histogram": "", hidden: true }) : null;
      if (timeline) { timeline.appendChild(this.histogram); }
      if (options.readOnly) {
        // the replay: nothing to send
      } else if (options.host) { this.bindHost(); } else { this.bindParticipant(); }
    }

    q(selector) { return this.root.querySelector(selector); }

    // --- The host ---------------------------------------------------------------------------
    bindHost() {
      const form = this.q("[data-poll-form]");
      if (!form) { return; }
      const kind = this.q("[data-poll-kind]");
      const bank = this.q("[data-poll-bank]");
      const spot = this.q("[data-spot]");
      const sync = () => {
        spot.hidden = !!bank.value;
        form.querySelectorAll("[data-choice-only]").forEach((n) => { n.hidden = kind.value !== "choice"; });
      };
      kind.addEventListener("change", sync);
      bank.addEventListener("change", sync);
      sync();
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const spec = bank.value ? { type: "poll_open", question: parseInt(bank.value, 10) } : this.spotSpec(kind.value);
        if (spec && this.o.send(spec)) { form.reset(); sync(); }
      });
      this.q("[data-poll-close]").addEventListener("click", () => this.o.send({ type: "poll_close" }));
      this.q("[data-poll-reveal]").addEventListener("click", () => {
        if (this.poll) { this.o.send({ type: "poll_reveal", poll: this.poll.id }); }
      });
    }

    spotSpec(kind) {
      const prompt = this.q("[data-poll-prompt]").value.trim();
      if (!prompt) { this.o.error(this.msg["need-prompt"]); return null; }
      const spec = { type: "poll_open", kind: kind, prompt: prompt };
      if (kind === "choice") {
        const options = this.q("[data-poll-options]").value.split("\n").map((s) => s.trim()).filter(Boolean);
        if (options.length < 2) { this.o.error(this.msg["need-options"]); return null; }
        spec.options = options;
        const key = (this.q("[data-poll-key]").value.match(/\d+/g) || []).map(Number).filter((n) => n >= 1 && n <= options.length);
        spec.multiple = key.length > 1;
        if (key.length) { spec.key = key; }
      }
      return spec;
    }

    // --- Participants -------------------------------------------------------------------------
    bindParticipant() {
      const form = this.q("[data-poll-answer-form]");
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (!this.poll) { return; }
        const chosen = Array.from(form.querySelectorAll("input:checked")).map((i) => parseInt(i.value, 10));
        if (chosen.length) { this.answer({ options: chosen }); }
      });
      this.q("[data-poll-now]").addEventListener("click", () => {
        this.answer({ time_s: Math.round(this.o.player.time() * 100) / 100 });
      });
      this.o.layer.options.onSpot = (p) => this.answer({ x: p.x, y: p.y });
    }

    answer(value) {
      if (this.poll && this.poll.open) { this.o.send({ type: "poll_answer", poll: this.poll.id, value: value }); }
    }

    // --- What comes from the room ----------------------------------------------------------------
    // A poll as the sync or a poll_open event gives it (null: none open).
    show(poll) {
      this.poll = poll;
      this.o.layer.setHeatmap(null);
      this.o.layer.setKey(null);
      this.o.layer.setMark(null);
      if (this.histogram) { this.histogram.hidden = true; }
      if (this.o.host) { this.showHost(poll); } else { this.showParticipant(poll); }
      if (poll && poll.mine) { this.answered(poll.mine); }
      if (poll && poll.results && (this.o.host || poll.revealed)) { this.showResults(poll.results); }
      if (poll && poll.revealed) { this.revealed(poll.key, poll.results); }
    }

    showHost(poll) {
      if (!this.results) { return; }
      this.results.hidden = !poll;
      if (!poll) { return; }
      this.q("[data-results-title]").textContent = poll.prompt;
      CV.clear(this.q("[data-results-list]"));
      this.q("[data-results-count]").textContent = CV.fill(this.msg.answers, { n: 0 });
      this.q("[data-poll-close]").hidden = !poll.open;
      this.q("[data-poll-reveal]").hidden = !(poll.has_key && !poll.revealed);
    }

    showParticipant(poll) {
      if (!this.card) { return; }
      this.card.hidden = !poll;
      this.o.layer.setMode("none");
      if (!poll) { return; }
      this.q("[data-poll-prompt-text]").textContent = poll.prompt;
      this.q("[data-poll-mine]").textContent = poll.open ? "" : this.msg["poll-closed"];
      this.q("[data-poll-outcome]").hidden = true;
      const form = this.q("[data-poll-answer-form]");
      CV.clear(form);
      const now = this.q("[data-poll-now]");
      now.hidden = true;
      let hint = "";
      if (!poll.open || this.o.readOnly) {
        hint = "";
      } else if (poll.kind === "choice") {
        hint = this.msg["poll-choice-hint"];
        poll.options.forEach((option) => {
          const label = CV.el("label", { class: "live-option" });
          label.appendChild(CV.el("input", { type: poll.multiple ? "checkbox" : "radio", name: "option", value: option.id }));
          label.appendChild(document.createTextNode(" " + option.text));
          form.appendChild(label);
        });
        form.appendChild(CV.el("button", { type: "submit", class: "button" }, this.msg["send-answer"]));
      } else if (poll.kind === "hotspot") {
        hint = this.msg["poll-hotspot-hint"];
        this.o.layer.setMode("spot");
      } else {
        hint = this.msg["poll-time-hint"];
        now.hidden = false;
      }
      this.q("[data-poll-hint]").textContent = hint;
    }

    answered(value) {
      if (!this.card || this.o.host) { return; }
      let text = this.msg.answered;
      if (value.time_s !== undefined) { text += " " + CV.fill(this.msg["time-answer"], { time: CV.fixed(value.time_s, 1) }); }
      if (value.x !== undefined) { this.o.layer.setMark(value); text += " " + this.msg["spot-answer"]; }
      if (value.options) {
        this.q("[data-poll-answer-form]").querySelectorAll("input").forEach((i) => { i.checked = value.options.indexOf(parseInt(i.value, 10)) >= 0; });
      }
      this.q("[data-poll-mine]").textContent = text;
    }

    // Live results (hosts) or revealed ones.
    showResults(results) {
      if (!results || !this.poll) { return; }
      const lines = [];
      if (results.counts) {
        results.counts.forEach((c) => {
          const option = this.poll.options.find((o) => o.id === c.id);
          lines.push({ text: CV.fill(this.msg["option-count"], { text: option ? option.text : c.id, n: c.count }), id: c.id, count: c.count });
        });
      }
      if (results.heatmap) {
        this.o.layer.setHeatmap(results.heatmap);
        lines.push({ text: CV.fill(this.msg["results-hotspot"], { n: results.answers }) });
      }
      if (results.histogram) {
        this.drawHistogram(results.histogram);
        lines.push({ text: CV.fill(this.msg["results-time"], { n: results.answers }) });
      }
      const list = this.o.host ? this.q("[data-results-list]") : this.q("[data-outcome-list]");
      if (list) {
        CV.clear(list);
        lines.forEach((line) => list.appendChild(CV.el("li", { "data-option": line.id, "data-count": line.count }, line.text)));
      }
      const count = this.q("[data-results-count]");
      if (count && this.o.host) { count.textContent = CV.fill(this.msg.answers, { n: results.answers }); }
      if (!this.o.host && this.q("[data-poll-outcome]")) { this.q("[data-poll-outcome]").hidden = false; }
    }

    drawHistogram(histogram) {
      const box = this.histogram;
      if (!box) { return; }
      CV.clear(box);
      box.hidden = false;
      const max = Math.max(1, ...histogram.bins);
      const duration = this.o.player.duration() || histogram.duration_s || 1;
      histogram.bins.forEach((count, index) => {
        if (!count) { return; }
        const bar = CV.el("span", { class: "live-bar", "data-bin": index, "data-count": count });
        bar.style.left = (100 * index * histogram.bin_s / duration) + "%";
        bar.style.width = (100 * histogram.bin_s / duration) + "%";
        bar.style.height = (100 * count / max) + "%";
        box.appendChild(bar);
      });
    }

    closed(pollId, results) {
      if (!this.poll || this.poll.id !== pollId) { return; }
      this.poll = Object.assign({}, this.poll, { open: false, results: results });
      if (this.o.host) {
        this.q("[data-poll-close]").hidden = true;
        this.showResults(results);
      } else if (this.card) {
        this.o.layer.setMode("none");
        CV.clear(this.q("[data-poll-answer-form]"));
        this.q("[data-poll-now]").hidden = true;
        this.q("[data-poll-hint]").textContent = "";
        this.q("[data-poll-mine]").textContent = this.msg["poll-closed"];
      }
    }

    revealed(key, results) {
      if (!this.poll) { return; }
      this.poll = Object.assign({}, this.poll, { revealed: true, key: key });
      if (this.o.host) { this.q("[data-poll-reveal]").hidden = true; }
      this.showResults(results || this.poll.results);
      const target = this.o.host ? this.q("[data-results-count]") : this.q("[data-outcome-key]");
      if (!target || !key) { return; }
      let text = "";
      if (key.options) {
        text = CV.fill(this.msg.key, { text: this.poll.options.filter((o) => key.options.indexOf(o.id) >= 0).map((o) => o.text).join(", ") });
      } else if (key.time_s !== undefined) {
        text = CV.fill(this.msg["key-time"], { time: CV.fixed(key.time_s, 1), tolerance: CV.fixed(key.tolerance || 0, 1) });
      } else if (key.geometry) {
        this.o.layer.setKey(key);
        text = this.msg["key-spot"];
      }
      if (this.o.host) { target.textContent += " · " + text; } else { target.textContent = text; }
    }
  };
})();
