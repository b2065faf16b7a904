# ruff: noqa: RUF001 -- Chinese UI text: its full-width colon and brackets are intended
"""Auto quality (static/js/renditions.js) in a real browser: the data saver and a slow link
(emulated through the DevTools protocol) make Auto choose the lowest rendition; a quality
pinned by hand is kept. The loop: tests/browser/ladder.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
def throttle(page) -> Iterator:
    """``throttle(page, kbps, latency_ms)``: the page's network, emulated through the DevTools
    protocol. At the end the link is restored and the page left once the network is idle: a
    response still trickling out of the live server would hold the shared in-memory test
    database while the test's data are flushed (the flush fails, and the worker's later tests
    with it)."""
    sessions = []

    def emulate(page, kbps: int, latency_ms: int = 150) -> None:
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
    page, live_server, trainee, ladder_case, throttle
):
    page.set_default_timeout(60_000)
    throttle(page, 300)
    sign_in(page, live_server, trainee)
    open_case(page, ladder_case)
    page.locator("[data-action=play]").click()
    assert rendition(page) == "low"
    assert page.evaluate("window.CeusViewer.player.quality.estimate.kbps") < 600
    page.wait_for_function("document.querySelector('video').currentTime > 0.5")
    assert rendition(page) == "low"


@pytest.mark.parametrize(
    ("latency_ms", "lands_on"),
    [
        (150, "low"),  # what 300 kbit/s carries
        (4000, "medium|low"),  # nothing has arrived when Auto gives up waiting: it still plays
    ],
    ids=["slow", "no-answer-yet"],
)
def test_when_the_link_slows_down_auto_drops_to_a_lower_rendition(
    page, live_server, trainee, ladder_case, latency_ms, lands_on, throttle
):
    page.set_default_timeout(60_000)
    sign_in(page, live_server, trainee)
    open_case(page, ladder_case)
    assert rendition(page) == "high"  # loopback
    page.evaluate(
        """() => {
          const v = document.querySelector('video');
          window.played = [v.getAttribute('data-rendition')];
          new MutationObserver(() => window.played.push(v.getAttribute('data-rendition')))
            .observe(v, {attributes: true, attributeFilter: ['data-rendition']});
        }"""
    )
    throttle(page, 300, latency_ms)
    page.locator("[data-action=play]").click()
    page.wait_for_function(
        "names => { const v = document.querySelector('video');"
        " return names.includes(v.getAttribute('data-rendition')) && v.currentTime > 0.5; }",
        arg=lands_on.split("|"),
    )
    played = page.evaluate("window.played")
    assert played[0] == "high" and played[-1] in lands_on.split("|"), played
    assert page.evaluate("localStorage.getItem('ceus-video-quality')") is None  # still Auto
