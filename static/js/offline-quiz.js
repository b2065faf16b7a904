// A practice quiz's offline paper (templates/offline/quiz_take.html): the answer widgets of an
// attempt (quiz-widgets.js, quiz-loop.js), with the answers kept on this device — as they are
// given (IndexedDB "drafts", so a reload or a closed tab loses nothing), and when the trainee
// finishes, in the outbox with an id made here (offline.js sends it, now or when the
// connection is back; the server scores it once per id). Nothing here scores or shows a key.
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const Q = window.CeusQuiz;
  const O = window.CeusOffline;
  const root = document.querySelector("[data-offline-quiz]");
  const node = document.getElementById("offline-paper");
  if (!root || !node || !CV || !Q) { return; }

  const data = JSON.parse(node.textContent);
  const msg = Object.assign(
    CV.readStrings(root.querySelector("[data-strings]")),
    CV.readStrings(root.querySelector("[data-offline-quiz-strings]")),
  );
  const state = root.querySelector("[data-save-state]");
  const count = root.querySelector("[data-offline-count]");
  const finish = root.querySelector("[data-offline-finish]");
  const result = root.querySelector("[data-offline-result]");
  const resultText = root.querySelector("[data-offline-result-text]");
  const items = new Map(); // question id -> {el, widget}
  let sentId = null;

  // Checking an answer needs the server: offline the feedback comes with the score.
  root.querySelectorAll("[data-check]").forEach((button) => button.closest(".qz-check-row").remove());

  if (!O || !O.supported) {
    finish.disabled = true;
    state.textContent = msg.unsupported;
    state.className = "qz-save-state is-error";
    return;
  }

  function certaintyOf(el) {
    const chosen = el.querySelector("[data-certainty]:checked");
    return chosen ? chosen.value : "";
  }

  function answers() {
    const out = [];
    items.forEach((item, id) => {
      const response = item.widget.read();
      if (response !== null) { out.push({ question: Number(id), response: response, certainty: certaintyOf(item.el) }); }
    });
    return out;
  }

  function showCount() {
    count.textContent = CV.fill(msg.count, { answered: answers().length, total: items.size });
  }

  let draftTimer = null;
  function keepDraft(delay) {
    showCount();
    window.clearTimeout(draftTimer);
    draftTimer = window.setTimeout(async () => {
      await O.put("drafts", { paper: data.paper, owner: O.user, answers: answers(), saved_at: new Date().toISOString() });
      state.textContent = msg.kept;
      state.className = "qz-save-state is-ok";
    }, delay || 0);
  }

  data.questions.forEach((question) => {
    const el = root.querySelector('[data-question="' + question.id + '"]');
    const make = Q.widgets[question.kind];
    if (!el || !make || (question.kind in { hotspot: 1, drawn: 1, time_point: 1 } && !question.loop)) { return; }
    const widget = make(el, question, msg);
    items.set(String(question.id), { el: el, widget: widget });
    widget.onChange((delay) => keepDraft(delay));
    el.querySelectorAll("[data-certainty]").forEach((radio) => radio.addEventListener("change", () => keepDraft(0)));
  });

  // What this device kept of an earlier visit goes back into the page.
  O.ready.then(() => O.get("drafts", data.paper)).then((draft) => {
    if (!draft || draft.owner !== O.user) { return; }
    draft.answers.forEach((answer) => {
      const item = items.get(String(answer.question));
      if (!item) { return; }
      item.widget.write(answer.response);
      const radio = answer.certainty && item.el.querySelector('[data-certainty][value="' + answer.certainty + '"]');
      if (radio) { radio.checked = true; }
    });
    showCount();
  }).catch(() => {});
  showCount();

  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function showOutcome(entry) {
    result.hidden = false;
    const review = root.querySelector("[data-offline-review]");
    const again = root.querySelector("[data-offline-again]");
    if (entry.status === "sent") {
      const r = entry.result;
      resultText.textContent = r.needs_grading ? msg["sent-pending"] : CV.fill(msg.sent, { percent: O.percent(r.percent) });
      review.href = r.review_url;
      review.hidden = false;
      again.hidden = false;
    } else if (entry.status === "refused") {
      resultText.textContent = CV.fill(msg.refused, { detail: entry.detail });
    } else {
      resultText.textContent = entry.detail ? CV.fill(msg.held, { detail: entry.detail }) : msg.waiting;
    }
  }

  document.addEventListener("ceus-offline:sent", (event) => {
    if (sentId && event.detail.id === sentId) { showOutcome(event.detail); }
  });

  finish.addEventListener("click", async () => {
    if (sentId) { return; }
    window.clearTimeout(draftTimer);
    finish.disabled = true;
    sentId = newId();
    const entry = {
      id: sentId,
      paper: data.paper,
      quiz: data.quiz.id,
      quiz_title: data.quiz.title,
      take_url: window.location.pathname,
      answers: answers(),
    };
    items.forEach((item) => {
      item.widget.lock();
      item.el.querySelectorAll("[data-certainty]").forEach((radio) => { radio.disabled = true; });
    });
    await O.del("drafts", data.paper);
    showOutcome({ status: "waiting", detail: "" });
    if (navigator.onLine !== false) { resultText.textContent = msg.sending; }
    finish.hidden = true;
    await O.queue(entry);
    const now = await O.get("outbox", sentId);
    if (now) { showOutcome(now); }
  });
})();
