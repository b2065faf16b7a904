"""The browser side of bench/rural_bench.py: play one case page in Chromium on an emulated link.

No Django here: the bench hands over the addresses. One fresh browser context per run, logged
in through the login page; then, on a DevTools protocol session of the page, the link is
emulated (``Network.emulateNetworkConditions``) and the cache disabled, the case page opened,
its play button pressed once the page has loaded, and the video watched to its end
(``bench/rural_probe.js`` records the media events in the page). Bytes are the protocol's
``encodedDataLength`` of every response (headers and body as they came over the wire).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PROBE = Path(__file__).resolve().parent / "rural_probe.js"
MEDIA_KIND = re.compile(r"/media/([\w-]+)/?$")  # /cineloops/<pk>/media/<kind>/
VIDEO_MIME = ("video/", "application/vnd.apple.mpegurl", "application/x-mpegurl", "dash+xml")


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    down_bits: int  # per second
    up_bits: int
    rtt_ms: int

    def conditions(self) -> dict[str, object]:
        # CDP takes bytes per second and the latency added to each request (the round trip).
        return {
            "offline": False,
            "latency": self.rtt_ms,
            "downloadThroughput": self.down_bits / 8,
            "uploadThroughput": self.up_bits / 8,
        }


@dataclass(frozen=True)
class Target:
    """A case page and the loop of it to play."""

    name: str
    url: str
    loop: int
    duration_s: float
    description: str


@dataclass
class Request:
    url: str
    type: str
    sent: float  # CDP monotonic seconds
    mime: str = ""
    received: int = 0  # Network.dataReceived, for requests that never finish (media aborts)
    finished: int = 0  # Network.loadingFinished: the whole response, headers included
    redirects: int = 0
    resource_size: int | None = None  # the whole file, from Content-Range / Content-Length

    @property
    def bytes(self) -> int:
        return self.redirects + max(self.received, self.finished)

    @property
    def is_video(self) -> bool:
        # The element's own fetches are "Media"; a player that fetches segments itself (MSE)
        # makes XHR/Fetch requests, known by their type or the media view's video kinds.
        kind = self.kind
        return (
            self.type == "Media"
            or any(m in self.mime for m in VIDEO_MIME)
            or (kind is not None and kind.startswith(("video", "hls", "dash")))
        )

    @property
    def kind(self) -> str | None:
        match = MEDIA_KIND.search(urlsplit(self.url).path)
        return match.group(1) if match else None


class NetworkLog:
    """Every request the page makes, from the DevTools protocol's Network events."""

    def __init__(self, session) -> None:
        self.requests: dict[str, Request] = {}
        self.document_sent: float | None = None
        session.on("Network.requestWillBeSent", self._sent)
        session.on("Network.responseReceived", self._response)
        session.on("Network.dataReceived", self._data)
        session.on("Network.loadingFinished", self._finished)

    def _sent(self, event: dict) -> None:
        known = self.requests.get(event["requestId"])
        if known is not None and "redirectResponse" in event:  # same id, next hop
            known.redirects += int(event["redirectResponse"].get("encodedDataLength", 0))
            known.url = event["request"]["url"]
            return
        request = Request(event["request"]["url"], event.get("type", ""), event["timestamp"])
        self.requests[event["requestId"]] = request
        if request.type == "Document" and self.document_sent is None:
            self.document_sent = request.sent

    def _response(self, event: dict) -> None:
        request = self.requests.get(event["requestId"])
        if request is None:
            return
        response = event["response"]
        request.mime = response.get("mimeType", "")
        request.type = event.get("type", request.type)
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        total = headers.get("content-range", "").rpartition("/")[2] or headers.get(
            "content-length", ""
        )
        request.resource_size = int(total) if total.isdigit() else None

    def _data(self, event: dict) -> None:
        request = self.requests.get(event["requestId"])
        if request is not None:
            request.received += int(event.get("encodedDataLength", 0))

    def _finished(self, event: dict) -> None:
        request = self.requests.get(event["requestId"])
        if request is not None:
            request.finished = int(event.get("encodedDataLength", 0))


@dataclass
class Result:
    target: Target
    profile: Profile
    ended: bool
    first_frame_s: float | None
    first_frame_by: str
    pressed_s: float | None  # play pressed (the page had loaded), from the navigation start
    startup_s: float | None  # from pressing play to the first frame
    stalls: list[float]
    played_s: float | None  # first frame to the end (or to the time-out)
    renditions: list[str]
    presented_frames: int
    quality: dict | None
    all_bytes: int
    video_bytes: int
    page_bytes: int  # everything but the video, sent before the first frame
    page_by_type: dict[str, int] = field(default_factory=dict)
    page_requests: int = 0
    video_files: dict[str, tuple[int, int, int | None]] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)  # the probe's media events


