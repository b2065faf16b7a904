"""A person's path through the platform in a real browser: log in, switch language."""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands
from django.urls import reverse

from tests.factories import TraineeFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-dashboard.png"


def log_in(page, username: str, password: str) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(reverse("courses:dashboard")) + "$"))


def test_trainee_logs_in_through_the_form_and_lands_on_the_dashboard(page):
    trainee = TraineeFactory(first_name="Na", last_name="Li")

    log_in(page, trainee.username, PASSWORD)

    assert page.locator(".nav-user").inner_text() == "Na Li"
    assert page.get_by_role("button", name="Log out").is_visible()


def test_wrong_password_keeps_the_trainee_on_the_login_page(page):
    trainee = TraineeFactory()
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill(trainee.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()

    assert page.get_by_text("did not match").is_visible()
    assert page.url.endswith(reverse("accounts:login"))


def test_switching_to_chinese_with_the_language_switcher(page):
    page.goto("/")
    assert page.locator("h1").inner_text().startswith("Learn contrast-enhanced ultrasound")

    # The switcher submits itself on change (static/js/app.js).
    with page.expect_navigation():
        page.locator("#lang-select").select_option(label="简体中文")

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "向专家中心学习超声造影"
    assert page.get_by_role("link", name="登录", exact=True).is_visible()


def test_a_signed_in_trainee_keeps_the_language_chosen(page):
    trainee = TraineeFactory()
    log_in(page, trainee.username, PASSWORD)

    with page.expect_navigation():
        page.locator("#lang-select").select_option(value="zh-hans")

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    trainee.refresh_from_db()
    assert trainee.preferred_language == "zh-hans"


@pytest.mark.skipif(
    os.environ.get("UPDATE_SCREENSHOTS") != "1", reason="set UPDATE_SCREENSHOTS=1 to refresh"
)
def test_dashboard_screenshot_for_the_readme(page):
    if "load_demo_data" in get_commands():
        call_command("load_demo_data")
        log_in(page, "trainee", "demo")
    else:
        log_in(page, TraineeFactory().username, PASSWORD)

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1200, "height": 540})  # full_page grows it to fit
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000
