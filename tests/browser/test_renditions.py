"""The loop players' renditions (static/js/renditions.js) in a real browser.

The loop is made by the real pipeline from an 801 x 601 cine (odd: the full video is padded to
802 x 602; the lower renditions are 640 x 480 and 400 x 300, the whole frame shrunk), 10 fps,
4 s, grey speckle that changes every frame (enough bits for every rung) with a bright bar that
moves 18 px a frame: where the bar is in the decoded picture says which frame is shown, and
where it is on the screen says whether the overlay is on the same pixels. Switching rendition
keeps the frame, playback, speed and A/B segment; annotations, quiz points and time-point
answers are at the same place and time in every rendition; the data saver and a slow link
(emulated through the DevTools protocol) make Auto choose the lowest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("cases.models")

from django.urls import reverse

from quizzes.models import QuestionKind, QuizKind
from tests.browser.ladder import (
    COLUMNS,
    FPS,
    FRAMES,
    HEIGHTS,
    PHONE,
    ROWS,
    VIDEO,
    bar_x,
    choose,
    rendition,
)
from tests.browser.test_case_viewer import (
    frame_index,
    open_case,
    seek_on_timeline,
    sign_in,
    wait_for_frame,
)
from tests.quizzes.factories import QuizFactory, make_question

pytestmark = pytest.mark.browser

RENDITIONS_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "renditions.js"


def wait_shown(page, name: str, time_s: float, video: str = VIDEO) -> None:
    """Until ``video`` plays rendition ``name`` and shows the frame at ``time_s``, paused."""
    page.wait_for_function(
        """([sel, name, t]) => {
          const v = document.querySelector(sel);
          return v.getAttribute('data-rendition') === name && v.paused && !v.seeking &&
            v.readyState >= 2 && Math.abs(v.currentTime - t) < 1e-3 &&
            !v.parentNode.querySelector('canvas.video-hold');
        }""",
        arg=[video, name, time_s],
    )


def bar_on_screen(page, video: str = VIDEO) -> dict:
    """Where the bar is in the decoded picture (source pixels) and on the screen (CSS x)."""
    return page.evaluate(
        """([sel, columns, rows]) => {
          const v = document.querySelector(sel);
          const w = v.videoWidth, h = v.videoHeight;
          const canvas = document.createElement('canvas');
          canvas.width = w; canvas.height = h;
          const ctx = canvas.getContext('2d');
          ctx.drawImage(v, 0, 0, w, h);
          const top = Math.round(h * 0.3), band = Math.round(h * 0.4);
          const data = ctx.getImageData(0, top, w, band).data;
          const sums = new Float64Array(w);
          for (let y = 0; y < band; y++) {
            for (let x = 0; x < w; x++) { sums[x] += data[(y * w + x) * 4]; }
          }
          let best = 0;
          for (let x = 1; x < w; x++) { if (sums[x] > sums[best]) { best = x; } }
          // the bar's centroid above the speckle around it, in decoded pixels (pixel x spans
          // x to x + 1)
          const reach = Math.ceil(8 * w / 801);
          const floor = Math.min(sums[Math.max(0, best - 2 * reach)],
                                 sums[Math.min(w - 1, best + 2 * reach)]);
          let mass = 0, moment = 0;
          for (let x = Math.max(0, best - reach); x <= Math.min(w - 1, best + reach); x++) {
            const m = Math.max(0, sums[x] - floor);
            mass += m; moment += m * (x + 0.5);
          }
          const centre = moment / mass;
          const content = window.CeusRenditions.contentSize(w, h, columns, rows);
          // where the browser draws the decoded picture in the element's box
          const box = v.getBoundingClientRect();
          let left = box.left, width = box.width;
          if (getComputedStyle(v).objectFit === 'contain') {
            const scale = Math.min(box.width / w, box.height / h);
            left += (box.width - w * scale) / 2;
            width = w * scale;
          }
          return {source: centre * columns / content.width, screen: left + centre / w * width};
        }""",
        [video, COLUMNS, ROWS],
    )


def assert_bar_at_frame(page, frame: int, overlay: str = "[data-overlay]", video: str = VIDEO):
    """The decoded picture is frame ``frame``, and its bar is under the overlay's own pixel."""
    bar = bar_on_screen(page, video)
    assert bar["source"] == pytest.approx(bar_x(frame), abs=1)
    expected = page.locator(overlay).evaluate(
        "(svg, x) => new DOMPoint(x, 300).matrixTransform(svg.getScreenCTM()).x", bar_x(frame)
    )
    assert bar["screen"] == pytest.approx(expected, abs=0.5)


