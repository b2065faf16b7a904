// Quizzes, taking an attempt: autosave, the countdown, "Check" (feedback "immediately") and
// Submit. Self-hosted, no libraries. The server is authoritative for everything: it refuses
// answers after the deadline, submits overdue attempts itself and submits once however often
// it is asked; this script only keeps the trainee's work safe on the way there.
//
// Autosave: every change is written first to localStorage (keyed by attempt), then PUT to the
// API (debounced while typing). An answer leaves the device's store only once the server has
// it, so a dropped connection or a reload loses nothing: pending answers are restored into the
// page and sent again on load and when the browser comes back online.
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const Q = window.CeusQuiz;
  const root = document.querySelector("[data-quiz-take]");
  const dataNode = document.getElementById("quiz-attempt");
  if (!root || !dataNode || !CV || !Q) { return; }

  const data = JSON.parse(dataNode.textContent);
  const msg = CV.readStrings(root.querySelector("[data-strings]"));
  const STORE = "ceus-quiz-attempt:" + data.id;
  const RETRY_MAX_MS = 30000;
  const saveState = root.querySelector("[data-save-state]");
  const items = new Map(); // question id -> {el, question, widget, stateEl}

  // Answers the server already held when the page was rendered: "Saved" from the start.
  const serverHadAnswers = data.questions.some((q) => q.answer && q.answer.response);
  const answerUrl = (id) => data.urls.answer.replace("{question_id}", String(id));
  const detailOf = (result) => (result.body && result.body.detail) || (result.status === 0 ? msg.network : String(result.status));

  // --- The device's store of answers the server does not have yet ------------------------------
  function loadStore() {
    try { return JSON.parse(window.localStorage.getItem(STORE)) || {}; } catch (e) { return {}; }
  }
  let pending = loadStore();
  function persist() {
    try {
      if (Object.keys(pending).length) { window.localStorage.setItem(STORE, JSON.stringify(pending)); } else { window.localStorage.removeItem(STORE); }
    } catch (e) { /* private mode or full: the page still sends the answers */ }
  }

  // --- Sending ---------------------------------------------------------------------------------
  const timers = {};
  const inflight = {};
  const failing = {}; // id -> true while the network or server fails (retrying)
  const rejected = {}; // id -> the server's message (not retried)
  const saved = {}; // id -> true once saved during this visit
  let retryTimer = null;
  let retryDelay = 2000;
  let closed = false;

  function certaintyOf(item) {
    const chosen = item.el.querySelector("[data-certainty]:checked");
    return chosen ? chosen.value : "";
  }

  function queue(id, delay) {
    const item = items.get(id);
    if (!item || item.el.hasAttribute("data-locked") || closed) { return; }
    pending[id] = { response: item.widget.read(), certainty: certaintyOf(item) };
    persist();
    delete rejected[id];
    window.clearTimeout(timers[id]);
    timers[id] = window.setTimeout(() => { delete timers[id]; send(id); }, delay || 0);
    render();
  }

  async function send(id) {
    if (inflight[id]) { await inflight[id]; }
    const entry = pending[id];
    if (!entry) { return true; }
    const body = { response: entry.response };
    if (data.quiz.certainty_based) { body.certainty = entry.certainty || ""; }
    const request = CV.request(answerUrl(id), { method: "PUT", body: body });
    inflight[id] = request;
    render();
    const result = await request;
    delete inflight[id];
    const retry = result.status === 0 || result.status >= 500 || result.status === 429;
    if (!retry && pending[id] === entry) { delete pending[id]; persist(); }
    if (result.ok) {
      delete failing[id];
      saved[id] = true;
      retryDelay = 2000;
    } else if (retry) {
      failing[id] = true;
      scheduleRetry();
    } else {
      delete failing[id];
      rejected[id] = detailOf(result);
      // 409: submitted, past the deadline or checked: the page no longer reflects the server.
      if (result.status === 409) { closed = true; window.setTimeout(() => window.location.reload(), 1500); }
    }
    render();
    return result.ok;
  }

  function scheduleRetry() {
    if (retryTimer) { return; }
    retryTimer = window.setTimeout(() => {
      retryTimer = null;
      retryDelay = Math.min(RETRY_MAX_MS, retryDelay * 2);
      resendAll();
    }, retryDelay);
  }

  function resendAll() {
    Object.keys(pending).forEach((id) => { if (!timers[id] && !inflight[id]) { send(id); } });
  }

  // Send everything now; resolves to true when the server has every answer.
  async function flush() {
    Object.keys(timers).forEach((id) => { window.clearTimeout(timers[id]); delete timers[id]; });
    await Promise.all(Object.keys(pending).map((id) => send(id)));
    return Object.keys(pending).length === 0;
  }

  function withTimeout(promise, ms) {
    return Promise.race([promise, new Promise((resolve) => window.setTimeout(() => resolve(false), ms))]);
  }

  window.addEventListener("online", () => { retryDelay = 2000; resendAll(); });
  // Leaving the page: one last try for what is still pending (it stays in the store anyway).
  window.addEventListener("pagehide", () => {
    Object.keys(pending).forEach((id) => {
      const entry = pending[id];
      CV.request(answerUrl(id), { method: "PUT", body: { response: entry.response, certainty: entry.certainty || "" }, keepalive: true });
    });
  });

  // --- Save state, for the attempt and per question ----------------------------------------------
  function render() {
    let text = "";
    let cls = "";
    const anyFailing = Object.keys(failing).some((id) => pending[id]);
    const busy = Object.keys(pending).length || Object.keys(inflight).length;
    const firstRejected = Object.keys(rejected)[0];
    if (anyFailing) {
      text = navigator.onLine === false ? msg.retrying + " · " + msg.offline : msg.retrying;
      cls = "is-error";
    } else if (busy) {
      text = msg.saving;
    } else if (firstRejected) {
      text = CV.fill(msg.rejected, { detail: rejected[firstRejected] });
      cls = "is-error";
    } else if (Object.keys(saved).length || serverHadAnswers) {
      text = msg.saved;
      cls = "is-ok";
    }
    if (saveState) {
      saveState.textContent = text;
      saveState.className = "qz-save-state " + cls;
    }
    items.forEach((item, id) => {
      let state = "";
      if (rejected[id]) { state = CV.fill(msg.rejected, { detail: rejected[id] }); } else if (failing[id] && pending[id]) { state = msg["not-saved"]; } else if (pending[id] || inflight[id]) { state = msg.saving; } else if (saved[id]) { state = msg.saved; }
      item.stateEl.textContent = state;
      item.stateEl.classList.toggle("is-error", !!(rejected[id] || (failing[id] && pending[id])));
    });
  }

  // --- Questions ---------------------------------------------------------------------------------
  data.questions.forEach((question) => {
    const el = root.querySelector('[data-question="' + question.id + '"]');
    const make = Q.widgets[question.kind];
    if (!el || !make || (question.kind in { hotspot: 1, drawn: 1, time_point: 1 } && !question.loop)) { return; }
    const widget = make(el, question, msg);
    const item = { el: el, question: question, widget: widget, stateEl: el.querySelector("[data-q-state]") };
    items.set(String(question.id), item);
    if (question.answer && question.answer.response) { widget.write(question.answer.response); }
    widget.onChange((delay) => queue(String(question.id), delay));
    el.querySelectorAll("[data-certainty]").forEach((radio) => radio.addEventListener("change", () => {
      // A certainty alone is no answer: it is sent with the response, now if there is one.
      if (widget.read() !== null || (question.answer && question.answer.response)) { queue(String(question.id), 0); }
    }));
    const check = el.querySelector("[data-check]");
    if (check) { check.addEventListener("click", () => checkAnswer(String(question.id), check)); }
  });

  // What this device still holds goes back into the page, then to the server.
  Object.keys(pending).forEach((id) => {
    const item = items.get(id);
    if (!item || item.el.hasAttribute("data-locked")) { delete pending[id]; return; }
    item.widget.write(pending[id].response);
    const radio = pending[id].certainty && item.el.querySelector('[data-certainty][value="' + pending[id].certainty + '"]');
    if (radio) { radio.checked = true; }
  });
  persist();
  resendAll();
  render();

  // --- Check (feedback "immediately") -----------------------------------------------------------
  async function checkAnswer(id, button) {
    const item = items.get(id);
    button.disabled = true;
    item.stateEl.textContent = msg.checking;
    await send(id);
    if (pending[id] || rejected[id]) { button.disabled = false; render(); return; }
    const result = await CV.request(answerUrl(id) + "check/", { method: "POST" });
    if (!result.ok) {
      button.disabled = false;
      item.stateEl.textContent = CV.fill(msg["check-failed"], { detail: detailOf(result) });
      item.stateEl.classList.add("is-error");
      return;
    }
    item.el.setAttribute("data-locked", "");
    item.widget.lock();
    item.el.querySelectorAll("[data-certainty]").forEach((radio) => { radio.disabled = true; });
    button.hidden = true;
    item.stateEl.textContent = "";
    await showFeedback(id);
  }

  // The feedback is rendered by the server (the same partial as on first load): fetch the
  // page again and take this question's feedback from it.
  async function showFeedback(id) {
    const slot = root.querySelector('[data-feedback-for="' + id + '"]');
    try {
      const response = await fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok || response.redirected) { window.location.reload(); return; }
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = doc.querySelector('[data-feedback-for="' + id + '"]');
      if (fresh && slot) {
        const node = document.importNode(fresh, true);
        slot.replaceWith(node);
        Q.initFrames(node);
      }
    } catch (e) {
      window.location.reload();
    }
  }

  // --- Countdown -----------------------------------------------------------------------------------
  const timer = root.querySelector("[data-timer]");
  if (timer) {
    const end = Date.now() + Number(timer.dataset.secondsLeft) * 1000;
    const text = timer.querySelector("[data-timer-text]");
    const announce = root.querySelector("[data-timer-announce]");
    const said = {};
    let flushed = false;
    const clock = (s) => {
      const h = Math.floor(s / 3600);
      const m = Math.floor((s % 3600) / 60);
      const sec = String(s % 60).padStart(2, "0");
      return h ? h + ":" + String(m).padStart(2, "0") + ":" + sec : m + ":" + sec;
    };
    const tick = () => {
      const left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      text.textContent = clock(left);
      timer.setAttribute("aria-label", CV.fill(msg["time-left"], { time: clock(left) }));
      timer.classList.toggle("is-low", left <= 60);
      [300, 60].forEach((mark) => {
        if (left <= mark && left > mark - 10 && !said[mark] && announce) {
          said[mark] = true;
          announce.textContent = mark === 60 ? msg["one-minute-left"] : CV.fill(msg["minutes-left"], { n: mark / 60 });
        }
      });
      // Send what is pending while the server still takes it.
      if (left <= 5 && !flushed) { flushed = true; flush(); }
      // A second after the deadline the server has (or will on this request) submitted the
      // attempt: reloading lands on its review.
      if (Date.now() >= end + 1000) {
        window.clearInterval(handle);
        text.textContent = msg["time-up"];
        closed = true;
        window.location.reload();
      }
    };
    const handle = window.setInterval(tick, 1000);
    tick();
  }

  // --- Submit ------------------------------------------------------------------------------------
  const form = root.querySelector("[data-submit-form]");
  const dialog = root.querySelector("[data-submit-dialog]");
  const submitButton = form && form.querySelector("[data-submit]");

  function unanswered() {
    const out = [];
    items.forEach((item) => {
      const server = item.question.answer && item.question.answer.response;
      if (item.widget.read() === null && !(item.el.hasAttribute("data-locked") && server)) { out.push(item.question); }
    });
    return out;
  }

  function summary() {
    const box = dialog.querySelector("[data-submit-summary]");
    CV.clear(box);
    const missing = unanswered();
    if (!missing.length) {
      box.appendChild(CV.el("p", null, msg["all-answered"]));
    } else {
      box.appendChild(CV.el("p", null, msg.unanswered));
      const list = CV.el("ul", { class: "qz-missing", "data-unanswered": "" });
      missing.forEach((q) => {
        const link = CV.el("a", { href: "#q-" + q.id }, CV.fill(msg["question-n"], { n: q.position }));
        link.addEventListener("click", () => dialog.close());
        list.appendChild(CV.el("li", null)).appendChild(link);
      });
      box.appendChild(list);
    }
    if (Object.keys(pending).length) { box.appendChild(CV.el("p", { class: "qz-warn" }, msg.unsent)); }
  }

  async function submitNow() {
    if (form.dataset.sending) { return; }
    form.dataset.sending = "1";
    submitButton.disabled = true;
    submitButton.textContent = msg.submitting;
    dialog.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    await withTimeout(flush(), 8000);
    closed = true;
    form.submit(); // a normal POST: the server submits once, whatever happens to this page
  }

  if (form && submitButton) {
    form.addEventListener("submit", (event) => {
      if (!dialog || typeof dialog.showModal !== "function") {
        // No <dialog>: submit straight away (the button still disables itself).
        event.preventDefault();
        submitNow();
        return;
      }
      event.preventDefault();
      summary();
      dialog.showModal();
    });
    dialog.querySelector("[data-submit-confirm]").addEventListener("click", submitNow);
    dialog.querySelector("[data-submit-cancel]").addEventListener("click", () => dialog.close());
  }

  Q.take = { flush: flush, pending: () => pending, items: items };
})();
