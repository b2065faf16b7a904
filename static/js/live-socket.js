// Live room: the websocket (live/PROTOCOL.md). Numbered events are applied in order: one
// already applied is ignored, a gap asks for a `sync`. The server's clock is estimated from
// ping/pong round trips (the sample with the shortest trip wins). A lost connection comes back
// with back-off and jitter (0.5 s, 1 s, 2 s … 15 s; at once when the browser is back online);
// 4403, 4404 and 4410 stop for good. The status line says which.
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const CL = (window.CeusLive = window.CeusLive || {});
  const FINAL = [4403, 4404, 4410];

  CL.Socket = class {
    // handlers: sync(msg), event(msg), other types by name, closed(code), status(text, kind).
    constructor(path, handlers, msg) {
      this.path = path;
      this.handlers = handlers;
      this.msg = msg;
      this.ws = null;
      this.seq = null; // the highest seq applied; null until a sync
      this.attempt = 0;
      this.offset = 0;
      this.bestTrip = Infinity;
      this.pings = {};
      this.stopped = false;
      this.timer = null;
      window.addEventListener("offline", () => { if (this.ws) { this.ws.close(); } });
      window.addEventListener("online", () => { if (!this.stopped && !this.isOpen()) { this.reconnectNow(); } });
      document.addEventListener("visibilitychange", () => this.send({ type: "visibility", visible: !document.hidden }));
      window.setInterval(() => this.ping(), 10000);
    }

    now() { return Date.now() + this.offset; }

    isOpen() { return !!this.ws && this.ws.readyState === WebSocket.OPEN; }

    connect() {
      if (this.stopped) { return; }
      this.status(this.msg.connecting, "connecting");
      const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      const ws = new WebSocket(scheme + window.location.host + this.path);
      this.ws = ws;
      this.seq = null;
      ws.addEventListener("open", () => { this.ping(); });
      ws.addEventListener("message", (event) => { if (ws === this.ws) { this.receive(event.data); } });
      ws.addEventListener("close", (event) => { if (ws === this.ws) { this.closed(event.code); } });
    }

    receive(text) {
      let data;
      try { data = JSON.parse(text); } catch (e) { return; }
      if (!data || typeof data.type !== "string") { return; }
      if (typeof data.server_ms === "number" && this.bestTrip === Infinity) { this.offset = data.server_ms - Date.now(); }
      if (data.type === "sync") {
        this.seq = data.seq;
        this.attempt = 0;
        this.status(this.msg.connected, "connected");
        if (document.hidden) { this.send({ type: "visibility", visible: false }); }
        this.handlers.sync(data);
        return;
      }
      if (data.type === "event") {
        if (this.seq === null || data.seq <= this.seq) { return; }
        if (data.seq > this.seq + 1) { this.seq = null; this.send({ type: "sync" }); return; }
        this.seq = data.seq;
        this.handlers.event(data);
        return;
      }
      if (data.type === "pong") {
        const sent = this.pings[data.ref];
        delete this.pings[data.ref];
        if (sent !== undefined) {
          const received = Date.now();
          const trip = received - sent;
          if (trip <= this.bestTrip * 1.5 || trip < 50) {
            this.bestTrip = Math.min(this.bestTrip, trip);
            this.offset = data.server_ms + trip / 2 - received;
          }
        }
        return;
      }
      const handler = this.handlers[data.type];
      if (handler) { handler(data); }
    }

    ping() {
      if (!this.isOpen()) { return; }
      const ref = "p" + Math.random().toString(36).slice(2, 10);
      this.pings[ref] = Date.now();
      this.send({ type: "ping", ref: ref });
    }

    send(message) {
      if (!this.isOpen()) { return false; }
      this.ws.send(JSON.stringify(message));
      return true;
    }

    closed(code) {
      this.ws = null;
      this.seq = null;
      if (FINAL.indexOf(code) >= 0) {
        this.stopped = true;
        if (this.handlers.closed) { this.handlers.closed(code); }
        return;
      }
      if (!navigator.onLine) { this.status(this.msg.offline, "lost"); return; } // "online" reconnects
      const delay = Math.min(15000, 500 * Math.pow(2, this.attempt)) * (0.75 + Math.random() * 0.5);
      this.attempt++;
      this.countdown(Date.now() + delay);
    }

    countdown(at) {
      window.clearTimeout(this.timer);
      const left = at - Date.now();
      if (left <= 0) { this.connect(); return; }
      this.status(CV.fill(this.msg.lost, { n: Math.ceil(left / 1000) }), "lost");
      this.timer = window.setTimeout(() => this.countdown(at), Math.min(1000, left));
    }

    reconnectNow() {
      window.clearTimeout(this.timer);
      this.connect();
    }

    status(text, kind) { if (this.handlers.status) { this.handlers.status(text, kind); } }
  };
})();
