"""The case viewer in a real browser, on a loop made by the real pipeline.

A small DICOM cine (``make_cine``, one calibrated region) is processed synchronously into the
H.264 video, poster, thumbnail strip and intensity stack the page uses; a published case shows
it. Trainees play it, step frames, see an annotation only within its time range and test
themselves; an instructor draws an ROI, saves it and sees its time-intensity curve.
"""

import os
import re
from pathlib import Path

import pytest

pytest.importorskip("cases.models")

from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.test import Client
from django.urls import reverse

from cases import services
from cases.models import Annotation, Case, CaseLoop, CaseStatus, CaseWatch, RoiCurve
from tests.browser.journey import drag_on_image, to_screen
from tests.cases.factories import CaseFactory
from tests.cases.loops import processed
from tests.cine.cine_factory import make_cine, region_item

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-viewer.png"
FPS = 10  # frame_time=100 ms
FRAMES = 40  # a 4 s loop, brightest in the middle (a bolus-like curve)
ARROW = {"x1": 250.0, "y1": 40.0, "x2": 190.0, "y2": 100.0}
VIDEO_SHOWS_A_FRAME = "(v => !v.seeking && v.readyState >= 2)(document.querySelector('video'))"


@pytest.fixture
def viewer_case(cine_dirs, tmp_path, hospital, instructor):
    """A published case with one processed 320 x 240 loop (10 fps, 4 s; one 2D region at
    0.05 cm per pixel over x 10-309, y 10-229), an arrow shown from 1.0 to 2.0 s, arrival and
    peak markers. Contrast is injected at 0.5 s of the loop."""
    path = make_cine(
        tmp_path / "bolus.dcm",
        frames=FRAMES,
        rows=240,
        columns=320,
        frame_time=1000 / FPS,
        regions=[region_item((10, 10, 309, 229))],
    )
    loop = processed(path, hospital)
    assert loop.video_file and loop.thumbnails_file, loop.error
    case = CaseFactory(
        institution=hospital,
        loops=[loop],
        created_by=instructor,
        title="Nodule in segment VI",
        injection_time_s=0.5,
        status=CaseStatus.PUBLISHED,
    )
    services.annotations_replace(
        case=case,
        by=instructor,
        annotations=[
            {"loop": loop.pk, "kind": "arrow", "geometry": ARROW, "label": "Feeding artery",
             "t_start": 1.0, "t_end": 2.0, "roi_role": ""},
        ],
        phase_markers=[
            {"loop": loop.pk, "kind": "arrival", "time_s": 1.0},
            {"loop": loop.pk, "kind": "peak", "time_s": 2.0},
        ],
    )  # fmt: skip
    return case


