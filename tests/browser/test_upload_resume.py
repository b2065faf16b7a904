"""Resumable uploads in a real browser (issue 16): an upload whose connection drops at half way
goes on by itself from where the server is and its loop is processed once; after a reload,
choosing the same file again continues it — on a phone, in Chinese.

The connection is cut with ``page.route``: the part requests past half way are aborted as a
dropped link aborts them (the server never sees them). What the page said along the way is
recorded by a MutationObserver on the file's status line."""

import re

import pytest

from cineloops import resumable
from cineloops import tasks as cine_tasks
from cineloops.models import CineLoop, ResumableUpload
from tests.browser.conftest import _missing_reason, leave_quietly
from tests.browser.journey import (
    PHONE,
    browser_tab,
    horizontal_overflow,
    log_in,
    menu_link,
    use_language,
    zh,
)
from tests.cineloops.samples import good_cine
from tests.factories import InstructorFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(_missing_reason() is not None, reason=str(_missing_reason())),
]
PART = 8 * 1024
UPLOADS = "**/api/v1/cine-uploads/**"
# Every text the file's status line showed, in order.
RECORD_STATES = """() => {
  window.cineStates = [];
  new MutationObserver(() => {
    const state = document.querySelector(".cine-file .cine-file-state");
    const text = state && state.textContent;
    if (text && window.cineStates[window.cineStates.length - 1] !== text) {
      window.cineStates.push(text);
    }
  }).observe(document.querySelector("[data-queue]"), {
    subtree: true, childList: true, characterData: true
  });
}"""


@pytest.fixture
def runs(monkeypatch) -> dict[str, list]:
    """Each join of an upload's parts and each processing run of a loop, as they happen."""
    seen: dict[str, list] = {"joins": [], "processing": []}
    join, process = resumable.upload_finish, cine_tasks.loop_process

    def counted_join(**kwargs):
        seen["joins"].append(str(kwargs["upload_pk"]))
        return join(**kwargs)

    def counted_process(**kwargs):
        seen["processing"].append(kwargs["loop_pk"])
        return process(**kwargs)

    monkeypatch.setattr(resumable, "upload_finish", counted_join)
    monkeypatch.setattr(cine_tasks, "loop_process", counted_process)
    monkeypatch.setattr(resumable, "BROWSER_PART_BYTES", PART)
    return seen


class Link:
    """The network between the page and the upload API: records what reached the server and
    drops the part requests at or past ``cut_from`` while ``drops`` says so."""

    def __init__(self, cut_from: int, drops: int) -> None:
        self.cut_from, self.drops = cut_from, drops
        self.sent: list[tuple[str, int | None]] = []  # (method, Upload-Offset) that got through
        self.dropped: list[int] = []
        self.checksums: list[str] = []  # the Upload-Checksum of each part that got through

    def __call__(self, route, request) -> None:
        offset = request.headers.get("upload-offset")
        offset = int(offset) if offset is not None else None
        if request.method == "PATCH" and offset >= self.cut_from and self.drops:
            self.drops -= 1
            self.dropped.append(offset)
            route.abort("internetdisconnected")
            return
        self.sent.append((request.method, offset))
        if request.method == "PATCH":
            self.checksums.append(request.headers.get("upload-checksum", ""))
        route.continue_()

    def patches(self) -> list[int]:
        return [offset for method, offset in self.sent if method == "PATCH"]


def open_upload_page(page) -> None:
    menu_link(page, "Cine loops").click()
    page.get_by_role("link", name="Upload loops").click()
    page.locator("[data-file-input]").wait_for(state="attached")