def log_in(page, login_path: str, dashboard_path: str, username: str, password: str) -> None:
    page.goto(login_path)
    page.locator("main [name=username]").fill(username)
    page.locator("main [name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(dashboard_path) + "$"))


def play(browser, base_url: str, target: Target, profile: Profile, account: dict) -> Result:
    """Open ``target`` as ``account`` on ``profile``'s link and play its loop to the end (or
    for at most four times its length)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # Service workers blocked: the offline app's worker would fetch the video itself, outside
    # the page's emulated link (and a first visit has none yet).
    context = browser.new_context(
        base_url=base_url,
        locale="en-GB",
        viewport={"width": 1366, "height": 800},
        service_workers="block",
    )
    context.add_init_script(path=str(PROBE))
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        log_in(page, **account)
        session = context.new_cdp_session(page)
        log = NetworkLog(session)
        session.send("Network.enable")
        session.send("Network.setCacheDisabled", {"cacheDisabled": True})
        session.send("Network.emulateNetworkConditions", profile.conditions())
        page.goto(target.url, wait_until="load")
        page.wait_for_function("() => !!(window.CeusViewer && window.CeusViewer.player)")
        choice = page.locator("[data-loop-select]")
        if choice.count() and choice.input_value() != str(target.loop):
            choice.select_option(str(target.loop))
        page.locator("[data-action=play]").first.click()
        with contextlib.suppress(PlaywrightTimeout):  # reported as "not ended"
            page.wait_for_function(
                "() => window.__rural.ended", timeout=target.duration_s * 4 * 1000, polling=500
            )
        probe = page.evaluate("() => window.__rural")
        page_now = page.evaluate("() => performance.now()")
    finally:
        context.close()
    return summarise(target, profile, probe, page_now, log)


def summarise(target: Target, profile: Profile, probe: dict, page_now: float, log: NetworkLog):
    first = probe["firstFrame"]
    pressed = next((e["t"] for e in probe["events"] if e["type"] == "play"), None)
    end = next((e["t"] for e in probe["events"] if e["type"] == "ended"), page_now)
    stalls = [(s["to"] - s["from"]) / 1000 for s in probe["stalls"]]
    if probe["waitingSince"] is not None:  # still stalled when the time ran out
        stalls.append((page_now - probe["waitingSince"]) / 1000)
    requests = list(log.requests.values())
    # The page's clock starts with the navigation, just before its document request is sent.
    video_at = (
        log.document_sent + first / 1000
        if first is not None and log.document_sent is not None
        else float("inf")
    )
    page = [r for r in requests if not r.is_video and r.sent < video_at]
    by_type: dict[str, int] = {}
    for request in page:
        by_type[request.type or "Other"] = by_type.get(request.type or "Other", 0) + request.bytes
    files: dict[str, tuple[int, int, int | None]] = {}
    for request in (r for r in requests if r.is_video):
        name = request.kind or urlsplit(request.url).path
        count, fetched, _size = files.get(name, (0, 0, None))
        files[name] = (count + 1, fetched + request.bytes, request.resource_size or _size)
    return Result(
        target=target,
        profile=profile,
        ended=probe["ended"],
        first_frame_s=None if first is None else first / 1000,
        first_frame_by=probe["firstFrameBy"],
        pressed_s=None if pressed is None else pressed / 1000,
        startup_s=None if first is None or pressed is None else (first - pressed) / 1000,
        stalls=stalls,
        played_s=None if first is None else (end - first) / 1000,
        renditions=renditions(probe["sources"]),
        presented_frames=probe["presentedFrames"],
        quality=probe["quality"],
        all_bytes=sum(r.bytes for r in requests),
        video_bytes=sum(r.bytes for r in requests if r.is_video),
        page_bytes=sum(r.bytes for r in page),
        page_by_type=by_type,
        page_requests=len(page),
        video_files=files,
        events=probe["events"],
    )


def renditions(sources: list[dict]) -> list[str]:
    """What the element played, in order: the media kind of its source (or the source's path),
    the decoded size, and the player's own name for it when it exposes one."""
    shown: list[str] = []
    for source in sources:
        match = MEDIA_KIND.search(urlsplit(source["src"]).path)
        if match:
            name = match.group(1)
        elif source["src"].startswith("blob:"):  # a player feeding the element (MSE)
            name = "media source"
        else:
            name = urlsplit(source["src"]).path or source["src"][:40]
        label = f"{name} {source['w']}x{source['h']}" if source["w"] else name
        if source["rendition"]:
            label += f" [{source['rendition']}]"
        if not shown or shown[-1] != label:
            shown.append(label)
    return shown
