"""The live teaching journey of issue 15 (its "Must show"), by clicking what the pages show.

One host at the expert centre and three participants at two county hospitals, each in a
browser of their own (one in Chinese, one on a 390 px phone), reach the session from the menu's
live sessions; a fourth joins late and lands on the same state. The host opens the
room from the session's page, starts, plays, pauses, steps five frames and switches loop:
after each, every participant's viewer shows the host's loop and frame (read from the
player's ``data-frame-index``). A hotspot poll's heat map shows the participants' clicks; a
question is asked, up-voted and marked answered; a participant's connection is cut while the
host moves on, and comes back in step. After the session, the replay shows the same frames at
the same events.

Served by uvicorn in a thread (``asgi_server``): pages and websockets, the test's database.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import pgettext

from cases.models import Annotation
from cineloops import services as loop_services
from cineloops.models import CineLoop
from cineloops.processing import loop_process
from core.scoping import Visibility
from live import services
from tests.browser.journey import (
    PHONE,
    browser_tab,
    horizontal_overflow,
    log_in,
    menu_link,
    use_language,
    zh,
)
from tests.cases.factories import CaseFactory
from tests.cine.cine_factory import make_cine
from tests.factories import InstitutionFactory, InstructorFactory, TraineeFactory

pytestmark = pytest.mark.browser

QUESTION = "Is the rim at 12 o'clock arterial?"


def processed_loop(tmp_path, name: str, institution, frames: int) -> CineLoop:
    path = make_cine(
        tmp_path / f"{name}.dcm",
        frames=frames,
        rows=120,
        columns=160,
        frame_time=100.0,
        burned_in="NO",
    )
    loop = loop_services.loop_create_from_path(path=path, institution=institution)
    loop_process(loop_pk=loop.pk)
    loop.refresh_from_db()
    assert loop.status == "ready", loop.error_message
    return loop


@pytest.fixture
def teaching(cine_dirs, tmp_path):
    centre = InstitutionFactory(name="Lakeside Expert Centre", level="expert_centre")
    county = InstitutionFactory(name="Anji County Hospital", level="county")
    second = InstitutionFactory(name="Deqing County Hospital", level="county")
    first_loop = processed_loop(tmp_path, "first", centre, 40)
    second_loop = processed_loop(tmp_path, "second", centre, 30)
    case = CaseFactory(institution=centre, visibility=Visibility.NETWORK, loops=[first_loop])
    Annotation.objects.create(
        case=case,
        loop=first_loop,
        kind="ellipse",
        geometry={"cx": 80.0, "cy": 60.0, "rx": 20.0, "ry": 15.0},
        label="Rim",
    )
    host = InstructorFactory(institution=centre, first_name="Wei", last_name="Host")
    starts = timezone.now() + timedelta(minutes=5)
    session = services.session_create(
        by=host,
        title_en="Arterial phase patterns",
        title_zh_hans="动脉期增强模式",
        starts_at=starts,
        planned_end=starts + timedelta(hours=1),
        conference_url="https://meet.example.org/ceus-live",
        agenda=[{"case": case.pk}, {"loop": second_loop.pk}],
    )
    return {
        "session": session,
        "loops": [first_loop, second_loop],
        "host": host,
        "desk": TraineeFactory(institution=county, first_name="Fang", last_name="Wang"),
        "chinese": TraineeFactory(institution=second, first_name="Min", last_name="Li"),
        "phone": TraineeFactory(institution=county, first_name="Jun", last_name="Zhao"),
        "late": TraineeFactory(institution=second, first_name="Lei", last_name="Sun"),
    }


# --- Reading a room page ---------------------------------------------------------------------


def seq(page) -> int:
    return int(page.locator("[data-live-room]").get_attribute("data-seq") or -1)


def frame(page) -> int:
    return int(page.locator("[data-live-viewer] [data-frame]").get_attribute("data-frame-index"))


def shown_loop(page) -> int:
    return page.evaluate("window.CeusViewer.player.loop.id")


def settle(pages, at_least: int) -> int:
    """Every page has applied the room's events up to the same seq (≥ ``at_least``)."""
    pages[0].wait_for_function(
        f"+document.querySelector('[data-live-room]').dataset.seq >= {at_least}"
    )
    target = seq(pages[0])
    for page in pages:
        page.wait_for_function(
            f"+document.querySelector('[data-live-room]').dataset.seq >= {target}"
        )
    return max(seq(page) for page in pages)