def same_box(a: dict, b: dict) -> bool:
    return all(abs(a[k] - b[k]) <= 1 for k in ("x", "y", "width", "height"))


# --- The choice rules, evaluated in the browser ---------------------------------------------------


def test_the_choice_rules(page):
    page.set_content("<!doctype html><body></body>")
    page.add_script_tag(content=RENDITIONS_JS.read_text())
    ladder = [{"name": "high", "kbps": 2900}, {"name": "medium", "kbps": 480},
              {"name": "low", "kbps": 150}]  # fmt: skip
    start = "([l, e, s]) => CeusRenditions.startIndex(l, e, s)"
    assert page.evaluate(start, [ladder, 3770, False]) == 0  # 2900 x 1.3
    assert page.evaluate(start, [ladder, 3769, False]) == 1
    assert page.evaluate(start, [ladder, 1000, False]) == 1  # the 1 Mbit/s link: medium
    assert page.evaluate(start, [ladder, 300, False]) == 2
    assert page.evaluate(start, [ladder, 100, False]) == 2
    assert page.evaluate(start, [ladder, None, False]) == 1  # nothing known: below the top
    assert page.evaluate(start, [ladder, 50_000, True]) == 2  # data saver
    assert page.evaluate(start, [ladder[:1], 10, False]) == 0

    def decide(**state) -> int | None:
        base = {"ladder": ladder, "current": 0, "estimate": None, "sampled": 0, "ahead": 20,
                "remaining": 30, "stalled": False, "sinceSwitch": 60, "sinceStall": 60,
                "dataSaver": False}  # fmt: skip
        return page.evaluate("s => CeusRenditions.decide(s)", base | state)

    # Down at a stall: to what the estimate carries, at least one rung.
    assert decide(stalled=True, estimate=700) == 1
    assert decide(stalled=True, estimate=300) == 2
    assert decide(stalled=True, estimate=None) == 1
    assert decide(stalled=True, estimate=100_000) == 1
    assert decide(stalled=True, current=2) is None
    # Down when the buffer runs low and the link barely carries the rate (2900 x 1.1)...
    assert decide(ahead=1, estimate=3000) == 1
    assert decide(ahead=1, estimate=3300) is None
    assert decide(ahead=1, estimate=3000, sinceSwitch=2) is None  # ...not while a switch fills
    assert decide(ahead=1, estimate=3000, remaining=1.2) is None  # ...nor at the very end
    # Up one rung with a margin (480 x 1.6), enough measured, a buffer, nothing lately.
    up = {"current": 2, "estimate": 800, "sampled": 4, "ahead": 10, "sinceSwitch": 11}
    assert decide(**up) == 1
    assert decide(**(up | {"estimate": 5000})) == 1  # one rung at a time
    assert decide(**(up | {"current": 1, "estimate": 4640})) == 0
    assert decide(**(up | {"estimate": 700})) is None
    assert decide(**(up | {"sampled": 2})) is None
    assert decide(**(up | {"ahead": 5})) is None
    assert decide(**(up | {"ahead": 5, "remaining": 5.2})) == 1  # the rest is buffered
    assert decide(**(up | {"sinceSwitch": 5})) is None
    assert decide(**(up | {"sinceStall": 10})) is None
    assert decide(**(up | {"dataSaver": True})) is None

    # The page's downloads: bytes over the time any of them was arriving.
    estimate = "e => CeusRenditions.pageEstimate(e)"
    one = {"transferSize": 50_000, "responseStart": 100, "responseEnd": 500}
    assert page.evaluate(estimate, [one]) == pytest.approx(1000)
    pair = [{"transferSize": 30_000, "responseStart": 100, "responseEnd": 500},
            {"transferSize": 30_000, "responseStart": 300, "responseEnd": 700}]  # fmt: skip
    assert page.evaluate(estimate, pair) == pytest.approx(800)
    assert page.evaluate(estimate, [one | {"transferSize": 20_000}]) is None  # too little
    assert page.evaluate(estimate, [one | {"transferSize": 0}]) is None  # from the cache

    size = "a => CeusRenditions.contentSize(...a)"
    assert page.evaluate(size, [802, 602, 801, 601]) == {"width": 801, "height": 601}  # padded
    assert page.evaluate(size, [640, 480, 801, 601]) == {"width": 640, "height": 480}  # shrunk
    assert page.evaluate(size, [320, 240, 160, 120]) == {"width": 320, "height": 240}  # 2x


