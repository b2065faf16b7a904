"""bench/rural_play.py's accounting, on recorded events (no browser: the bench itself is never
part of the suite). What it counts as the video, the page before the video, the stalls and the
renditions played is what issue 16's before/after figures rest on."""

import pytest

from bench.rural_play import NetworkLog, Profile, Target, renditions, summarise

MEDIA = "http://127.0.0.1:8000/cineloops/3/media/"


class Session:
    """Stands in for a DevTools protocol session: keeps the handlers, replays events."""

    def __init__(self) -> None:
        self.handlers = {}

    def on(self, name, handler) -> None:
        self.handlers[name] = handler

    def emit(self, name, **event) -> None:
        self.handlers[name](event)


def _request(session, rid, url, kind, at, mime="", size=0, chunks=(), finished=True):
    session.emit("Network.requestWillBeSent", requestId=rid, type=kind, timestamp=at,
                 request={"url": url})  # fmt: skip
    session.emit("Network.responseReceived", requestId=rid, type=kind,
                 response={"mimeType": mime, "headers": {"Content-Length": str(size)}})  # fmt: skip
    for chunk in chunks:
        session.emit("Network.dataReceived", requestId=rid, encodedDataLength=chunk)
    if finished:
        session.emit("Network.loadingFinished", requestId=rid, encodedDataLength=size)


def _probe(**changes):
    probe = {
        "firstFrame": 2000.0,  # ms after the navigation started
        "firstFrameBy": "requestVideoFrameCallback",
        "events": [{"type": "play", "t": 1500.0}, {"type": "ended", "t": 20000.0}],
        "stalls": [],
        "waitingSince": None,
        "sources": [],
        "presentedFrames": 300,
        "quality": {"total": 300, "dropped": 0},
        "ended": True,
    }
    return {**probe, **changes}


@pytest.fixture
def log():
    session = Session()
    log = NetworkLog(session)
    _request(session, "1", "http://127.0.0.1:8000/cases/5/", "Document", 100.0, "text/html", 20_000)
    _request(session, "2", "http://127.0.0.1:8000/static/css/app.css", "Stylesheet", 100.3,
             "text/css", 8_000)  # fmt: skip
    _request(session, "3", MEDIA + "poster/", "Image", 100.4, "image/jpeg", 30_000)
    # The element's request, cut short by the player: only what arrived counts.
    _request(session, "4", MEDIA + "video/", "Media", 101.6, "video/mp4", 9_000_000,
             chunks=(60_000, 40_000), finished=False)  # fmt: skip
    # A player fetching a smaller rendition itself (MSE), after the first frame.
    _request(session, "5", MEDIA + "video-low/", "Fetch", 103.0, "video/mp4", 500_000)
    # A page request after the first frame (the curves) is not "before the video".
    _request(session, "6", "http://127.0.0.1:8000/api/v1/curves/", "Fetch", 102.5,
             "application/json", 4_000)  # fmt: skip
    return log


def _summary(log, **probe):
    target = Target("scanner", "/cases/5/", 3, 60.0, "60 s, 800x600, 20 fps")
    profile = Profile("slow", "1 Mbit/s", 1_000_000, 256_000, 150)
    return summarise(target, profile, _probe(**probe), 30000.0, log)


def test_the_page_before_the_video_is_every_other_request_sent_before_the_first_frame(log):
    result = _summary(log)
    assert result.page_bytes == 20_000 + 8_000 + 30_000  # the curves came after: not counted
    assert result.page_requests == 3
    assert result.page_by_type == {"Document": 20_000, "Stylesheet": 8_000, "Image": 30_000}
    assert result.video_bytes == 100_000 + 500_000  # the element's and the player's own
    assert result.all_bytes == 20_000 + 8_000 + 30_000 + 100_000 + 500_000 + 4_000
    assert result.video_files == {
        "video": (1, 100_000, 9_000_000),
        "video-low": (1, 500_000, 500_000),
    }


def test_times_are_from_the_navigation_and_from_pressing_play(log):
    result = _summary(log)
    assert result.first_frame_s == pytest.approx(2.0)
    assert result.startup_s == pytest.approx(0.5)
    assert result.played_s == pytest.approx(18.0)


def test_stalls_include_one_still_open_when_the_time_ran_out(log):
    result = _summary(log, stalls=[{"from": 5000.0, "to": 6500.0, "media": 3.0}],
                      waitingSince=27000.0, ended=False)  # fmt: skip
    assert result.stalls == pytest.approx([1.5, 3.0])  # the open one: until now (30 s)
    assert not result.ended


def test_without_a_first_frame_nothing_counts_as_after_it(log):
    result = _summary(log, firstFrame=None)
    assert result.first_frame_s is None and result.startup_s is None
    assert result.page_bytes == 20_000 + 8_000 + 30_000 + 4_000


def test_renditions_name_the_media_kind_its_size_and_the_players_choice():
    sources = [
        {"src": MEDIA + "video/", "w": 800, "h": 600, "rendition": ""},
        {"src": MEDIA + "video-low/", "w": 400, "h": 300, "rendition": "low"},
        {"src": MEDIA + "video-low/", "w": 400, "h": 300, "rendition": "low"},
        {"src": "blob:http://127.0.0.1:8000/1f0c", "w": 640, "h": 480, "rendition": "medium"},
    ]
    assert renditions(sources) == [
        "video 800x600",
        "video-low 400x300 [low]",
        "media source 640x480 [medium]",
    ]
