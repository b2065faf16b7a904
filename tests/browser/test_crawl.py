"""Every page reachable from the menus, for every role, in both languages, at a phone's and a
laptop's width (issue 10): no sideways scrolling, no English catalogue sentence left on a
Chinese page, no server error, no Content-Security-Policy violation (conftest's guard records
them on every page of every context). Each page's server time is printed as a table (not
asserted).

Navigation is by clicking: the menu links from the home page, then the same-origin links on
each menu page (one level below), going back between them. URLs are deduplicated by pattern
(digits become <id>), so one case page, one quiz page … per role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
ROLES = {"trainee": "trainee", "instructor": "instructor", "director": "director", "admin": "admin"}
LAPTOP = 1366
WIDTHS = (390, LAPTOP)  # the laptop last: the page stays at its width for what follows
# Not pages to read: leaving, downloads, media, the Django admin, the API.
SKIP = re.compile(
    r"/logout|^/admin/|^/media/|^/static/|^/api/|/download|/export|\.(csv|ics|pdf|png|zip|dcm|mp4|json)$"
    r"|[?&]format=(csv|pdf)"
)


# The outermost elements reaching past the viewport: what to fix when a page is too wide.
OVERFLOWING = """(() => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.getBoundingClientRect().right <= document.documentElement.clientWidth + 0.5) {
      continue;
    }
    if (out.some((o) => o.contains(el))) { continue; }
    out.push(el);
  }
  return out.slice(0, 3).map((el) => el.tagName.toLowerCase() + "." + [...el.classList].join("."));
})()"""


# Whether the main menu wraps: an entry starts below the bottom of another (they are centred
# on one line, so their tops differ a little without wrapping).
MENU_WRAPS = """(() => {
  const boxes = [...document.querySelectorAll(".site-header nav > *")]
    .filter((el) => el.offsetParent !== null)
    .map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0);
  const firstBottom = Math.min(...boxes.map((r) => r.bottom));
  return boxes.some((r) => r.top >= firstBottom);
})()"""

# Visible form fields drawn over one another (the library's search box over the organ filter).
OVERLAPPING_FIELDS = """(() => {
  const fields = "main input:not([type=hidden]):not([type=checkbox]):not([type=radio]),"
    + " main select, main textarea";
  const boxes = [...document.querySelectorAll(fields)]
    .filter((el) => el.offsetParent !== null)
    .map((el) => [el, el.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && r.height > 0);
  const out = [];
  boxes.forEach(([a, ra], i) => boxes.slice(i + 1).forEach(([b, rb]) => {
    const across = ra.left < rb.right - 1 && rb.left < ra.right - 1;
    if (across && ra.top < rb.bottom - 1 && rb.top < ra.bottom - 1) {
      out.push((a.name || a.id) + " / " + (b.name || b.id));
    }
  }));
  return out.slice(0, 3);
})()"""


# Once the charts have redrawn for the new width (a ResizeObserver, then two frames): the page's
# width against the viewport's (clientWidth, not innerWidth: a vertical scroll bar would hide
# an overflow as wide), what reaches past it, overlapping fields, whether the menu wraps.
LAYOUT = f"""new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {{
  const root = document.documentElement;
  const wide = root.scrollWidth > root.clientWidth;
  done({{scroll: root.scrollWidth, client: root.clientWidth,
         culprits: wide ? {OVERFLOWING} : [],
         overlaps: {OVERLAPPING_FIELDS}, wraps: {MENU_WRAPS}}});
}})))"""

# The visible text nodes, trimmed, also without a trailing colon or ellipsis ("Organ:").
# Whole nodes, not substrings: a sentence of English demo content that quotes a short UI phrase
# ("… signed off by an instructor …") is content, which the bilingual content fields translate.
VISIBLE_TEXTS = """(() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.offsetParent === null) { continue; }
    if (el.closest("script, style, template, [hidden]")) { continue; }
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (text) { out.push(text, text.replace(/[:\\uFF1A…. ]+$/, "")); }
  }
  return out;
})()"""


def catalogue_sentences() -> set[str]:
    """msgids of three or more words without placeholders (those are never shown verbatim)."""
    text = PO.read_text(encoding="utf-8")
    found = set()
    for block in text.split("\n\n"):
        if "msgid_plural" in block:
            continue
        match = re.search(r'^msgid ((?:".*"\n?)+)msgstr', block, re.MULTILINE)
        if not match:
            continue
        msgid = "".join(re.findall(r'"(.*)"', match.group(1))).replace('\\"', '"')
        if re.search(r"%\(|\{|%s|%d|<", msgid) or len(msgid.split()) < 3:
            continue
        found.add(msgid)
    return found


@dataclass
class Visit:
    role: str
    language: str
    path: str
    status: int
    server_ms: float


def pattern(href: str) -> str:
    """One page per URL pattern: the query (filters, sorting) and the ids do not count."""
    return re.sub(r"\d+", "<id>", urlsplit(href).path)


def log_in(page, username: str) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(reverse("courses:dashboard")) + "$"))


def same_origin_links(page, scope: str) -> list[str]:
    """Visible same-origin links of the scope, as path + query; each marked with that value
    (data-crawl) for clicking, whatever its href attribute says (relative, "?tag=…")."""
    hrefs = page.eval_on_selector_all(
        f"{scope} a[href]",
        """links => links.filter(a => a.offsetParent !== null && !a.hasAttribute('download')
              && a.origin === location.origin && !a.target)
            .map(a => { a.dataset.crawl = a.pathname + a.search; return a.dataset.crawl; })""",
    )
    return [h for h in dict.fromkeys(hrefs) if not SKIP.search(h)]


class Crawl:
    def __init__(self, page, role: str, language: str, sentences: list[str]) -> None:
        self.page, self.role, self.language, self.sentences = page, role, language, sentences
        self.visits: list[Visit] = []
        self.problems: list[str] = []

    def open_menu_groups(self) -> None:
        """Open the menu's dropdown groups ("Teaching"), whose links are hidden until then."""
        closed = self.page.locator(".site-header details.nav-menu:not([open]) > summary")
        for summary in closed.all():
            summary.click()

    def click(self, scope: str, href: str) -> None:
        if scope.startswith(".site-header"):
            self.open_menu_groups()
        same_origin_links(self.page, scope)  # (re)marks the links after a history step
        link = self.page.locator(f'{scope} a[data-crawl="{href}"]:visible').first
        with self.page.expect_navigation() as navigation:
            link.click()
        response = navigation.value
        timing = response.request.timing
        server_ms = max(0.0, timing["responseStart"] - timing["requestStart"])
        path = urlsplit(response.url).path
        self.visits.append(Visit(self.role, self.language, path, response.status, server_ms))
        self.check(path, response.status)

    def check(self, path: str, status: int) -> None:
        where = f"{self.role}/{self.language} {path}"
        if status >= 500:
            self.problems.append(f"{where}: HTTP {status}")
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            found = self.page.evaluate(LAYOUT)  # one round trip per width
            if found["overlaps"]:
                self.problems.append(f"{where} at {width} px: fields overlap {found['overlaps']}")
            if width >= 1366 and found["wraps"]:
                self.problems.append(f"{where} at {width} px: the menu wraps")
            if found["scroll"] > found["client"]:
                self.problems.append(
                    f"{where} at {width} px: {found['scroll']} px wide {found['culprits']}"
                )
        if self.language == "zh-hans":
            left = sorted(self.sentences & set(self.page.evaluate(VISIBLE_TEXTS)))
            if left:
                self.problems.append(f"{where}: untranslated {left[:3]}")

    def run(self) -> None:
        seen: set[str] = set()
        self.open_menu_groups()
        menu = same_origin_links(self.page, ".site-header nav")
        menu = [h for h in menu if h != "/" and pattern(h) not in seen]
        for href in menu:
            seen.add(pattern(href))
            self.click(".site-header nav", href)
            for child in same_origin_links(self.page, "main"):
                if pattern(child) in seen or child in menu:
                    continue
                seen.add(pattern(child))
                self.click("main", child)
                self.page.go_back(wait_until="load")


