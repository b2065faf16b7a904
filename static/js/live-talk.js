// Live room: questions (asked, up-voted, marked answered or hidden by a host) and chat (a host
// hides a message or mutes its author). Every text is set with textContent; the inputs count
// their characters; a muted participant's inputs are disabled (the server refuses anyway).
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const CL = (window.CeusLive = window.CeusLive || {});
  const MAX = 500;

  CL.Talk = class {
    // options: send(message) -> bool, msg, readOnly (the replay).
    constructor(root, options) {
      this.root = root;
      this.o = options;
      this.msg = options.msg;
      this.you = { id: null, host: false, muted: false };
      this.questions = new Map();
      this.voted = new Set();
      this.muted = new Set();
      this.qList = root.querySelector("[data-question-list]");
      this.cList = root.querySelector("[data-chat-list]");
      if (!options.readOnly) {
        this.form(root.querySelector("[data-ask-form]"), "ask");
        this.form(root.querySelector("[data-chat-form]"), "chat");
      }
    }

    form(form, type) {
      if (!form) { return; }
      const input = form.querySelector("[name=text]");
      const counter = form.querySelector("[data-counter]");
      const count = () => { if (counter) { counter.textContent = CV.fill(this.msg.counter, { n: input.value.length, max: MAX }); } };
      input.addEventListener("input", count);
      count();
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const text = input.value.trim();
        if (!text) { return; }
        if (this.o.send({ type: type, text: text })) { input.value = ""; count(); }
      });
    }

    setYou(you, muted) {
      this.you = you;
      this.muted = new Set(muted || []);
      this.applyMuted();
    }

    applyMuted() {
      this.root.querySelectorAll("[data-ask-form], [data-chat-form]").forEach((form) => {
        form.querySelectorAll("textarea, input, button").forEach((n) => { n.disabled = !!this.you.muted; });
      });
      const note = this.root.querySelector("[data-live-banner]");
      if (note && this.you.muted) { note.hidden = false; note.textContent = this.msg.muted; }
    }

    // --- Questions ----------------------------------------------------------------------------
    setQuestions(list) {
      this.questions = new Map();
      (list || []).forEach((q) => this.questions.set(q.id, q));
      this.renderQuestions();
    }

    question(q) {
      this.questions.set(q.id, q);
      this.renderQuestions();
    }

    hideQuestion(id) {
      this.questions.delete(id);
      this.renderQuestions();
    }

    renderQuestions() {
      if (!this.qList) { return; }
      CV.clear(this.qList);
      const list = Array.from(this.questions.values()).sort((a, b) => b.votes - a.votes || (a.asked_at < b.asked_at ? -1 : 1));
      list.forEach((q) => {
        const item = CV.el("li", { class: "live-question" + (q.answered ? " is-answered" : ""), "data-question": q.id });
        item.appendChild(CV.el("p", { class: "live-question-text" }, q.text));
        const meta = CV.el("p", { class: "muted small" });
        meta.appendChild(CV.el("span", {}, q.author.name + " · "));
        meta.appendChild(CV.el("span", { "data-votes": q.votes }, CV.fill(this.msg.votes, { n: q.votes })));
        if (q.answered) { meta.appendChild(CV.el("span", { class: "badge", "data-answered": "" }, this.msg["answered-badge"])); }
        item.appendChild(meta);
        if (!this.o.readOnly) {
          const actions = CV.el("p", { class: "live-item-actions" });
          if (!this.you.host && q.author.id !== this.you.id && !this.voted.has(q.id)) {
            actions.appendChild(this.button(this.msg.upvote, "data-upvote", () => {
              if (this.o.send({ type: "upvote", question: q.id })) { this.voted.add(q.id); this.renderQuestions(); }
            }));
          }
          if (this.you.host && !q.answered) {
            actions.appendChild(this.button(this.msg["mark-answered"], "data-mark-answered", () => this.o.send({ type: "answered", question: q.id })));
          }
          if (this.you.host) {
            actions.appendChild(this.button(this.msg.hide, "data-hide-question", () => this.o.send({ type: "hide_question", question: q.id })));
          }
          item.appendChild(actions);
        }
        this.qList.appendChild(item);
      });
    }

    button(text, attr, handler) {
      const b = CV.el("button", { type: "button", class: "link-button" }, text);
      b.setAttribute(attr, "");
      b.addEventListener("click", handler);
      return b;
    }

    // --- Chat ---------------------------------------------------------------------------------
    setChat(list) {
      if (!this.cList) { return; }
      CV.clear(this.cList);
      (list || []).forEach((m) => this.chat(m));
    }

    chat(m) {
      if (!this.cList) { return; }
      const item = CV.el("li", { class: "live-chat-item", "data-chat": m.id });
      item.appendChild(CV.el("strong", {}, m.author.name + ": "));
      item.appendChild(CV.el("span", { class: "live-chat-text" }, m.text));
      if (this.you.host && !this.o.readOnly) {
        item.appendChild(this.button(this.msg.hide, "data-hide-chat", () => this.o.send({ type: "hide_chat", message: m.id })));
        if (m.author.id !== this.you.id) {
          const muted = this.muted.has(m.author.id);
          item.appendChild(this.button(muted ? this.msg.unmute : this.msg.mute, "data-mute",
            () => this.o.send({ type: this.muted.has(m.author.id) ? "unmute" : "mute", user: m.author.id })));
        }
      }
      this.cList.appendChild(item);
      while (this.cList.children.length > 200) { this.cList.removeChild(this.cList.firstChild); }
      this.cList.scrollTop = this.cList.scrollHeight;
    }

    chatHidden(id) {
      const item = this.cList && this.cList.querySelector("[data-chat='" + id + "']");
      if (item) { item.remove(); }
    }

    mutedChanged(userId, muted) {
      if (muted) { this.muted.add(userId); } else { this.muted.delete(userId); }
      if (userId === this.you.id) {
        this.you.muted = muted;
        this.applyMuted();
        const note = this.root.querySelector("[data-live-banner]");
        if (note && !muted) { note.hidden = true; }
      }
    }
  };
})();