def sign_in(page, live_server, user) -> None:
    """The session of ``user`` in the browser (the login form has its own tests)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def open_case(page, case, query: str = "") -> None:
    page.goto(reverse("cases:detail", args=[case.pk]) + query)
    page.wait_for_function("window.CeusViewer && window.CeusViewer.player")


def frame_index(page) -> int:
    return int(page.locator("[data-frame]").get_attribute("data-frame-index"))


def wait_for_frame(page, index: int) -> None:
    page.wait_for_function(
        "i => document.querySelector('[data-frame]').getAttribute('data-frame-index') === String(i)"
        " && !document.querySelector('[data-video]').seeking",
        arg=index,
    )


def seek_on_timeline(page, frame: int) -> None:
    """Click the timeline at the middle of ``frame`` and wait until the video shows it."""
    page.locator("[data-scrub]").scroll_into_view_if_needed()
    box = page.locator("[data-scrub]").bounding_box()
    duration = FRAMES / FPS
    x = box["x"] + box["width"] * (frame + 0.5) / FPS / duration
    page.mouse.click(x, box["y"] + box["height"] / 2)
    wait_for_frame(page, frame)


def wait_until_saved(page) -> None:
    page.wait_for_function("document.querySelector('[data-save-state]').textContent === 'Saved'")


# --- Trainees -----------------------------------------------------------------------------------


def test_the_video_waits_for_play_then_plays_and_steps_one_frame_at_a_time(
    page, live_server, trainee, viewer_case
):
    sign_in(page, live_server, trainee)
    open_case(page, viewer_case)
    video = page.locator("[data-video]")
    assert video.get_attribute("preload") == "none"  # slow networks: poster first
    assert video.get_attribute("poster")
    assert page.evaluate("document.querySelector('[data-video]').readyState") == 0
    assert page.locator("[data-frame]").inner_text() == f"Frame 1 / {FRAMES}"
    assert page.locator("[data-time]").inner_text() == "\u22120.5 s"  # before the injection

    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("document.querySelector('[data-video]').currentTime > 0.5")
    page.get_by_role("button", name="Pause", exact=True).click()
    # Paused, and the player has handled it (its pause handler shows the frame reached).
    page.wait_for_function(
        "document.querySelector('[data-video]').paused && !document.querySelector('.is-playing')"
    )

    start = frame_index(page)
    page.keyboard.press("ArrowRight")
    wait_for_frame(page, start + 1)
    assert page.locator("[data-frame]").inner_text() == f"Frame {start + 2} / {FRAMES}"
    page.keyboard.press(".")
    wait_for_frame(page, start + 2)
    page.keyboard.press(",")
    wait_for_frame(page, start + 1)
    page.get_by_role("button", name="Previous frame").click()
    wait_for_frame(page, start)
    # Frames are reached at their centre time, (n + 0.5) / fps
    assert page.evaluate("document.querySelector('[data-video]').currentTime") == pytest.approx(
        (start + 0.5) / FPS, abs=1e-3
    )


def test_an_annotation_is_drawn_only_within_its_time_range(page, live_server, trainee, viewer_case):
    sign_in(page, live_server, trainee)
    open_case(page, viewer_case)
    arrow = page.locator(".cv-ann-arrow")

    seek_on_timeline(page, 5)  # 0.55 s
    assert arrow.is_hidden()
    seek_on_timeline(page, 15)  # 1.55 s: the arrow is shown from 1.0 to 2.0 s
    assert arrow.is_visible()
    assert "Feeding artery" in page.locator("[data-now]").inner_text()
    # time after the injection (t0 = 0.5 s of the loop) and the frame number
    assert re.fullmatch(r"\+1\.\d s", page.locator("[data-time]").inner_text())
    assert page.locator("[data-frame]").inner_text() == f"Frame 16 / {FRAMES}"
    seek_on_timeline(page, 32)  # 3.25 s
    assert arrow.is_hidden()
    # the timeline shows the phase marker and the bands, translated labels
    assert page.locator(".cv-marker-peak").inner_text() == "Peak"
    assert page.locator(".cv-band-arterial").count() == 1


def test_test_yourself_hides_annotations_findings_and_diagnosis_until_revealed(
    page, live_server, trainee, viewer_case
):
    sign_in(page, live_server, trainee)
    open_case(page, viewer_case, "?mode=test")
    seek_on_timeline(page, 15)  # within the arrow's time
    diagnosis = page.locator("[data-diagnosis]")

    assert diagnosis.is_hidden()
    assert page.locator(".cv-ann-arrow").is_hidden()
    assert page.locator("[data-category]").is_hidden()
    assert page.get_by_text("Hepatocellular carcinoma").is_hidden()
    assert page.locator(".cv-marker-peak").count() == 0  # markers are findings too

    page.get_by_role("button", name="Reveal the answers").click()
    assert diagnosis.is_visible()
    assert diagnosis.inner_text() == "Hepatocellular carcinoma"
    assert page.locator(".cv-ann-arrow").is_visible()

    # the toggle switches the mode off and on again without reloading, and keeps it in the URL
    toggle = page.get_by_role("button", name="Test yourself")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "false"
    assert "mode=test" not in page.url
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert re.search(r"[?&]mode=test", page.url)
    assert diagnosis.is_hidden()


def test_a_second_loop_has_its_own_timeline_annotations_and_time_origin(
    page, live_server, tmp_path, trainee, instructor, viewer_case
):
    first = viewer_case.case_loops.get().loop
    late = processed(
        make_cine(tmp_path / "late.dcm", frames=20, rows=120, columns=160, frame_time=100.0),
        viewer_case.institution,
    )
    CaseLoop.objects.create(
        case=viewer_case, loop=late, order=1, caption="Late phase", starts_after_injection_s=120
    )
    services.annotations_replace(
        case=viewer_case,
        by=instructor,
        annotations=[
            {"loop": first.pk, "kind": "arrow", "geometry": ARROW, "label": "Feeding artery",
             "t_start": 1.0, "t_end": 2.0, "roi_role": ""},
            {"loop": late.pk, "kind": "text", "geometry": {"x": 20.0, "y": 30.0},
             "label": "Wash-out", "t_start": None, "t_end": None, "roi_role": ""},
        ],
        phase_markers=[],
    )  # fmt: skip
    sign_in(page, live_server, trainee)
    open_case(page, viewer_case)
    assert page.locator(".cv-ann-text").count() == 0  # the late loop's text is not drawn here

    page.get_by_label("Loop", exact=True).select_option(label="Loop 2 of 2: Late phase · 2 s")
    assert page.locator("[data-frame]").inner_text() == "Frame 1 / 20"
    # this recording started 120 s after the injection
    assert page.locator("[data-time]").inner_text() == "+120.0 s"
    assert page.locator(".cv-ann-text").is_visible()
    assert page.locator(".cv-ann-arrow").count() == 0
    viewbox = page.locator("[data-overlay]").get_attribute("viewBox")
    assert viewbox == "0 0 160 120"
    assert page.locator("[data-video]").get_attribute("src") == late.media_url("video")


def test_the_overlay_stays_on_the_image_on_a_phone(page, live_server, trainee, viewer_case):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, trainee)
    open_case(page, viewer_case)
    seek_on_timeline(page, 15)

    video = page.locator("[data-video]").bounding_box()
    assert video["width"] <= 390
    # the image is letterboxed inside the video box: 320 x 240 at the box's scale, centred
    scale = min(video["width"] / 320, video["height"] / 240)
    left = video["x"] + (video["width"] - 320 * scale) / 2
    top = video["y"] + (video["height"] - 240 * scale) / 2
    x, y = to_screen(page, ARROW["x2"], ARROW["y2"])
    assert x == pytest.approx(left + ARROW["x2"] * scale, abs=1)
    assert y == pytest.approx(top + ARROW["y2"] * scale, abs=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing overflows


def test_watching_the_whole_loop_marks_the_case_reviewed(page, live_server, trainee, viewer_case):
    sign_in(page, live_server, trainee)
    open_case(page, viewer_case)
    page.get_by_role("button", name="Play", exact=True).click()

    page.wait_for_function("document.querySelector('[data-video]').ended", timeout=15_000)
    page.locator("[data-reviewed]").wait_for(state="visible")
    watch = CaseWatch.objects.get(case=viewer_case, user=trainee)
    assert watch.reviewed_at is not None
    assert 3.0 <= watch.watched_s <= FRAMES / FPS  # real playback only, never more than the loop


# --- Instructors --------------------------------------------------------------------------------


def test_instructor_draws_an_ellipse_roi_saves_it_and_sees_its_curve(
    page, live_server, instructor, viewer_case, celery_eager
):
    sign_in(page, live_server, instructor)
    open_case(page, viewer_case)
    page.get_by_role("button", name="Edit annotations").click()
    page.get_by_role("button", name="Ellipse", exact=True).click()

    drag_on_image(page, (120, 80), (200, 150))
    page.get_by_label("ROI for time-intensity curves").select_option("lesion")
    page.get_by_label("Label", exact=True).fill("Nodule")
    assert page.locator("[data-save-state]").inner_text() == "Unsaved changes"
    page.get_by_role("button", name="Save", exact=True).click()
    wait_until_saved(page)

    roi = Annotation.objects.get(case=viewer_case, kind="ellipse")
    assert roi.roi_role == "lesion" and roi.label == "Nodule"
    assert roi.geometry["cx"] == pytest.approx(160, abs=1)
    assert roi.geometry["rx"] == pytest.approx(40, abs=1)
    assert Annotation.objects.filter(case=viewer_case, kind="arrow").count() == 1  # kept
    # the background task computed the curve; the page polls it and draws it (once the panel
    # below the video is on screen: viewer-tic.js fetches no curve before)
    page.locator("[data-tic]").scroll_into_view_if_needed()
    page.locator(".cv-tic-curve.cv-role-lesion").first.wait_for()
    assert RoiCurve.objects.get(annotation=roi).status == "ready"
    assert "Nodule" in page.locator("[data-tic-legend]").inner_text()
    assert "preview" not in page.locator("[data-tic-legend]").inner_text()
    note = page.locator(".cv-tic-note").text_content()  # on the chart itself
    assert note.startswith("Linearised intensity (echo power), DR = ")
    assert page.locator("[data-tic-table]").get_by_text("TTP").is_visible()


@pytest.fixture
def phone(browser, live_server):
    """A touch-screen phone, 390 x 844 CSS pixels."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def finger_drag(page, start, end) -> None:
    """A one-finger drag from image pixel ``start`` to ``end`` (real touch events)."""
    page.locator("[data-stage]").scroll_into_view_if_needed()
    (x0, y0), (x1, y1) = to_screen(page, *start), to_screen(page, *end)
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]}
    )
    for step in range(1, 6):
        x, y = x0 + (x1 - x0) * step / 5, y0 + (y1 - y0) * step / 5
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_instructor_draws_with_a_finger_on_a_phone(
    phone, live_server, instructor, viewer_case, celery_eager
):
    sign_in(phone, live_server, instructor)
    open_case(phone, viewer_case)
    phone.get_by_role("button", name="Edit annotations").tap()
    phone.get_by_role("button", name="Arrow", exact=True).tap()
    finger_drag(phone, (40, 200), (120, 150))
    assert phone.locator("[data-save-state]").inner_text() == "Unsaved changes"
    # The drawing is what needs a finger; Save is pressed with a click. A tap is two messages
    # to the browser (touch start, touch end): on a loaded CI machine the gap between them can
    # pass the long-press time, and a long press is no click (the save never started, twice).
    phone.get_by_role("button", name="Save", exact=True).click()
    wait_until_saved(phone)
    arrow = Annotation.objects.get(case=viewer_case, kind="arrow", label="")
    assert arrow.geometry == pytest.approx({"x1": 40, "y1": 200, "x2": 120, "y2": 150}, abs=1.5)


