"""The upload page in a real browser: per-file progress, live status, reasons for failures,
and the file's name never leaves the browser."""

import re

import pytest

from cineloops import services
from tests.browser.conftest import _missing_reason
from tests.cineloops.samples import good_cine, not_dicom, ybr_cine

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(_missing_reason() is not None, reason=str(_missing_reason())),
]


@pytest.mark.django_db(transaction=True)
def test_upload_page_shows_progress_status_and_reasons(
    page,
    live_server,
    client,
    instructor,
    celery_eager,
    settings,
    tmp_path,
    monkeypatch,
):
    settings.CINE_MAX_UPLOAD_BYTES = 100_000
    client.force_login(instructor)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    received_names = []
    real_create = services.loops_create_from_files

    def spy(*, files, **kwargs):
        received_names.extend(f.name for f in files)
        return real_create(files=files, **kwargs)

    monkeypatch.setattr(services, "loops_create_from_files", spy)
    good = good_cine(tmp_path / "ZHANG_WEI_liver.dcm")
    bad = not_dicom(tmp_path / "ward-list.dcm")
    big = tmp_path / "big.dcm"
    big.write_bytes(ybr_cine().read_bytes())  # 225 kB, over the lowered limit

    page.goto("/cineloops/upload/")
    files = page.locator(".cine-file")
    chooser = page.locator("[data-file-input]")
    # One at a time: the test database (in-memory SQLite) cannot take parallel writers.
    chooser.set_input_files([str(good)])
    files.nth(0).locator(".cine-status-ready").wait_for()
    assert files.nth(0).locator("progress").first.evaluate("bar => bar.value") == 100
    chooser.set_input_files([str(bad)])
    files.nth(1).locator(".cine-loop.is-failed").wait_for()  # refused at upload, with why
    assert "not a DICOM file" in files.nth(1).inner_text()
    chooser.set_input_files([str(big)])
    assert re.search(r"upload limit of 97\.7\s*KB", files.nth(2).inner_text())
    assert files.count() == 3
    link = files.nth(0).locator(".cine-loop a")
    assert re.fullmatch(r"/cineloops/\d+/", link.get_attribute("href"))
    # The name stays in the browser: the server got "upload", never the patient's name. (The
    # file that is not DICOM was refused at its first part, before it reached the service.)
    assert received_names == ["upload"]