# --- Switching in the case viewer -----------------------------------------------------------------


def test_a_switch_keeps_the_frame_and_playback_goes_on(page, live_server, trainee, ladder_case):
    sign_in(page, live_server, trainee)
    open_case(page, ladder_case)
    options = page.locator("[data-quality-select] option")
    assert [options.nth(i).get_attribute("value") for i in range(options.count())] == [
        "auto", "high", "medium", "low",
    ]  # fmt: skip
    assert options.all_inner_texts()[1:] == ["602p", "480p", "300p"]
    seek_on_timeline(page, 12)
    page.keyboard.press(".")
    wait_for_frame(page, 13)
    # Auto, on loopback: high, or medium on a loaded machine (the page's downloads measure
    # the link, and this loop's high rendition is 6.3 Mbit/s).
    start = rendition(page)
    assert start in ("high", "medium")
    assert options.first.inner_text() == f"Auto ({HEIGHTS[start]}p)"

    for name in ("medium", "low", "high"):
        choose(page, name)
        wait_shown(page, name, 1.35)
        assert frame_index(page) == 13
        assert page.locator("[data-frame]").inner_text() == f"Frame 14 / {FRAMES}"
        assert page.evaluate("document.querySelector('video').videoHeight") == HEIGHTS[name]
        assert_bar_at_frame(page, 13)
    assert page.evaluate("localStorage.getItem('ceus-video-quality')") == "high"  # pinned

    # Playing at half speed in an A/B segment: the switch goes on from the same moment.
    page.keyboard.press("[")  # A at 1.35 s
    seek_on_timeline(page, 34)
    page.keyboard.press("]")  # B at 3.45 s
    segment = page.locator("[data-ab-label]").inner_text()
    page.locator("[data-speed]").select_option("0.5")
    seek_on_timeline(page, 20)
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("document.querySelector('video').currentTime > 2.3")
    before = page.evaluate(
        """() => {
          const v = document.querySelector('video');
          window.seekedAt = [];
          v.addEventListener('seeked', () => window.seekedAt.push(v.currentTime));
          const select = document.querySelector('[data-quality-select]');
          const t = v.currentTime;
          select.value = 'low';
          select.dispatchEvent(new Event('change'));
          return t;
        }"""
    )
    page.wait_for_function(
        "t => { const v = document.querySelector('video'); return"
        " v.getAttribute('data-rendition') === 'low' && !v.paused && v.currentTime > t + 0.2; }",
        arg=before,
    )
    seeked = page.evaluate("window.seekedAt")[0]
    assert seeked == pytest.approx((int(before * FPS) + 0.5) / FPS, abs=1e-3)  # that frame
    assert page.evaluate("document.querySelector('video').playbackRate") == 0.5
    assert page.locator("[data-ab-label]").inner_text() == segment
    # The segment still repeats: past B it goes back to A, in the new rendition.
    page.wait_for_function(
        "() => { const v = document.querySelector('video');"
        " return v.currentTime < 2.0 && !v.paused; }",
        timeout=20_000,
    )


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_an_annotation_is_on_the_same_pixels_in_every_rendition(
    page, live_server, trainee, ladder_case, viewport
):
    if viewport:
        page.set_viewport_size(viewport)
    sign_in(page, live_server, trainee)
    open_case(page, ladder_case)
    seek_on_timeline(page, 37)  # near the right edge, where padding would show
    boxes = {}
    for name in ("low", "medium", "high"):
        choose(page, name)
        wait_shown(page, name, 3.75)
        boxes[name] = page.locator(".cv-ann-arrow").bounding_box()
        assert_bar_at_frame(page, 37)
    assert same_box(boxes["low"], boxes["medium"]), boxes
    assert same_box(boxes["low"], boxes["high"]), boxes
    if viewport:
        control = page.locator("[data-quality]").bounding_box()
        assert control["x"] >= 0 and control["x"] + control["width"] <= PHONE["width"]


