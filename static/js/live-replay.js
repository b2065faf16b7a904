// A finished session's replay: the same viewer driven through the session's events
// (live.selectors.replay) on a replay clock — each event's state applied at its `t_ms`, with
// `at_ms` read on the session's own clock (started_ms + t), so the viewer shows the frames
// the room showed; pointer, drawings, reveals, polls and questions as they were. A timeline
// with the questions and polls marked, a list of what happened (each a jump), 1× or 2×.
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const CL = window.CeusLive;
  const NO_LAYER = { options: {}, setMode() {}, setPointer() {}, setDrawings() {}, addDrawing() {}, setHeatmap() {}, setMark() {}, setKey() {} };
  const PLAYBACK = ["start", "end", "loop", "play", "pause", "seek", "step", "rate", "ab"];
  const LISTED = PLAYBACK.concat(["reveal", "poll_open", "poll_close", "poll_reveal", "question_asked", "question_answered"]);

  // The room after the first `count` events.
  function fold(data, count) {
    const room = { state: data.initial, drawings: [], pointer: null, annotations: new Map(), poll: null, questions: new Map() };
    for (let i = 0; i < count; i++) {
      const e = data.events[i];
      const p = e.payload || {};
      if (e.state) { room.state = e.state; room.pointer = e.state.pointer || null; }
      if (e.kind === "loop" || e.kind === "clear") { room.drawings = []; }
      if (e.kind === "loop") { room.annotations = new Map(); }
      if (e.kind === "draw") { room.drawings.push(p); }
      if (e.kind === "reveal" && p.annotation) { room.annotations.set(p.annotation.id, p.annotation); }
      if (e.kind === "poll_open") { room.poll = Object.assign({}, p.poll); }
      if (e.kind === "poll_close" && room.poll && room.poll.id === p.poll) { room.poll = Object.assign({}, room.poll, { open: false, results: p.results }); }
      if (e.kind === "poll_reveal" && room.poll && room.poll.id === p.poll) {
        room.poll = Object.assign({}, room.poll, { revealed: true, key: p.key, results: p.results });
      }
      if ((e.kind === "question_asked" || e.kind === "question_answered") && p.question) { room.questions.set(p.question.id, p.question); }
    }
    return room;
  }

  function clockText(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function start() {
    const root = document.querySelector("[data-live-replay]");
    const data = CL.readJson("replay-data");
    if (!root || !data) { return; }
    const msg = CV.readStrings(root.querySelector("[data-live-strings]"));
    const q = (selector) => root.querySelector(selector);
    const duration = data.duration_ms || (data.events.length ? data.events[data.events.length - 1].t_ms : 0);
    const clock = { t: 0, playing: false, speed: 1, last: 0, pinned: null };

    const viewerRoot = q("[data-live-viewer]");
    let player = null;
    let follower = null;
    let layer = NO_LAYER;
    const followButton = q("[data-follow]");
    if (viewerRoot && data.loops.length) {
      viewerRoot.classList.add("has-js");
      player = new CV.Player(viewerRoot, data);
      CV.player = player;
      follower = new CL.Follower(player, {
        now: () => data.started_ms + clock.t,
        speed: () => clock.speed,
        onFollow: (following) => { followButton.hidden = following; },
      });
      layer = new CL.Layer(player, {});
    }
    followButton.addEventListener("click", () => { if (follower) { follower.rejoin(); } });
    const polls = new CL.Polls(root, { send: () => false, msg: msg, layer: layer, player: player, host: false, readOnly: true, error() {} });
    const talk = new CL.Talk(root, { send: () => false, msg: msg, readOnly: true });
    talk.setYou({ id: null, host: false, muted: false });

    // --- Showing the room at clock.t ----------------------------------------------------------
    let shown = { count: -1, playing: null };
    function countAt(t) {
      let n = 0;
      while (n < data.events.length && data.events[n].t_ms <= t) { n++; }
      return clock.pinned !== null ? Math.min(n, clock.pinned) : n;
    }
    function effective(state) {
      if (!state || !state.loop || !state.playing || clock.playing) { return state; }
      const now = data.started_ms + clock.t; // paused replay: the frame reached, held
      return Object.assign({}, state, { playing: false, frame: CL.frameAt(state, now), at_ms: now });
    }
    function render(force) {
      const count = countAt(clock.t);
      if (!force && count === shown.count && shown.playing === clock.playing) { return; }
      const changed = count !== shown.count;
      shown = { count: count, playing: clock.playing };
      const room = fold(data, count);
      if (follower && room.state) { follower.apply(effective(room.state)); }
      if (!changed && !force) { return; }
      layer.setDrawings(room.drawings);
      layer.setPointer(room.pointer);
      if (player && room.state) {
        const loop = room.state.loop;
        player.state.annotations = Array.from(room.annotations.values()).map((a) => Object.assign({}, a, { loop: loop ? loop.id : null }));
        player.changed();
      }
      polls.show(room.poll);
      talk.setQuestions(Array.from(room.questions.values()));
      root.querySelectorAll("[data-replay-event]").forEach((b) => {
        b.classList.toggle("is-past", parseInt(b.getAttribute("data-index"), 10) < count);
      });
    }
    function showTime() {
      q("[data-replay-time]").textContent = clockText(clock.t) + " / " + clockText(duration);
      q("[data-replay-range]").value = String(clock.t);
    }

    // --- The clock ----------------------------------------------------------------------------
    const playButton = q("[data-replay-play]");
    function setPlaying(playing) {
      clock.playing = playing;
      clock.pinned = null;
      clock.last = performance.now();
      playButton.textContent = playing ? msg.pause : msg.play;
      playButton.setAttribute("aria-pressed", playing ? "true" : "false");
      if (playing && clock.t >= duration) { clock.t = 0; }
      render(true);
      if (playing) { window.requestAnimationFrame(tick); }
    }
    function tick(now) {
      if (!clock.playing) { return; }
      clock.t = Math.min(duration, clock.t + (now - clock.last) * clock.speed);
      clock.last = now;
      showTime();
      render(false);
      if (clock.t >= duration) { setPlaying(false); return; }
      window.requestAnimationFrame(tick);
    }
    function jump(t, pinned) {
      clock.t = CV.clamp(t, 0, duration);
      clock.pinned = pinned === undefined ? null : pinned;
      clock.last = performance.now();
      if (follower && !follower.following) { follower.rejoin(); }
      showTime();
      render(true);
    }
    playButton.addEventListener("click", () => setPlaying(!clock.playing));
    q("[data-replay-speed]").addEventListener("change", (event) => {
      clock.speed = parseFloat(event.target.value) || 1;
      render(true);
    });
    q("[data-replay-range]").addEventListener("input", (event) => jump(parseFloat(event.target.value) || 0));

    // --- What happened: a list of jumps, questions and polls on the track ---------------------
    const list = q("[data-replay-events]");
    const marks = q("[data-replay-marks]");
    data.events.forEach((e, index) => {
      if (LISTED.indexOf(e.kind) < 0) { return; }
      const kind = msg["kind-" + e.kind] || e.kind;
      const time = clockText(e.t_ms);
      const text = e.state && e.state.loop && PLAYBACK.indexOf(e.kind) >= 0
        ? CV.fill(msg["event-frame"], { time: time, kind: kind, frame: e.state.frame + 1 })
        : CV.fill(msg["event-at"], { time: time, kind: kind });
      const button = CV.el("button", { type: "button", class: "link-button", "data-replay-event": e.kind, "data-index": index, "data-seq": e.seq, "data-t-ms": e.t_ms }, text);
      button.addEventListener("click", () => jump(e.t_ms, index + 1));
      const item = CV.el("li");
      item.appendChild(button);
      if (e.kind === "question_asked" && e.payload.question) { item.appendChild(CV.el("span", { class: "muted small" }, " " + e.payload.question.text)); }
      list.appendChild(item);
      if (e.kind === "question_asked" || e.kind === "poll_open") {
        const mark = CV.el("button", { type: "button", class: "live-mark-" + e.kind, "data-replay-mark": e.kind, title: text, "aria-label": text });
        mark.style.left = (100 * e.t_ms / (duration || 1)) + "%";
        mark.addEventListener("click", () => jump(e.t_ms, index + 1));
        marks.appendChild(mark);
      }
    });
    showTime();
    render(true);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
