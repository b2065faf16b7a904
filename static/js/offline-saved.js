// "Saved for offline" (templates/offline/saved.html): what this device keeps, each item's size,
// Remove; the practice answers given offline and what became of them; what the last check
// with the server removed, and why. The lists live in this browser (offline.js keeps them);
// opening the page online checks them with the server first.
(function () {
  "use strict";

  const O = window.CeusOffline;
  const root = document.querySelector("[data-offline-saved]");
  if (!root) { return; }
  if (!O || !O.supported) {
    root.querySelector("[data-offline-unsupported]").hidden = false;
    return;
  }
  const msg = O.strings(root.querySelector("[data-offline-strings]"));
  const lang = document.documentElement.lang || undefined;
  const status = root.querySelector("[data-offline-status]");
  const list = root.querySelector("[data-offline-items]");
  const outbox = root.querySelector("[data-offline-outbox]");
  const notices = root.querySelector("[data-offline-notices]");

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach((name) => node.setAttribute(name, attrs[name]));
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  const day = (iso) => new Date(iso).toLocaleDateString(lang, { year: "numeric", month: "short", day: "numeric" });
  const clear = (node) => { while (node.firstChild) { node.removeChild(node.firstChild); } };

  function say(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }

  async function renderItems() {
    const found = await O.items();
    clear(list);
    root.querySelector("[data-offline-empty]").hidden = found.items.length > 0;
    found.items.forEach((item) => {
      const row = el("li", { class: "offline-item card", "data-offline-item": item.key });
      const text = el("div", { class: "offline-item-text" });
      text.appendChild(el("a", { href: item.url }, item.title));
      const facts = [msg[item.kind] || item.kind];
      if (item.context) { facts.push(item.context); }
      facts.push(O.fill(msg["saved-on"], { date: day(item.saved_at) }));
      text.appendChild(el("p", { class: "muted" }, facts.join(" · ")));
      row.appendChild(text);
      row.appendChild(el("span", { class: "offline-size", "data-offline-size": "" }, O.size(item.bytes)));
      const remove = el("button", { type: "button", class: "button secondary small", "aria-label": O.fill(msg["remove-label"], { title: item.title }) }, msg.remove);
      remove.addEventListener("click", async () => {
        remove.disabled = true;
        await O.remove(item.key);
        await render();
      });
      row.appendChild(remove);
      list.appendChild(row);
    });
    const total = root.querySelector("[data-offline-total]");
    total.hidden = found.items.length === 0;
    let text = O.fill(msg.total, { size: O.size(found.bytes) });
    if (navigator.storage && navigator.storage.estimate) {
      try {
        const estimate = await navigator.storage.estimate();
        if (estimate.quota) { text = O.fill(msg.quota, { size: O.size(found.bytes), quota: O.size(estimate.quota) }); }
      } catch (e) { /* the total alone */ }
    }
    total.textContent = text;
  }

  async function renderOutbox() {
    const entries = (await O.all("outbox")).filter((entry) => entry.owner === O.user);
    entries.sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    clear(outbox);
    root.querySelector("[data-offline-answers]").hidden = entries.length === 0;
    entries.forEach((entry) => {
      const row = el("li", { class: "offline-item card", "data-offline-answer": entry.status });
      const text = el("div", { class: "offline-item-text" });
      text.appendChild(el("strong", null, entry.quiz_title));
      text.appendChild(el("p", { class: "muted" }, O.fill(msg["answered-on"], { date: day(entry.created_at) })));
      let line;
      if (entry.status === "sent") {
        const r = entry.result;
        line = r.needs_grading ? msg["sent-pending"] : O.fill(msg.sent, { percent: O.percent(r.percent) });
      } else if (entry.status === "refused") {
        line = O.fill(msg.refused, { detail: entry.detail });
      } else {
        line = entry.detail ? O.fill(msg.held, { detail: entry.detail }) : msg.waiting;
      }
      text.appendChild(el("p", { "data-offline-answer-state": "" }, line));
      row.appendChild(text);
      if (entry.status === "sent") {
        row.appendChild(el("a", { class: "button secondary small", href: entry.result.review_url }, msg.review));
      } else if (entry.status === "refused") {
        const discard = el("button", { type: "button", class: "button secondary small" }, msg.discard);
        discard.addEventListener("click", async () => { await O.del("outbox", entry.id); await renderOutbox(); });
        row.appendChild(discard);
      }
      outbox.appendChild(row);
    });
  }

  async function renderNotices() {
    const row = await O.get("meta", "notices");
    const found = row ? row.value : [];
    clear(notices);
    root.querySelector("[data-offline-removed]").hidden = found.length === 0;
    found.forEach((notice) => {
      notices.appendChild(el("li", null, notice.title + " — " + notice.reason + " (" + day(notice.at) + ")"));
    });
  }

  async function render() {
    await Promise.all([renderItems(), renderOutbox(), renderNotices()]);
  }

  document.addEventListener("ceus-offline:sent", renderOutbox);
  document.addEventListener("ceus-offline:forgotten", render);
  window.addEventListener("offline", () => say(msg.offline));

  O.ready.then(async () => {
    await render();
    if (navigator.onLine === false) { say(msg.offline); return; }
    say(msg.checking);
    const checked = await O.sync(true).catch(() => false);
    await O.flush();
    say(checked ? msg.checked : "");
    root.setAttribute("data-offline-checked", "");
    await render();
  });
})();
