// Init script of bench/rural_bench.py: records what the page's video does into window.__rural,
// in page time (performance.now(): ms since the navigation started). It only listens; the
// bench presses play. Capture listeners on the document see every <video> from the start
// (media events do not bubble, but they do pass the document on their way down).
(function () {
  "use strict";

  const record = {
    events: [],      // every media event: {type, t, media}
    stalls: [],      // waiting -> playing after playback started: {from, to, media}
    sources: [],     // what the element played, on each change: {t, media, src, w, h, rendition}
    firstFrame: null,
    firstFrameBy: "",
    presentedFrames: 0,
    waitingSince: null, // a stall still open
    ended: false,
    quality: null,
  };
  window.__rural = record;

  const now = () => performance.now();
  let started = false;
  let watching = null;

  function noteSource(video) {
    if (!video.currentSrc) { return; }
    // A player may expose its choice (e.g. data-rendition on the video); read it if there.
    const entry = {
      t: now(),
      media: video.currentTime,
      src: video.currentSrc,
      w: video.videoWidth,
      h: video.videoHeight,
      rendition: video.getAttribute("data-rendition") || "",
    };
    const last = record.sources[record.sources.length - 1];
    if (!last || last.src !== entry.src || last.w !== entry.w || last.h !== entry.h
        || last.rendition !== entry.rendition) {
      record.sources.push(entry);
    }
  }

  function closeStall(media) {
    if (record.waitingSince === null) { return; }
    record.stalls.push({ from: record.waitingSince, to: now(), media: media });
    record.waitingSince = null;
  }

  function firstFrame(t, by) {
    if (record.firstFrame === null) {
      record.firstFrame = t;
      record.firstFrameBy = by;
    }
  }

  function watchFrames(video) {
    if (watching === video || !video.requestVideoFrameCallback) { return; }
    watching = video;
    const onFrame = (when, meta) => {
      // presentationTime: when the compositor got the frame (same clock as performance.now()).
      firstFrame(meta.presentationTime || when, "requestVideoFrameCallback");
      record.presentedFrames = meta.presentedFrames;
      noteSource(video);
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  const TYPES = [
    "loadstart", "loadedmetadata", "loadeddata", "canplay", "canplaythrough", "play", "playing",
    "waiting", "stalled", "pause", "seeking", "seeked", "resize", "emptied", "ended", "error",
  ];
  TYPES.forEach((type) => document.addEventListener(type, (event) => {
    const video = event.target;
    if (!(video instanceof HTMLVideoElement)) { return; }
    const t = now();
    record.events.push({ type: type, t: t, media: video.currentTime });
    if (type === "play") { watchFrames(video); }
    if (type === "playing") {
      started = true;
      closeStall(video.currentTime);
      if (!video.requestVideoFrameCallback) { firstFrame(t, "playing event"); }
    }
    if (type === "waiting" && started && record.waitingSince === null) { record.waitingSince = t; }
    if (type === "loadedmetadata" || type === "resize" || type === "playing") { noteSource(video); }
    if (type === "ended") {
      closeStall(video.currentTime);
      const quality = video.getVideoPlaybackQuality ? video.getVideoPlaybackQuality() : null;
      record.quality = quality && {
        total: quality.totalVideoFrames,
        dropped: quality.droppedVideoFrames,
      };
      record.ended = true;
    }
  }, true));
})();
