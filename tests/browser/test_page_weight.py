"""The case page's weight before the video, as a trainee on a first visit, measured in the
browser (issue 16: ≤ 300 KB of HTML, CSS, JS, poster and API calls on a slow link).

The page is served as production serves it: static files collected under hashed names with
their brotli and gzip copies (``production_static``) and answered by WhiteNoise, which the
live server of the other browser tests bypasses (it serves static/ itself); so this module
runs its own server thread. Bytes are the DevTools protocol's ``encodedDataLength`` (body as
transferred plus headers) of every response of the page, the video's excepted. The service
worker's own requests (its script and Workbox), which the page's Network domain does not see,
are counted by their Content-Length.
"""

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from django.db import connections
from django.test import Client
from django.test.testcases import LiveServerThread
from django.urls import reverse

from cases import services
from cases.models import CaseStatus, RoiCurve
from tests.cases.factories import CaseFactory
from tests.cases.loops import processed
from tests.cine.cine_factory import make_cine, region_item

# Under pytest -n, on the worker that collects the static files for test_static_files too.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("production-static")]

BUDGET = 300_000  # bytes before the video
FRAMES, FPS = 300, 15  # a 20 s loop: its curves are 300 points each
VIDEO_STARTED = "(v => v.currentTime > 0 && !v.paused)(document.querySelector('[data-video]'))"


