"""Steps every journey test takes the same way: log in from the home page, switch language with
the header's select, log out, and the phone-width check. Journey tests click only what the pages
show; these helpers keep to that (the only ``goto`` is the home page)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

PASSWORD = "correct horse battery"  # tests.factories' users
PHONE = {"width": 390, "height": 844}


def in_language(code: str, text: str) -> str:
    """``text`` as the catalogue translates it into ``code``: what a page in it shows."""
    with translation.override(code):
        return gettext(text)


def zh(text: str) -> str:
    return in_language("zh-hans", text)


@contextmanager
def browser_tab(
    browser, live_server, *, width: int = 1366, height: int = 800, phone: bool = False
) -> Iterator:
    """A fresh browser (no cookies) on the home page; ``phone`` adds touch."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        viewport={"width": width, "height": height},
        has_touch=phone,
        is_mobile=phone,
    )
    context.set_default_timeout(20_000)
    tab = context.new_page()
    try:
        tab.goto("/")
        yield tab
    finally:
        context.close()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """From the home page through the header's login link, in whatever language the browser
    was left in; lands on the dashboard."""
    page.goto("/")
    page.locator(f"header a[href^='{reverse('accounts:login')}']").click()
    page.locator("main [name=username]").fill(username)
    page.locator("main [name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(reverse("courses:dashboard")) + "$"))


def menu_link(page, name: str):
    """A link of the header's menu by its text, opening the "Teaching" group first when the
    link is not in sight (as a person would: it is the menu's one group)."""
    nav = page.locator(".site-header nav")
    link = nav.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        nav.locator("details.nav-menu > summary").click()
    return link


def log_out(page) -> None:
    page.locator("nav[aria-label] button[type=submit]").click()
    page.wait_for_load_state()


def use_language(page, code: str) -> None:
    """Through the header's language select (it submits itself), unless already in use."""
    if page.locator("html").get_attribute("lang") != code:
        with page.expect_navigation():
            page.locator("#lang-select").select_option(code)
    assert page.locator("html").get_attribute("lang") == code


def horizontal_overflow(page) -> int:
    """How many CSS pixels the document is wider than its viewport (≤ 0: it fits), once the
    page in the tab has loaded."""
    # A click returns once its navigation is committed: the new document may not have its
    # root element yet (null.scrollWidth), nor its style sheets (a false overflow).
    page.wait_for_load_state()
    # clientWidth, not innerWidth: a vertical scroll bar would hide an overflow its width wide.
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def to_screen(page, x: float, y: float) -> tuple[float, float]:
    """Where original image pixel (x, y) of the case viewer's loop is on the screen (the
    overlay's own transform)."""
    return tuple(
        page.evaluate(
            """([x, y]) => {
              const svg = document.querySelector('[data-overlay]');
              const p = new DOMPoint(x, y).matrixTransform(svg.getScreenCTM());
              return [p.x, p.y];
            }""",
            [x, y],
        )
    )


def drag_on_image(page, start, end) -> None:
    """A mouse drag on the case viewer's image, from original pixel ``start`` to ``end``."""
    page.locator("[data-stage]").scroll_into_view_if_needed()
    (x0, y0), (x1, y1) = to_screen(page, *start), to_screen(page, *end)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