def test_a_refused_measurement_keeps_every_change_and_says_why(
    page, live_server, instructor, viewer_case, celery_eager
):
    sign_in(page, live_server, instructor)
    open_case(page, viewer_case)
    page.get_by_role("button", name="Edit annotations").click()
    page.get_by_role("button", name="Point", exact=True).click()
    drag_on_image(page, (60, 60), (60, 60))
    page.get_by_role("button", name="Measure", exact=True).click()
    drag_on_image(page, (3, 3), (100, 100))  # starts outside the calibrated region

    page.get_by_role("button", name="Save", exact=True).click()
    errors = page.get_by_role("alert")
    errors.wait_for()
    assert "calibrated" in errors.inner_text()
    assert page.locator("[data-save-state]").inner_text() == "Not saved"
    assert not Annotation.objects.filter(case=viewer_case, kind__in=["point", "measure"]).exists()
    assert page.locator("[data-ann-list] li").count() == 3  # arrow, point, measure: all kept

    page.keyboard.press("Control+z")  # undo the measurement, save the rest
    page.get_by_role("button", name="Save", exact=True).click()
    wait_until_saved(page)
    assert Annotation.objects.filter(case=viewer_case, kind="point").count() == 1


# --- README screenshot ----------------------------------------------------------------------------


@pytest.mark.skipif(
    os.environ.get("UPDATE_SCREENSHOTS") != "1", reason="set UPDATE_SCREENSHOTS=1 to refresh"
)
def test_viewer_screenshot_for_the_readme(page, live_server, cine_dirs, trainee, request):
    """With the demo data when it has a case with a processed loop, else the test case."""
    case = None
    if "load_demo_data" in get_commands():
        call_command("load_demo_data")
        published = (
            Case.objects.filter(status=CaseStatus.PUBLISHED, annotations__isnull=False)
            .filter(case_loops__loop__status="ready")
            .distinct()
        )
        case = published.filter(organ="liver").first() or published.first()
    user = get_user_model().objects.filter(username="trainee").first() or trainee
    if case is None:
        case = request.getfixturevalue("viewer_case")
        user = trainee
    sign_in(page, live_server, user)
    page.set_viewport_size({"width": 1280, "height": 1560})  # video, timeline and curves
    open_case(page, case)
    # a moment where annotations show: the middle of the first timed one
    first = case.annotations.exclude(t_start=None).order_by("t_start").first()
    seconds = (first.t_start + (first.t_end or first.t_start + 1)) / 2 if first else 1.5
    page.evaluate("t => window.CeusViewer.player.seek(t, {snap: true, pause: true})", seconds)
    page.wait_for_function(VIDEO_SHOWS_A_FRAME)
    if case.annotations.exclude(roi_role="").exists():
        page.locator("[data-tic]").scroll_into_view_if_needed()  # curves load once on screen
        page.locator(".cv-tic-curve").first.wait_for()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000
