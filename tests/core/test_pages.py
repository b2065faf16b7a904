"""The home page: English by default, Chinese for a Chinese browser, no external hosts."""

import re

import pytest
from django.urls import reverse

from tests.factories import TraineeFactory

EXTERNAL_URL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.IGNORECASE)


def assert_no_external_urls(html: str) -> None:
    match = EXTERNAL_URL.search(html)
    assert match is None, f"external URL in page: {match.group(0)}"


@pytest.mark.django_db
def test_home_page_in_english_by_default(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Learn contrast-enhanced ultrasound from expert centres" in html
    assert_no_external_urls(html)


@pytest.mark.django_db
def test_home_page_in_chinese_for_accept_language_zh_hans(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "向专家中心学习超声造影" in html
    assert "登录" in html
    assert "Learn contrast-enhanced ultrasound" not in html
    assert response["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_home_page_in_chinese_for_a_browser_asking_zh_cn(client):
    # Browsers in mainland China send zh-CN; Django maps it to the zh-hans catalogue.
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.8")

    assert "向专家中心学习超声造影" in response.content.decode()


@pytest.mark.django_db
def test_signed_in_home_goes_to_the_dashboard(client):
    client.force_login(TraineeFactory())

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("courses:dashboard")


@pytest.mark.django_db
def test_static_assets_are_local(client):
    html = client.get("/").content.decode()

    assets = re.findall(r"""(?:src|href)=["']([^"']+\.(?:css|js|svg|png))["']""", html)
    assert assets
    assert all(asset.startswith("/static/") for asset in assets), assets