def assert_in_step(host, participants, loop_id: int) -> int:
    """Every participant shows the host's loop and (paused) frame; returns that frame."""
    expected = frame(host)
    assert shown_loop(host) == loop_id
    for page in participants:
        page.wait_for_function(
            "([f, l]) => window.CeusViewer.player && window.CeusViewer.player.loop.id === l"
            " && document.querySelector('[data-live-viewer] [data-frame]')"
            ".dataset.frameIndex === String(f)",
            arg=[expected, loop_id],
        )
    return expected


def click_on_image(page, x: float, y: float) -> None:
    """A click at normalised image coordinates (x, y), through the layer's own transform."""
    sx, sy = page.evaluate(
        """([x, y]) => {
          const svg = document.querySelector('[data-live-layer] svg');
          const p = new DOMPoint(x, y).matrixTransform(svg.getScreenCTM());
          return [p.x, p.y];
        }""",
        [x, y],
    )
    page.mouse.click(sx, sy)


def open_session(page, title: str, *, chinese: bool = False) -> None:
    """From the menu's live sessions to the session's page."""
    with translation.override("zh-hans" if chinese else "en"):
        live = pgettext("menu: live teaching sessions", "Live")
    menu_link(page, live).click()
    page.get_by_role("link", name=title, exact=True).click()


def join(page, title: str, *, chinese: bool = False) -> None:
    open_session(page, title, chinese=chinese)
    label = zh("Join the room") if chinese else "Join the room"
    page.get_by_role("link", name=label).click()
    page.wait_for_function("document.querySelector('[data-live-room]').dataset.seq !== undefined")