# --- The quiz loop player -----------------------------------------------------------------------


@pytest.fixture
def loop_quiz(ladder_loop, hospital, instructor):
    hotspot = make_question(
        QuestionKind.HOTSPOT, institution=hospital, loop=ladder_loop, frame_time_s=1.65,
        prompt="Click the bar.",
    )  # fmt: skip
    time_point = make_question(
        QuestionKind.TIME_POINT, institution=hospital, loop=ladder_loop,
        answer={"time_s": 2.0}, tolerance=0.5, prompt="Mark when the bar passes the middle.",
    )  # fmt: skip
    quiz = QuizFactory(
        institution=hospital, created_by=instructor, questions=[hotspot, time_point],
        kind=QuizKind.PRACTICE, title="Bars",
    )  # fmt: skip
    return quiz, hotspot, time_point


def test_quiz_answers_are_at_the_same_place_and_time_in_every_rendition(
    page, live_server, trainee, loop_quiz
):
    quiz, hotspot, time_point = loop_quiz
    sign_in(page, live_server, trainee)
    page.goto(reverse("quizzes:detail", args=[quiz.pk]))
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/quizzes/attempts/*/")
    page.wait_for_function("window.CeusQuiz && window.CeusQuiz.take")

    # Hotspot: the point stays on the same pixels.
    q = f'[data-question="{hotspot.pk}"]'
    video, overlay = f"{q} video", f"{q} [data-overlay]"
    page.wait_for_function(
        "sel => { const v = document.querySelector(sel); return v.readyState >= 2 && !v.seeking"
        " && Math.abs(v.currentTime - 1.65) < 1e-3; }",
        arg=video,
    )
    page.locator(overlay).scroll_into_view_if_needed()
    x, y = page.locator(overlay).evaluate(
        "(svg, p) => { const s = new DOMPoint(p[0], p[1]).matrixTransform(svg.getScreenCTM());"
        " return [s.x, s.y]; }",
        [bar_x(16), 300],
    )
    page.mouse.click(x, y)
    boxes = {}
    for name in ("low", "medium", "high"):
        choose(page, name, q)
        wait_shown(page, name, 1.65, video)
        boxes[name] = page.locator(f"{q} .qz-mine").bounding_box()
        assert_bar_at_frame(page, 16, overlay, video)
    assert same_box(boxes["low"], boxes["medium"]) and same_box(boxes["low"], boxes["high"])
    assert page.locator(f"{q} [data-readout]").inner_text() == (
        f"Point placed at x {round(bar_x(16))}, y 300 (image pixels)."
    )

    # Time point: marked at frame 21 in one rendition, the same moment in every other.
    q = f'[data-question="{time_point.pk}"]'
    video = f"{q} video"
    box = page.locator(q)
    box.scroll_into_view_if_needed()
    page.locator(video).evaluate("v => { v.pause(); v.currentTime = 2.05; }")
    box.get_by_role("button", name="Next frame").click()
    page.wait_for_function(
        "sel => { const v = document.querySelector(sel); return !v.seeking"
        " && Math.abs(v.currentTime - 2.15) < 1e-3; }",
        arg=video,
    )
    box.get_by_role("button", name="Mark this moment").click()
    assert box.locator("[data-readout]").inner_text() == "Marked at 2.15 s"
    for name in ("low", "medium", "high"):
        choose(page, name, q)
        wait_shown(page, name, 2.15, video)
        page.locator(video).evaluate("v => { v.currentTime = 0.05; }")
        box.get_by_role("button", name="Go to my mark").click()
        wait_shown(page, name, 2.15, video)
        assert box.locator("[data-now]").inner_text() == "2.15 s · Frame 22 / 40"
        assert box.locator("[data-readout]").inner_text() == "Marked at 2.15 s"
        bar = bar_on_screen(page, video)
        assert bar["source"] == pytest.approx(bar_x(21), abs=4)