@pytest.fixture
def demo(settings, tmp_path, reuse_processed_outputs):
    settings.CINE_UPLOAD_DIR = tmp_path / "uploads"
    settings.CINE_MEDIA_DIR = tmp_path / "cine"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("load_demo_data", verbosity=0)


# One test per language (each crawls as every role), so that parallel test workers share it.
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_menu_page_fits_is_translated_and_answers(language, browser, live_server, demo):
    sentences = catalogue_sentences()
    visits, problems = [], []
    for role, username in ROLES.items():
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", viewport={"width": LAPTOP, "height": 900}
        )
        context.set_default_timeout(20_000)
        page = context.new_page()
        log_in(page, username)
        if language == "zh-hans":
            with page.expect_navigation():
                page.locator("#lang-select").select_option("zh-hans")
        crawl = Crawl(page, role, language, sentences)
        crawl.run()
        visits += crawl.visits
        problems += crawl.problems
        context.close()

    print(f"\n{'role':<11} {'lang':<8} {'status':>6} {'server ms':>9}  page")
    for v in visits:
        print(f"{v.role:<11} {v.language:<8} {v.status:>6} {v.server_ms:>9.0f}  {v.path}")
    assert len({v.path for v in visits}) > 20  # the crawl reached real pages
    assert problems == [], "\n".join(problems)
