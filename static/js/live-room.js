// Live room page: wires the socket (live-socket.js) to the case viewer's player following the
// room (live-follow.js), the image layer (live-layer.js), polls (live-polls.js), questions and
// chat (live-talk.js). Hosts: the player's own controls send the matching host actions, plus
// the agenda, reveals, pointer, drawing, start/end and "take the controls". Data: the page's
// {{ data|json_script:"live-data" }} (live.selectors.pages.room_page); strings: [data-live-strings].
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const CL = window.CeusLive;

  const NO_LAYER = { options: {}, setMode() {}, setPointer() {}, setDrawings() {}, addDrawing() {}, setHeatmap() {}, setMark() {}, setKey() {} };

  function start() {
    const root = document.querySelector("[data-live-room]");
    const data = CL.readJson("live-data");
    if (!root || !data) { return; }
    const msg = CV.readStrings(root.querySelector("[data-live-strings]"));
    const isHost = root.getAttribute("data-host") === "1";
    const q = (selector) => root.querySelector(selector);
    const room = { state: null, you: { id: null, host: isHost }, status: null, annotations: new Map(), connection: msg.connecting };
    let socket = null;
    let lastLocalSeek = -Infinity;

    const errorBox = q("[data-live-error]");
    let errorTimer = null;
    function showError(text) {
      errorBox.textContent = text;
      errorBox.hidden = false;
      window.clearTimeout(errorTimer);
      errorTimer = window.setTimeout(() => { errorBox.hidden = true; }, 8000);
    }
    const send = (message) => {
      if (socket && socket.send(message)) { return true; }
      showError(msg["not-sent"]);
      return false;
    };
    const hostAction = (action) => send(Object.assign({ type: "host" }, action));

    // --- The viewer ---------------------------------------------------------------------------
    const viewerRoot = q("[data-live-viewer]");
    let player = null;
    let follower = null;
    let layer = NO_LAYER;
    if (viewerRoot && data.loops.length) {
      viewerRoot.classList.add("has-js");
      player = new CV.Player(viewerRoot, data);
      CV.player = player;
      const frameNow = () => player.frameAt(player.time());
      let pendingAb = { a: null, b: null };
      let seekTimer = null;
      const intercept = isHost ? {
        play: () => hostAction({ action: "play", frame: frameNow() }),
        pause: () => hostAction({ action: "pause", frame: frameNow() }),
        step: (args) => hostAction({ action: "step", frames: args[0] }),
        seek: (args, original) => {
          original.apply(player, args); // at once under the host's hand; the room follows
          lastLocalSeek = performance.now();
          window.clearTimeout(seekTimer);
          seekTimer = window.setTimeout(() => hostAction({ action: "seek", frame: frameNow() }), 100);
        },
        setAb: (args) => {
          pendingAb[args[0]] = frameNow();
          const a = pendingAb.a;
          const b = pendingAb.b;
          if (a !== null && b !== null && a !== b) { hostAction({ action: "ab", ab: [Math.min(a, b), Math.max(a, b)] }); }
        },
        clearAb: () => { pendingAb = { a: null, b: null }; hostAction({ action: "ab", ab: null }); },
        showLoop: (args) => hostAction({ action: "loop", loop: args[0].id, item: args[0].item }),
        rate: (rate) => hostAction({ action: "rate", rate: rate }),
      } : null;
      follower = new CL.Follower(player, {
        now: () => (socket ? socket.now() : Date.now()),
        intercept: intercept,
        onFollow: () => updateNotes(),
      });
      const apply = follower.apply.bind(follower);
      // The host's own seek under the mouse is not pulled back by the echo of its pause.
      follower.apply = (state) => {
        if (isHost && performance.now() - lastLocalSeek < 250 && state && !state.playing) { follower.state = state; return true; }
        return apply(state);
      };
      layer = new CL.Layer(player, {
        onPointer: (p) => hostAction(p ? { action: "pointer", x: p.x, y: p.y } : { action: "pointer", x: null, y: null }),
        onDraw: (points) => hostAction({ action: "draw", points: points }),
      });
    }
    const polls = new CL.Polls(root, { send: send, msg: msg, layer: layer, player: player, host: isHost, error: showError });
    const talk = new CL.Talk(root, { send: send, msg: msg });

    // --- Notes: connection, room, following ---------------------------------------------------
    const statusLine = q("[data-live-status]");
    const followButton = q("[data-follow]");
    function updateNotes() {
      const notes = [room.connection];
      const state = room.state;
      if (room.status === "scheduled") { notes.push(msg.waiting); }
      if (room.status === "live" && state && state.host_online === false) { notes.push(msg["host-reconnecting"]); }
      if (follower && !follower.following) { notes.push(msg["not-following"]); }
      statusLine.textContent = notes.join(" — ");
      statusLine.setAttribute("data-host-online", state && state.host_online === false ? "0" : "1");
      if (followButton) { followButton.hidden = isHost || !follower || follower.following; }
      if (isHost) { updateHostBar(); }
    }
    if (followButton) { followButton.addEventListener("click", () => { if (follower) { follower.rejoin(); } }); }

    // --- Applying the room --------------------------------------------------------------------
    function showAnnotations() {
      if (!player || !room.state) { return; }
      const loop = room.state.loop;
      player.state.annotations = (room.state.revealed || [])
        .map((id) => room.annotations.get(id))
        .filter(Boolean)
        .map((a) => Object.assign({}, a, { loop: loop ? loop.id : null }));
      player.changed();
    }

    function applyState(state) {
      if (!state) { return; }
      const loopChanged = !room.state || JSON.stringify(room.state.loop) !== JSON.stringify(state.loop);
      room.state = Object.assign({}, room.state || {}, state);
      if (follower && !follower.apply(room.state)) { showError(msg["loop-hidden"]); }
      if (loopChanged) { showAnnotations(); }
      layer.setPointer(state.pointer || null);
      root.setAttribute("data-loop", state.loop ? String(state.loop.id) : "");
      updateNotes();
      if (isHost) { renderAgenda(); renderReveals(); }
    }

    function onEvent(m) {
      const p = m.payload || {};
      if (m.kind === "loop" || m.kind === "clear") { layer.setDrawings([]); }
      if (m.kind === "loop") { room.annotations.clear(); }
      if (m.kind === "start") { room.status = "live"; if (isHost) { layer.setMode("pointer"); } }
      if (m.kind === "end") { room.status = "ended"; }
      if (m.kind === "reveal" && p.annotation) { room.annotations.set(p.annotation.id, p.annotation); }
      if (m.state) { applyState(m.state); }
      if (m.kind === "reveal") { showAnnotations(); if (isHost) { renderReveals(); } }
      if (m.kind === "draw") { layer.addDrawing(p); }
      if (m.kind === "pointer") { layer.setPointer(p.x === undefined ? null : p); }
      if (m.kind === "poll_open") { polls.show(p.poll); }
      if (m.kind === "poll_close") { polls.closed(p.poll, p.results); }
      if (m.kind === "poll_reveal") { polls.revealed(p.key, p.results); }
      if (m.kind === "question_asked" || m.kind === "question_answered") { talk.question(p.question); }
      if (m.kind === "question_hidden") { talk.hideQuestion(p.question.id); }
      root.setAttribute("data-seq", String(m.seq));
    }

    function onSync(m) {
      room.you = m.you;
      room.status = m.session.status;
      room.annotations = new Map((m.annotations || []).map((a) => [a.id, a]));
      room.state = null;
      talk.setYou(m.you, m.muted);
      talk.setQuestions(m.questions);
      talk.setChat(m.chat);
      applyState(m.state);
      layer.setDrawings(m.state.drawings || []);
      showAnnotations();
      polls.show(m.poll);
      root.setAttribute("data-seq", String(m.seq));
      if (isHost) { layer.setMode(room.status === "live" && drawButton && drawButton.getAttribute("aria-pressed") === "true" ? "draw" : room.status === "live" ? "pointer" : "none"); }
    }

    // --- Host tools ---------------------------------------------------------------------------
    const drawButton = q("[data-draw]");
    function updateHostBar() {
      const live = room.status === "live";
      const state = room.state || {};
      const startButton = q("[data-start]");
      const endButton = q("[data-end]");
      const drive = q("[data-drive]");
      if (startButton) { startButton.hidden = room.status !== "scheduled"; }
      if (endButton) { endButton.hidden = !live; }
      if (drive) { drive.hidden = !live || state.driver === room.you.id; }
    }
    function renderAgenda() {
      const list = q("[data-agenda-list]");
      if (!list || !player) { return; }
      const shown = room.state && room.state.loop;
      CV.clear(list);
      data.loops.forEach((entry, index) => {
        const current = !!shown && shown.id === entry.id && shown.item === entry.item;
        const label = CV.fill(msg["agenda-loop"], { n: index + 1, caption: entry.caption || "", loop: entry.id }).replace(/\s+/g, " ");
        const button = CV.el("button", { type: "button", class: "link-button", "data-agenda-loop": entry.id, "data-item": entry.item, "aria-current": current ? "true" : null }, label);
        button.disabled = current || room.status !== "live";
        button.addEventListener("click", () => hostAction({ action: "loop", loop: entry.id, item: entry.item }));
        const item = CV.el("li");
        item.appendChild(button);
        if (current) { item.appendChild(CV.el("span", { class: "muted small" }, " " + msg.showing)); }
        list.appendChild(item);
      });
    }
    function renderReveals() {
      const list = q("[data-reveal-list]");
      if (!list) { return; }
      const loop = room.state && room.state.loop;
      const revealed = (room.state && room.state.revealed) || [];
      const here = (data.annotations || []).filter((a) => loop && a.loop === loop.id && a.case === loop.case);
      CV.clear(list);
      here.forEach((a) => {
        const done = revealed.indexOf(a.id) >= 0;
        const item = CV.el("li", {}, (a.label || msg["kind-" + a.kind] || a.kind) + " ");
        const button = CV.el("button", { type: "button", class: "link-button", "data-reveal-annotation": a.id }, done ? msg.revealed : msg.reveal);
        button.disabled = done || room.status !== "live";
        button.addEventListener("click", () => hostAction({ action: "reveal", annotation: a.id }));
        item.appendChild(button);
        list.appendChild(item);
      });
      const empty = q("[data-reveal-empty]");
      if (empty) { empty.hidden = here.length > 0; }
    }
    if (isHost) {
      const bind = (selector, handler) => { const node = q(selector); if (node) { node.addEventListener("click", handler); } };
      bind("[data-start]", () => send({ type: "start" }));
      bind("[data-end]", () => send({ type: "end" }));
      bind("[data-drive]", () => hostAction({ action: "drive" }));
      bind("[data-clear]", () => hostAction({ action: "clear" }));
      bind("[data-draw]", () => {
        const on = drawButton.getAttribute("aria-pressed") !== "true";
        drawButton.setAttribute("aria-pressed", on ? "true" : "false");
        layer.setMode(on ? "draw" : room.status === "live" ? "pointer" : "none");
      });
    }

    // --- The socket ---------------------------------------------------------------------------
    socket = new CL.Socket(root.getAttribute("data-ws-path"), {
      sync: onSync,
      event: onEvent,
      pointer: (m) => layer.setPointer(m.pointer),
      question: (m) => talk.question(m.question),
      chat: (m) => talk.chat(m.message),
      chat_hidden: (m) => talk.chatHidden(m.id),
      muted: (m) => talk.mutedChanged(m.user, m.muted),
      poll_answered: (m) => polls.answered(m.value),
      poll_results: (m) => { if (polls.poll && polls.poll.id === m.poll) { polls.showResults(m.results); } },
      error: (m) => showError(m.message),
      status: (text, kind) => {
        room.connection = text;
        statusLine.setAttribute("data-connection", kind);
        updateNotes();
      },
      closed: (code) => {
        room.connection = msg["closed-" + code] || msg["closed-4410"];
        statusLine.setAttribute("data-connection", "closed-" + code);
        updateNotes();
        if (code === 4410) {
          const banner = q("[data-live-banner]");
          CV.clear(banner);
          banner.appendChild(CV.el("a", { class: "button", href: root.getAttribute("data-replay-url"), "data-replay": "" }, msg["watch-replay"]));
          banner.hidden = false;
          if (player) { player.video.pause(); }
        }
      },
    }, msg);
    socket.connect();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