def test_a_host_teaches_three_hospitals_live_and_the_replay_shows_the_same_frames(
    browser, asgi_server, teaching
):
    first, second = teaching["loops"]
    record: dict[str, tuple[int, int]] = {}  # host action -> (loop, frame) everyone showed

    title = "Arterial phase patterns"
    with (
        browser_tab(browser, asgi_server) as host,
        browser_tab(browser, asgi_server) as desk,
        browser_tab(browser, asgi_server) as chinese,
        browser_tab(browser, asgi_server, **PHONE, phone=True) as phone,
    ):
        # Everyone opens the session's page from the menu, then its room.
        log_in(host, teaching["host"].username)
        open_session(host, title)
        assert host.locator("h1").inner_text() == title
        assert host.locator("[data-conference]").get_attribute("rel") == "noopener noreferrer"
        host.get_by_role("link", name="Open the room").click()
        host.wait_for_function("document.querySelector('[data-live-room]').dataset.seq === '0'")

        log_in(desk, teaching["desk"].username)
        join(desk, title)
        log_in(chinese, teaching["chinese"].username)
        use_language(chinese, "zh-hans")
        join(chinese, "动脉期增强模式", chinese=True)
        assert chinese.locator("h1").inner_text() == "动脉期增强模式"
        assert (
            zh("Waiting for the host to start the session.")
            in chinese.locator("[data-live-status]").inner_text()
        )
        log_in(phone, teaching["phone"].username)
        join(phone, title)
        assert horizontal_overflow(phone) <= 0
        room = [host, desk, chinese, phone]

        # Start: the agenda's first loop, paused at its first frame.
        host.get_by_role("button", name="Start the session").click()
        n = settle(room, 1)
        record["start"] = (first.pk, assert_in_step(host, room[1:], first.pk))
        assert record["start"][1] == 0

        # Play, then pause: everyone on the frame the host paused at.
        host.locator("[data-action=play]").click()
        n = settle(room, n + 1)
        host.wait_for_function(
            "+document.querySelector('[data-live-viewer] [data-frame]').dataset.frameIndex >= 4"
        )
        host.locator("[data-action=play]").click()
        n = settle(room, n + 1)
        record["pause"] = (first.pk, assert_in_step(host, room[1:], first.pk))
        assert record["pause"][1] >= 4

        # Five frames forward, one step at a time.
        for _ in range(5):
            host.locator("[data-action=next-frame]").click()
        n = settle(room, n + 5)
        record["step"] = (first.pk, assert_in_step(host, room[1:], first.pk))
        assert record["step"][1] == min(record["pause"][1] + 5, first.frames - 1)

        # A late joiner lands on the same state, and can leave.
        with browser_tab(browser, asgi_server) as late:
            log_in(late, teaching["late"].username)
            join(late, title)
            assert_in_step(host, [late], first.pk)

        # The host switches loop from the agenda.
        host.locator(f"[data-agenda-loop='{second.pk}']").click()
        n = settle(room, n + 1)
        record["loop"] = (second.pk, assert_in_step(host, room[1:], second.pk))
        assert record["loop"][1] == 0

        # A hotspot poll: two participants click, the host's heat map shows both cells.
        host.locator("[data-poll-kind]").select_option("hotspot")
        host.locator("[data-poll-prompt]").fill("Where is the lesion?")
        host.get_by_role("button", name="Launch the poll").click()
        spots = {desk: (3.5 / 32, 5.5 / 24), chinese: (24.5 / 32, 18.5 / 24)}
        for page, (x, y) in spots.items():
            page.locator("[data-poll-card]").wait_for()
            click_on_image(page, x, y)
            page.locator("[data-my-spot]").wait_for(state="attached")
        host.wait_for_function("document.querySelectorAll('[data-heatmap] rect').length === 2")
        cells = {
            int(c.get_attribute("data-cell")): int(c.get_attribute("data-count"))
            for c in host.locator("[data-heatmap] rect").all()
        }
        assert cells == {5 * 32 + 3: 1, 18 * 32 + 24: 1}
        host.get_by_role("button", name="Close the poll").click()

        # A question: asked on the phone, up-voted in Chinese, answered by the host.
        phone.locator("[data-ask-text]").fill(QUESTION)
        phone.get_by_role("button", name="Ask", exact=True).click()
        question = chinese.locator("[data-question]", has_text=QUESTION)
        question.get_by_role("button", name=zh("Up-vote")).click()
        host.locator("[data-question] [data-votes='1']").wait_for()
        host.locator("[data-question]", has_text=QUESTION).get_by_role(
            "button", name="Mark answered"
        ).click()
        for page in room[1:]:
            page.locator("[data-question] [data-answered]").wait_for()

        # The Chinese participant's network drops while the host steps on; back in step.
        n = settle(room, n)
        chinese.context.set_offline(True)
        chinese.wait_for_function(
            "document.querySelector('[data-live-status]').dataset.connection === 'lost'"
        )
        for _ in range(3):
            host.locator("[data-action=next-frame]").click()
        others = [host, desk, phone]
        n = settle(others, n + 3)
        assert seq(chinese) < n
        chinese.context.set_offline(False)
        chinese.wait_for_function(
            f"+document.querySelector('[data-live-room]').dataset.seq === {n}"
        )
        record["offline"] = (second.pk, assert_in_step(host, room[1:], second.pk))
        assert record["offline"][1] == 3

        # The host ends the session; every room says so and offers the replay.
        host.get_by_role("button", name="End the session").click()
        for page in room[1:]:
            page.locator("[data-replay]").wait_for()
        assert zh("The session is over.") in chinese.locator("[data-live-status]").inner_text()
        phone.locator("[data-replay]").click()

        # The replay: each recorded moment, from its entry in "What happened".
        phone.wait_for_function("window.CeusViewer && window.CeusViewer.player")
        entries = {
            "start": phone.locator("[data-replay-event=start]").first,
            "pause": phone.locator("[data-replay-event=pause]").first,
            "step": phone.locator("[data-replay-event=step]").nth(4),
            "loop": phone.locator("[data-replay-event=loop]").first,
            "offline": phone.locator("[data-replay-event=step]").last,
        }
        for name, entry in entries.items():
            entry.click()
            assert_in_step_replay(phone, *record[name])
        assert phone.locator("[data-replay-marks] [data-replay-mark=question_asked]").count() == 1
        assert phone.locator("[data-question]", has_text=QUESTION).count() == 1
        assert horizontal_overflow(phone) <= 0


def assert_in_step_replay(page, loop_id: int, expected: int) -> None:
    page.wait_for_function(
        "([f, l]) => window.CeusViewer.player.loop.id === l"
        " && document.querySelector('[data-live-viewer] [data-frame]')"
        ".dataset.frameIndex === String(f)",
        arg=[expected, loop_id],
    )
