// Annotation editor, saving: PUT the whole set of annotations and phase markers; on success
// take the server's copy (ids, lengths, curve status), on failure keep every change on the page
// and list the API's errors, each linked to its shape when the message names one.
(function () {
  "use strict";

  const CV = window.CeusViewer;

  Object.assign(CV.Editor.prototype, {
    async save() {
      if (this.saving) { return; }
      if (this.draft && this.draft.kind === "polygon" && this.draft.points.length >= 3) { this.finishPolygon(); }
      this.cancelDraft();
      const payload = JSON.parse(this.serialise());
      const sentAnnotations = this.state.annotations.slice();
      this.saving = true;
      const state = this.q("[data-save-state]");
      state.textContent = this.msg.saving;
      this.showErrors([]);
      this.updateButtons();
      const result = await CV.request(this.url, { method: "PUT", body: payload });
      this.saving = false;
      if (result.ok && result.body) {
        const selectedIndex = sentAnnotations.indexOf(this.state.selected);
        this.state.annotations = result.body.annotations || [];
        this.state.markers = result.body.phase_markers || [];
        this.state.selected = selectedIndex >= 0 ? this.state.annotations[selectedIndex] || null : null;
        this.saved = this.serialise();
        this.rememberSaved();
        this.changed();
        state.textContent = this.msg.saved;
        const warnings = (result.body.warnings || []).map((w) => w.message || String(w));
        if (warnings.length) { this.showErrors(warnings, this.msg["save-warnings"]); }
        return;
      }
      // Nothing is lost: the page keeps every change, and the errors say what to fix.
      this.showErrors(this.errorLines(result, sentAnnotations));
      this.updateButtons();
      state.textContent = this.msg["save-failed"];
    },

    errorLines(result, sent) {
      if (result.status === 0) { return [this.msg["save-offline"]]; }
      const body = result.body;
      if (!body || typeof body !== "object") { return [CV.fill(this.msg["save-status"], { status: result.status })]; }
      const lines = [];
      const flatten = (value) => {
        if (value === null || value === undefined) { return []; }
        if (typeof value === "string") { return [value]; }
        if (Array.isArray(value)) { return value.reduce((all, v) => all.concat(flatten(v)), []); }
        return Object.keys(value).reduce((all, k) => all.concat(flatten(value[k]).map((t) => (k === "non_field_errors" ? t : k + ": " + t))), []);
      };
      Object.keys(body).forEach((field) => {
        const value = body[field];
        if (field === "annotations" && Array.isArray(value) && value.some((v) => v && typeof v === "object" && !Array.isArray(v))) {
          value.forEach((errors, i) => {
            const texts = flatten(errors);
            if (!texts.length) { return; }
            const a = sent[i];
            const name = a ? (this.msg["kind-" + a.kind] || a.kind) + (a.label ? " “" + a.label + "”" : "") : "#" + (i + 1);
            lines.push({ text: CV.fill(this.msg["error-annotation"], { n: i + 1, name: name }) + " " + texts.join(" "), annotation: a });
          });
        } else if (field === "annotations" && Array.isArray(value)) {
          // "Annotation 3: why" (translated): the first number says which shape, 1-based.
          flatten(value).forEach((text) => {
            const match = text.match(/\d+/);
            const a = match ? sent[parseInt(match[0], 10) - 1] : null;
            lines.push(a ? { text: text, annotation: a } : text);
          });
        } else if (field === "phase_markers" && Array.isArray(value) && value.every((v) => typeof v === "string")) {
          flatten(value).forEach((text) => lines.push(text));
        } else if (field === "phase_markers" && Array.isArray(value)) {
          value.forEach((errors, i) => {
            const texts = flatten(errors);
            if (texts.length) { lines.push(CV.fill(this.msg["error-marker"], { n: i + 1 }) + " " + texts.join(" ")); }
          });
        } else {
          flatten(value).forEach((text) => lines.push(field === "detail" || field === "non_field_errors" ? text : field + ": " + text));
        }
      });
      return lines.length ? lines : [CV.fill(this.msg["save-status"], { status: result.status })];
    },

    showErrors(lines, title) {
      const box = this.q("[data-save-errors]");
      CV.clear(box);
      box.hidden = !lines.length;
      box.classList.toggle("warning", !!title);
      box.classList.toggle("error", !title);
      if (!lines.length) { return; }
      box.appendChild(CV.el("p", null, title || this.msg["save-errors"]));
      const list = CV.el("ul");
      lines.forEach((line) => {
        const li = CV.el("li");
        if (typeof line === "string") {
          li.textContent = line;
        } else {
          const button = CV.el("button", { type: "button", class: "link-button" }, line.text);
          button.addEventListener("click", () => {
            if (line.annotation && line.annotation.loop !== this.player.loop.id) { return; }
            if (!this.editing) { this.setEditing(true); }
            this.select(line.annotation);
          });
          li.appendChild(button);
        }
        list.appendChild(li);
      });
      box.appendChild(list);
    },
  });
})();
