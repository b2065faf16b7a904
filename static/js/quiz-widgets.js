// Quizzes, the answer widgets of the questions that are not on a loop (quiz-loop.js has those):
// each turns its form controls into the response the API takes (single {"option"}, multiple
// {"options"}, numeric {"value"}, category {"value"}, ordering {"order"}, free text {"text"})
// and back. A widget: read() -> response or null (no answer), write(response), lock(),
// onChange(handler(delayMs)). Typing waits a little before saving; clicks save at once.
// Options are named by the attempt's opaque string ids (never numbers): sent back as given.
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const Q = (window.CeusQuiz = window.CeusQuiz || {});
  Q.widgets = Q.widgets || {};

  const TYPING_MS = 800;

  class Widget {
    constructor(el, question, msg) {
      this.el = el;
      this.question = question;
      this.msg = msg;
      this.handlers = [];
      this.inputs = Array.from(el.querySelectorAll(".qz-answer [data-input]"));
    }

    onChange(handler) { this.handlers.push(handler); }

    changed(delay) { this.handlers.forEach((handler) => handler(delay || 0)); }

    lock() {
      this.el.querySelectorAll(".qz-answer input, .qz-answer select, .qz-answer textarea, .qz-answer button")
        .forEach((node) => { node.disabled = true; });
    }

    listen(eventName, delay) {
      this.inputs.forEach((input) => input.addEventListener(eventName, () => this.changed(delay)));
    }
  }

  class SingleChoice extends Widget {
    constructor(el, question, msg) { super(el, question, msg); this.listen("change", 0); }

    read() {
      const chosen = this.inputs.find((input) => input.checked);
      return chosen ? { option: chosen.value } : null;
    }

    write(response) {
      this.inputs.forEach((input) => { input.checked = !!response && input.value === response.option; });
    }
  }

  class MultipleChoice extends Widget {
    constructor(el, question, msg) { super(el, question, msg); this.listen("change", 0); }

    read() {
      const ids = this.inputs.filter((input) => input.checked).map((input) => input.value);
      return ids.length ? { options: ids } : null;
    }

    write(response) {
      const ids = response && Array.isArray(response.options) ? response.options : [];
      this.inputs.forEach((input) => { input.checked = ids.indexOf(input.value) >= 0; });
    }
  }

  class NumericAnswer extends Widget {
    constructor(el, question, msg) {
      super(el, question, msg);
      this.listen("input", TYPING_MS);
      this.listen("change", 0);
    }

    read() {
      const text = this.inputs[0].value.trim();
      if (!text) { return null; }
      const value = Number(text);
      return isFinite(value) ? { value: value } : null;
    }

    write(response) {
      this.inputs[0].value = response && isFinite(response.value) ? String(response.value) : "";
    }
  }

  class CategoryAnswer extends Widget {
    constructor(el, question, msg) { super(el, question, msg); this.listen("change", 0); }

    read() { return this.inputs[0].value ? { value: this.inputs[0].value } : null; }

    write(response) { this.inputs[0].value = response && response.value ? response.value : ""; }
  }

  class FreeText extends Widget {
    constructor(el, question, msg) {
      super(el, question, msg);
      this.listen("input", TYPING_MS);
      this.listen("change", 0);
    }

    read() {
      const text = this.inputs[0].value;
      return text.trim() ? { text: text } : null;
    }

    write(response) { this.inputs[0].value = response && typeof response.text === "string" ? response.text : ""; }
  }

  // Ordering: up/down buttons (keyboard accessible, no drag and drop). The list as shown is
  // not an answer until the trainee moves something (or had saved one).
  class Ordering extends Widget {
    constructor(el, question, msg) {
      super(el, question, msg);
      this.list = el.querySelector("[data-order]");
      this.announce = el.querySelector("[data-order-announce]");
      this.touched = !!(question.answer && question.answer.response);
      this.list.addEventListener("click", (event) => {
        const button = event.target.closest("[data-move]");
        if (!button || button.disabled) { return; }
        this.move(button.closest("[data-option]"), Number(button.dataset.move), button.dataset.move);
      });
      this.refresh();
    }

    items() { return Array.from(this.list.querySelectorAll("[data-option]")); }

    move(item, delta, which) {
      const items = this.items();
      const index = items.indexOf(item);
      const target = index + delta;
      if (target < 0 || target >= items.length) { return; }
      if (delta < 0) { this.list.insertBefore(item, items[target]); } else { this.list.insertBefore(items[target], item); }
      this.touched = true;
      this.refresh();
      // Keep the focus on the same button of the moved item (or the other one at an end).
      const same = item.querySelector('[data-move="' + which + '"]');
      (same && !same.disabled ? same : item.querySelector("[data-move]:not(:disabled)") || same).focus();
      if (this.announce) {
        this.announce.textContent = CV.fill(this.msg.moved, {
          item: item.querySelector(".qz-order-text").textContent.trim(), n: this.items().indexOf(item) + 1,
        });
      }
      this.changed(0);
    }

    refresh() {
      const items = this.items();
      const locked = this.el.hasAttribute("data-locked");
      items.forEach((item, i) => {
        item.querySelector('[data-move="-1"]').disabled = locked || i === 0;
        item.querySelector('[data-move="1"]').disabled = locked || i === items.length - 1;
      });
    }

    read() { return this.touched ? { order: this.items().map((item) => item.dataset.option) } : null; }

    write(response) {
      const order = response && Array.isArray(response.order) ? response.order : null;
      if (!order) { return; }
      const byId = {};
      this.items().forEach((item) => { byId[item.dataset.option] = item; });
      order.forEach((id) => { if (byId[id]) { this.list.appendChild(byId[id]); } });
      this.touched = true;
      this.refresh();
    }

    lock() { super.lock(); this.refresh(); }
  }

  Q.widgets.single = (el, q, msg) => new SingleChoice(el, q, msg);
  Q.widgets.true_false = (el, q, msg) => new SingleChoice(el, q, msg);
  Q.widgets.multiple = (el, q, msg) => new MultipleChoice(el, q, msg);
  Q.widgets.numeric = (el, q, msg) => new NumericAnswer(el, q, msg);
  Q.widgets.category = (el, q, msg) => new CategoryAnswer(el, q, msg);
  Q.widgets.free_text = (el, q, msg) => new FreeText(el, q, msg);
  Q.widgets.ordering = (el, q, msg) => new Ordering(el, q, msg);
})();