@pytest.fixture
def whitenoise_server(transactional_db, production_static) -> Iterator[str]:
    """A live server whose every request, /static/ included, goes through the middleware."""
    shared = {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    thread = LiveServerThread(
        "localhost", static_handler=lambda handler: handler, connections_override=shared
    )
    thread.daemon = True
    for conn in shared.values():
        conn.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://localhost:{thread.port}"
    finally:
        thread.terminate()
        # Requests still streaming (the video) end in threads of their own, which close the
        # shared connection as they finish: let them, before it stops being shareable.
        for worker in threading.enumerate():
            if worker.name.endswith("(process_request_thread)"):
                worker.join(timeout=10)
        for conn in shared.values():
            conn.dec_thread_sharing()


@pytest.fixture
def curves_case(cine_dirs, tmp_path, hospital, instructor, celery_eager):
    """A published case on a processed 320 x 240 loop of 20 s, with a lesion and a reference
    ROI whose curves are computed: the curves panel has something to fetch."""
    path = make_cine(
        tmp_path / "long.dcm",
        frames=FRAMES,
        rows=240,
        columns=320,
        frame_time=1000 / FPS,
        regions=[region_item((10, 10, 309, 229))],
    )
    loop = processed(path, hospital)
    assert loop.video_file and loop.poster_file, loop.error
    case = CaseFactory(
        institution=hospital,
        loops=[loop],
        created_by=instructor,
        title="Nodule in segment VI",
        status=CaseStatus.PUBLISHED,
    )
    roi = {"loop": loop.pk, "kind": "ellipse", "t_start": None, "t_end": None}
    services.annotations_replace(
        case=case,
        by=instructor,
        annotations=[
            roi | {"geometry": {"cx": 120, "cy": 100, "rx": 30, "ry": 20}, "label": "Nodule",
                   "roi_role": "lesion"},
            roi | {"geometry": {"cx": 220, "cy": 150, "rx": 30, "ry": 20}, "label": "Liver",
                   "roi_role": "reference"},
        ],
        phase_markers=[],
    )  # fmt: skip
    assert list(RoiCurve.objects.values_list("status", flat=True)) == ["ready", "ready"]
    return case


class Transfers:
    """Every response of one page (CDP Network domain) and of the service worker, in the order
    their requests were sent."""

    def __init__(self, context, page) -> None:
        self.requests: dict[str, dict] = {}
        self.worker: list[dict] = []
        cdp = context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")
        context.on("response", self._worker_response)

    def _sent(self, event) -> None:
        entry = self.requests.setdefault(event["requestId"], {"bytes": 0})
        entry.setdefault("order", len(self.requests))
        entry["url"] = event["request"]["url"]

    def _received(self, event) -> None:
        response = event["response"]
        self.requests.setdefault(event["requestId"], {"bytes": 0}).update(
            headers={k.lower(): v for k, v in response["headers"].items()},
            from_worker=response.get("fromServiceWorker", False),
        )

    def _finished(self, event) -> None:
        self.requests.setdefault(event["requestId"], {"bytes": 0})["bytes"] = event[
            "encodedDataLength"
        ]

    def _worker_response(self, response) -> None:
        if response.request.service_worker is not None:
            self.worker.append(
                {"url": response.url, "bytes": int(response.headers.get("content-length", 0))}
            )

    def before_video(self) -> list[dict]:
        """The page's responses sent before its first video request, and the worker's but
        the video (once the worker controls the page, the video goes through it too); a
        response the worker answered is counted once, on the worker's side."""
        entries = sorted(
            (e for e in self.requests.values() if "url" in e), key=lambda e: e["order"]
        )
        video = [e["order"] for e in entries if "/media/video" in e["url"]]
        first_video = video[0] if video else len(self.requests) + 1
        page = [e for e in entries if e["order"] < first_video and not e.get("from_worker")]
        worker = [e | {"worker": True} for e in self.worker if "/media/video" not in e["url"]]
        return page + worker


def kind(url: str) -> str:
    path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    if "/media/" in f"/{path}":
        return "poster and images"
    if path.startswith("api/"):
        return "api"
    for suffix in ("js", "css"):
        if path.endswith(f".{suffix}"):
            return suffix
    return "html and other"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_trainees_case_page_weighs_under_300_kb_before_the_video(
    browser, whitenoise_server, curves_case, trainee, language
):
    trainee.preferred_language = language
    trainee.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(trainee)
    context = browser.new_context(
        base_url=whitenoise_server, viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(15_000)
    session = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": whitenoise_server}])
    page = context.new_page()
    transfers = Transfers(context, page)
    try:
        page.goto(reverse("cases:detail", args=[curves_case.pk]))
        page.wait_for_function("window.CeusViewer && window.CeusViewer.player")
        assert page.locator("html").get_attribute("lang") == language
        # the curves' panel starts below the fold of a laptop's screen
        assert page.evaluate(
            "document.querySelector('[data-tic]').getBoundingClientRect().top > innerHeight"
        )
        # the service worker installs on the first visit: its script and Workbox count too
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_load_state("networkidle")
        page.get_by_role("button", name="Play" if language == "en" else "播放", exact=True).click()
        page.wait_for_function(VIDEO_STARTED)

        loaded = transfers.before_video()
        by_kind = Counter()
        for entry in loaded:
            by_kind[kind(entry["url"])] += entry["bytes"]
        total = sum(by_kind.values())
        urls = [entry["url"] for entry in loaded]
        report = f"{total} bytes before the video ({language}): {dict(by_kind)}"

        assert total <= BUDGET, report
        assert all(entry["bytes"] > 0 for entry in loaded if "/static/" in entry["url"]), report
        # a trainee's page loads none of the editor, and no curve before it is scrolled to
        assert not [url for url in urls if "editor" in url], urls
        assert not [url for url in urls if "/tic/" in url], urls
        # static files: compressed, and kept by the browser for good (their names are hashed)
        for entry in loaded:
            if "/static/" in entry["url"] and not entry.get("worker"):
                headers = entry["headers"]
                assert headers.get("content-encoding") in ("br", "gzip"), entry["url"]
                assert "immutable" in headers.get("cache-control", ""), entry["url"]

        # the curves come when their panel does
        page.locator("[data-tic]").scroll_into_view_if_needed()
        page.locator(".cv-tic-curve.cv-role-lesion").first.wait_for()
        assert [e for e in transfers.requests.values() if "/tic/" in e.get("url", "")]
    finally:
        context.close()
