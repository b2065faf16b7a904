# ruff: noqa: RUF001 -- Chinese UI text: its full-width colon and brackets are intended
"""Auto quality (static/js/renditions.js) in a real browser: the data saver and a slow link
(emulated through the DevTools protocol) make Auto choose the lowest rendition; a quality
pinned by hand is kept. The loop: tests/browser/ladder.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import fresh_tab
from tests.browser.ladder import (
    HEIGHTS,
    PHONE,
    choose,
    rendition,
)
from tests.browser.test_case_viewer import open_case, sign_in

pytestmark = pytest.mark.browser


# --- Auto: the data saver, a slow link ---------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "viewport", "words"),
    [
        (
            "en",
            None,
            ("Quality", "Auto (300p)", "Data saver is on: Auto plays the lowest quality."),
        ),
        ("zh-hans", PHONE, ("画质", "自动（300p）", "已开启节省流量：“自动”播放最低画质。")),
    ],
    ids=["en-desktop", "zh-phone"],
)
def test_with_the_data_saver_auto_plays_the_lowest(
    page, live_server, trainee, ladder_case, language, viewport, words
):
    trainee.data_saver = True
    trainee.preferred_language = language
    trainee.save()
    if viewport:
        page.set_viewport_size(viewport)
    sign_in(page, live_server, trainee)
    open_case(page, ladder_case)
    label, auto, note = words
    control = page.locator("[data-quality]")
    assert control.locator(".quality-choice span").inner_text() == label
    assert control.locator("[data-data-saver-note]").is_visible()
    assert note in control.locator("[data-data-saver-note]").inner_text()
    assert rendition(page) == "low"
    assert control.locator("option").first.inner_text() == auto
    page.locator("[data-action=play]").click()
    page.wait_for_function("document.querySelector('video').currentTime > 0.5")
    assert rendition(page) == "low"
    assert page.evaluate("document.querySelector('video').videoHeight") == HEIGHTS["low"]
    box = control.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]

    # A quality pinned by hand is kept, on this device, over the data saver's Auto.
    page.locator("[data-action=play]").click()  # pause
    choose(page, "high")
    page.wait_for_function(
        "document.querySelector('video').getAttribute('data-rendition') === 'high'"
    )
    open_case(page, ladder_case)
    assert page.locator("[data-quality-select]").input_value() == "high"
    assert rendition(page) == "high"
    choose(page, "auto")
    assert rendition(page) == "low"


@pytest.fixture
def slow_page(browser, live_server) -> Iterator:
    """A page as ``page`` but with the service worker blocked: the DevTools protocol emulates
    the page's network only, and the offline worker fetches media itself
    (static/js/offline-sw.js), so through it a lower rendition arrived at full speed and Auto
    saw no reason to go lower (the failure CI showed)."""
    with fresh_tab(browser, live_server, service_workers="block") as tab:
        yield tab


@pytest.fixture
def throttle(slow_page) -> Iterator:
    """``throttle(kbps, latency_ms)``: ``slow_page``'s network, emulated through the DevTools
    protocol. At the end the link is restored and the page left once the network is idle: a
    response still trickling out of the live server would hold the shared in-memory test
    database while the test's data are flushed (the flush fails, and the worker's later tests
    with it)."""
    page = slow_page
    sessions = []

    def emulate(kbps: int, latency_ms: int = 150) -> None:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": latency_ms, "downloadThroughput": kbps * 1000 / 8,
             "uploadThroughput": 256 * 1000 / 8},
        )  # fmt: skip
        sessions.append(cdp)

    yield emulate
    if page.is_closed():
        return
    for cdp in sessions:
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
    page.evaluate("document.querySelectorAll('video').forEach(v => v.pause())")
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")


def test_on_a_slow_link_auto_starts_on_the_lowest(
    slow_page, live_server, trainee, ladder_case, throttle
):
    page = slow_page
    page.set_default_timeout(60_000)
    throttle(300)
    sign_in(page, live_server, trainee)
    open_case(page, ladder_case)
    page.locator("[data-action=play]").click()
    assert rendition(page) == "low"
    assert page.evaluate("window.CeusViewer.player.quality.estimate.kbps") < 600
    page.wait_for_function("document.querySelector('video').currentTime > 0.5")
    assert rendition(page) == "low"


LADDER = ["high", "medium", "low"]


@pytest.mark.parametrize(
    ("latency_ms", "lowest_only"),
    [
        (150, True),  # what 300 kbit/s carries: the lowest
        (4000, False),  # nothing has arrived when Auto gives up waiting: a rung lower, still plays
    ],
    ids=["slow", "no-answer-yet"],
)
def test_when_the_link_slows_down_auto_drops_to_a_lower_rendition(
    slow_page, live_server, trainee, ladder_case, latency_ms, lowest_only, throttle
):
    page = slow_page
    page.set_default_timeout(60_000)
    sign_in(page, live_server, trainee)
    open_case(page, ladder_case)
    # On loopback Auto starts high, or medium on a loaded machine (this loop's high rendition
    # is 6.3 Mbit/s, and the page's own downloads measure the link).
    start = rendition(page)
    assert start in ("high", "medium")
    lower = LADDER[-1:] if lowest_only else LADDER[LADDER.index(start) + 1 :]
    page.evaluate(
        """() => {
          const v = document.querySelector('video');
          window.played = [v.getAttribute('data-rendition')];
          new MutationObserver(() => window.played.push(v.getAttribute('data-rendition')))
            .observe(v, {attributes: true, attributeFilter: ['data-rendition']});
        }"""
    )
    throttle(300, latency_ms)
    page.locator("[data-action=play]").click()
    try:
        page.wait_for_function(
            "names => { const v = document.querySelector('video');"
            " return names.includes(v.getAttribute('data-rendition')) && v.currentTime > 0.5; }",
            arg=lower,
        )
    except PlaywrightTimeout:
        state = page.evaluate(
            "() => { const v = document.querySelector('video');"
            " return {played: window.played, time: v.currentTime, ready: v.readyState,"
            " paused: v.paused, buffered: v.buffered.length ? v.buffered.end(0) : 0,"
            " switching: !!window.CeusViewer.player.quality.switching}; }"
        )
        pytest.fail(f"Auto did not go down to {lower}: {state}")
    played = page.evaluate("window.played")
    assert played[0] == start and played[-1] in lower, played
    assert page.evaluate("localStorage.getItem('ceus-video-quality')") is None  # still Auto