@pytest.mark.django_db(transaction=True)
def test_an_upload_cut_at_half_resumes_by_itself_and_its_loop_is_processed_once(
    page, celery_eager, cine_dirs, runs, tmp_path
):
    source = good_cine(tmp_path / "LI_NA_liver.dcm", frames=40)
    size = source.stat().st_size
    assert size > 8 * PART  # enough parts to cut in the middle
    instructor = InstructorFactory()
    log_in(page, instructor.username)
    open_upload_page(page)
    link = Link(cut_from=size // 2, drops=2)  # two attempts fail: 0 s, then 1 s of backoff
    page.route(UPLOADS, link)
    page.evaluate(RECORD_STATES)

    page.locator("[data-file-input]").set_input_files(str(source))

    row = page.locator(".cine-file")
    row.locator(".cine-loop .cine-status-ready").wait_for(timeout=30_000)
    assert row.locator("progress").first.evaluate("bar => bar.value") == 100
    states = page.evaluate("window.cineStates")
    # Real progress in bytes, the drop said as it happened, then the file put together.
    sent = [s for s in states if re.fullmatch(r"[\d.]+\s(KB|bytes) of [\d.]+\sKB sent \(\d+%\)", s)]
    assert sent, states
    assert "Connection lost: trying again in 1 s…" in states
    assert "All sent; the server is putting the file together…" in states
    assert states[-1] == "Uploaded"
    # The link dropped at half way; the page asked where the server was, went on from there.
    assert len(link.dropped) == 2 and link.dropped[0] == link.dropped[1] >= size // 2
    cut = link.dropped[0]
    assert link.dropped[0] - PART < size // 2
    patches = link.patches()
    assert patches == sorted(set(patches))  # no part sent twice, none from the start again
    assert patches == list(range(0, size, PART))
    assert ("HEAD", None) in link.sent[link.sent.index(("PATCH", cut - PART)) :]
    assert [method for method, _ in link.sent].count("POST") == 1
    # Each part carried its SHA-256 (checked by the server: a damaged part is never appended).
    assert all(re.fullmatch(r"sha256 [A-Za-z0-9+/]{43}=", c) for c in link.checksums), (
        link.checksums
    )
    # One upload, joined once, one loop, processed once; the parts are gone.
    upload = ResumableUpload.objects.get()
    loop = CineLoop.objects.get()
    assert (upload.status, upload.offset, loop.original_size) == ("complete", size, size)
    assert runs == {"joins": [str(upload.pk)], "processing": [loop.pk]}
    assert loop.status == CineLoop.Status.READY
    assert not upload.parts.exists()


@pytest.mark.django_db(transaction=True)
def test_after_a_reload_the_same_file_continues_where_the_server_is_on_a_phone_in_chinese(
    browser, live_server, celery_eager, cine_dirs, runs, tmp_path
):
    source = good_cine(tmp_path / "WANG_FANG_kidney.dcm", frames=40)
    size = source.stat().st_size
    instructor = InstructorFactory()
    with browser_tab(browser, live_server, phone=True, **PHONE) as page:
        log_in(page, instructor.username)
        use_language(page, "zh-hans")
        menu_link(page, zh("Cine loops")).click()
        page.get_by_role("link", name=zh("Upload loops")).click()
        link = Link(cut_from=size // 2, drops=10**6)  # down until the page is closed
        page.route(UPLOADS, link)
        page.locator("[data-file-input]").set_input_files(str(source))
        waiting = page.locator(".cine-file.is-waiting")
        waiting.wait_for()
        held = ResumableUpload.objects.get().offset
        assert size // 2 <= held < size // 2 + PART
        assert horizontal_overflow(page) <= 0

        # The laptop is closed, the page reloaded: the server still has half the file. The
        # link comes back only after the reload (else a retry of the old page may get through).
        page.reload()
        page.unroute(UPLOADS)
        assert ResumableUpload.objects.get().offset == held
        note = page.locator("[data-unfinished] .cine-unfinished")
        note.wait_for()
        text = note.inner_text()
        assert zh("Discard it") in text
        assert f"{100 * held // size}%" in text
        assert horizontal_overflow(page) <= 0

        link = Link(cut_from=size, drops=0)
        page.route(UPLOADS, link)
        page.evaluate(RECORD_STATES)
        page.locator("[data-file-input]").set_input_files(str(source))
        note.wait_for(state="detached")  # going on now: no longer listed as unfinished
        page.locator(".cine-file .cine-loop .cine-status-ready").wait_for(timeout=30_000)
        states = page.evaluate("window.cineStates")
        assert horizontal_overflow(page) <= 0

    # No new upload: a HEAD learnt the server's offset, and the parts went on from there.
    assert [method for method, _ in link.sent][:2] == ["HEAD", "PATCH"]
    assert "POST" not in [method for method, _ in link.sent]
    assert link.patches()[0] == held
    resumed = zh("Continuing the earlier upload of this file from {sent}.").split("{sent}")[0]
    assert any(state.startswith(resumed) for state in states), states
    assert states[-1] == zh("Uploaded")
    upload = ResumableUpload.objects.get()
    loop = CineLoop.objects.get()
    assert (upload.status, loop.original_size) == ("complete", size)
    assert runs == {"joins": [str(upload.pk)], "processing": [loop.pk]}


@pytest.mark.django_db(transaction=True)
def test_a_file_chosen_before_the_pages_scripts_arrive_is_uploaded_when_they_do(
    browser, live_server, celery_eager, cine_dirs, tmp_path
):
    """On a slow link the doctor may pick the file while the page's scripts are still coming:
    its `change` event fires before anyone listens, and the upload must start anyway."""
    source = good_cine(tmp_path / "early.dcm", frames=8)
    # Without the offline worker: requests it makes for the page are not seen by page.route.
    context = browser.new_context(base_url=live_server.url, service_workers="block")
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, InstructorFactory().username)
    held = []  # the upload scripts' requests, answered only once the file is chosen
    script = re.compile(r"/js/upload-resumable(\.\w+)?\.js")  # hashed name or not
    page.route(script, lambda route: held.append(route))
    menu_link(page, "Cine loops").click()
    page.get_by_role("link", name="Upload loops").click()
    page.locator("[data-file-input]").set_input_files(str(source))
    page.wait_for_timeout(100)  # the change event has been dispatched by now, to no listener
    assert held and page.locator(".cine-file").count() == 0
    held[0].continue_()

    page.locator(".cine-file .cine-loop .cine-status-ready").wait_for(timeout=30_000)
    assert CineLoop.objects.get().original_size == source.stat().st_size
    leave_quietly(context)
    context.close()
