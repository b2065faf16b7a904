// Case viewer, watch-time heartbeats: only time during which the video really plays counts
// (any speed; not while paused, seeking, buffering or scrubbed), sent about every 5 s of such
// playback and when playback stops or the page is left. The server decides when the case is
// "reviewed" and says so in its answer: {watched_s, required_s, reviewed}.
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const SAMPLE_MS = 250;
  const SEND_EVERY_S = 5;
  const MAX_STEP_S = 0.5; // a throttled timer (background tab) never counts more than this at once

  CV.Watch = class {
    constructor(player, url) {
      this.player = player;
      this.url = url;
      this.unsent = 0;
      this.timer = null;
      this.last = null;
      this.lastPosition = null;
      this.badge = player.root.querySelector("[data-reviewed]");
      this.progress = player.root.querySelector("[data-watch-progress]");
      const video = player.video;
      video.addEventListener("playing", () => this.start());
      video.addEventListener("pause", () => { this.sample(); this.stop(); this.send(false); });
      video.addEventListener("ended", () => { this.sample(); this.stop(); this.send(false); });
      player.events.on("before-loop", (loop) => { this.sample(); this.stop(); this.send(false, loop); });
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "hidden") { this.sample(); this.send(true); }
      });
      window.addEventListener("pagehide", () => { this.sample(); this.send(true); });
    }

    start() {
      if (this.timer) { return; }
      this.last = performance.now();
      this.lastPosition = this.player.video.currentTime;
      this.timer = window.setInterval(() => this.sample(), SAMPLE_MS);
    }

    stop() {
      if (this.timer) { window.clearInterval(this.timer); }
      this.timer = null;
      this.last = null;
    }

    sample() {
      if (this.last === null) { return; }
      const video = this.player.video;
      const now = performance.now();
      const position = video.currentTime;
      // The timer only runs between "playing" and "pause"; within that, time counts only when
      // the picture really moved (not while buffering) and not across a seek.
      if (!video.seeking && position !== this.lastPosition) {
        this.unsent += Math.min((now - this.last) / 1000, MAX_STEP_S);
      }
      this.last = now;
      this.lastPosition = position;
      if (this.unsent >= SEND_EVERY_S) { this.send(false); }
    }

    async send(leaving, loop) {
      const played = Math.round(this.unsent * 100) / 100;
      if (played < 0.1) { return; }
      this.unsent = 0;
      const body = {
        loop: (loop || this.player.loop).id,
        played_s: played,
        position_s: Math.round(this.player.video.currentTime * 1000) / 1000,
      };
      const result = await CV.request(this.url, { method: "POST", body: body, keepalive: leaving });
      if (!result.ok) {
        if (result.status === 0 || result.status >= 500) { this.unsent += played; } // try again later
        return;
      }
      this.show(result.body || {});
    }

    show(answer) {
      if (this.badge && answer.reviewed) { this.badge.hidden = false; }
      if (this.progress && answer.required_s) {
        const watched = Math.min(answer.watched_s || 0, answer.required_s);
        this.progress.textContent = CV.fill(this.player.msg.watched, {
          watched: CV.fixed(watched, 0), required: CV.fixed(answer.required_s, 0),
        });
        this.progress.hidden = !!answer.reviewed;
      }
    }
  };
})();
