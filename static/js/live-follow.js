// Live room: the case viewer's player following the room's state (live/PROTOCOL.md): the same
// loop, the same frame, playing or paused, at the same speed and A/B segment. While playing,
// the frame is extrapolated from `frame` at `at_ms` on the server's clock, exactly as
// live.services.state.frame_at does, and the video is nudged back when it drifts. Used by the
// room (live-room.js) and the replay (live-replay.js), whose clock is the replay's.
//
// The player's own methods are wrapped: a call from the page (a button, a key, the timeline)
// goes to `intercept` (the host: sends the matching action) or makes a participant leave
// "follow the host"; calls made while applying a state go straight to the player.
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const CL = (window.CeusLive = window.CeusLive || {});
  const WRAPPED = ["play", "pause", "seek", "step", "setAb", "clearAb", "showLoop"];

  // The frame shown at server time nowMs (live.services.state.frame_at).
  CL.frameAt = function (state, nowMs) {
    const loop = state.loop;
    const frame = state.frame || 0;
    if (!loop || !state.playing) { return frame; }
    const elapsed = Math.max(0, nowMs - state.at_ms) / 1000;
    const advanced = frame + Math.floor(elapsed * loop.fps * state.rate);
    const first = state.ab ? state.ab[0] : 0;
    const last = state.ab ? state.ab[1] : loop.frames - 1;
    if (advanced <= last) { return advanced; }
    const span = last - first + 1;
    return frame >= first ? first + ((advanced - first) % span) : first + ((advanced - last - 1) % span);
  };

  CL.readJson = function (id) {
    const node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  };

  CL.Follower = class {
    // options: now() -> server ms; speed() -> extra speed factor (the replay's 2×);
    // intercept: {name: (args, original) => …} for the host; onFollow(following).
    constructor(player, options) {
      this.player = player;
      this.now = options.now;
      this.speed = options.speed || (() => 1);
      this.intercept = options.intercept || null;
      this.onFollow = options.onFollow || (() => {});
      this.following = true;
      this.applying = false;
      this.state = null;
      player.video.loop = true; // the room wraps from the last frame to the first
      WRAPPED.forEach((name) => {
        const original = CV.Player.prototype[name];
        player[name] = (...args) => {
          if (this.applying) { return original.apply(player, args); }
          if (this.intercept && this.intercept[name]) { return this.intercept[name](args, original); }
          this.leave();
          return original.apply(player, args);
        };
      });
      const speed = player.root.querySelector("[data-speed]");
      if (speed) {
        speed.addEventListener("change", () => {
          if (this.intercept && this.intercept.rate) { this.intercept.rate(parseFloat(speed.value)); } else { this.leave(); }
        });
      }
      window.setInterval(() => this.correct(), 500);
    }

    entryFor(loop) {
      const loops = this.player.loops;
      return loops.find((l) => l.id === loop.id && l.item === loop.item) || loops.find((l) => l.id === loop.id) || null;
    }

    leave() {
      if (!this.following) { return; }
      this.following = false;
      this.onFollow(false);
    }

    rejoin() {
      this.following = true;
      this.onFollow(true);
      if (this.state) { this.apply(this.state); }
    }

    // The frame the room shows now (null without a loop).
    frame() { return this.state && this.state.loop ? CL.frameAt(this.state, this.now()) : null; }

    // Show `state` (a participant who left follows again only on rejoin()); false when its
    // loop is not one this page has.
    apply(state) {
      this.state = state;
      if (!this.following || !state || !state.loop) { return true; }
      const entry = this.entryFor(state.loop);
      if (!entry) { return false; }
      const player = this.player;
      const fps = entry.fps || state.loop.fps;
      this.applying = true;
      try {
        if (player.loop !== entry) { player.showLoop(entry); }
        player.video.playbackRate = state.rate * this.speed();
        const select = player.root.querySelector("[data-speed]");
        if (select && select.querySelector("option[value='" + state.rate + "']")) { select.value = String(state.rate); }
        player.ab = state.ab ? { a: state.ab[0] / fps, b: (state.ab[1] + 1) / fps } : { a: null, b: null };
        player.updateAbLabel();
        player.timeline.updateAb();
        if (!state.playing) { player.pause(); }
        player.seek((CL.frameAt(state, this.now()) + 0.5) / fps);
        if (state.playing) { player.play(); }
      } finally {
        this.applying = false;
      }
      return true;
    }

    // While playing, keep within a few frames of the room (a slow link, a stalled video).
    correct() {
      const state = this.state;
      const player = this.player;
      if (!this.following || !state || !state.loop || !state.playing || player.video.seeking) { return; }
      if (player.loop !== this.entryFor(state.loop)) { return; }
      const fps = player.fps();
      const expected = CL.frameAt(state, this.now());
      const shown = player.frameAt(player.time());
      const tolerance = Math.max(2, Math.round(fps * 0.25 * state.rate));
      if (Math.abs(expected - shown) <= tolerance && !player.video.paused) { return; }
      this.applying = true;
      try {
        player.video.playbackRate = state.rate * this.speed();
        player.seek((expected + 0.5) / fps);
        if (player.video.paused) { player.play(); }
      } finally {
        this.applying = false;
      }
    }
  };
})();
