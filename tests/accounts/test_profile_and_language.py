"""The profile page, the language switcher and the per-user language and time zone."""

import re
import zoneinfo

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from accounts.middleware import UserPreferencesMiddleware
from accounts.services import set_preferred_language
from tests.factories import TraineeFactory

EXTERNAL_URL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.IGNORECASE)


def profile_form(user, **changes) -> dict[str, str]:
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "preferred_language": user.preferred_language,
        "timezone": user.timezone,
    }
    return data | changes


@pytest.mark.django_db
def test_profile_needs_login(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_profile_page_renders(client):
    user = TraineeFactory(first_name="Li", last_name="Na")
    client.force_login(user)

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Trainee" in html
    assert user.institution.name in html
    assert EXTERNAL_URL.search(html) is None


@pytest.mark.django_db
def test_profile_saves_language_and_time_zone(client):
    user = TraineeFactory()
    client.force_login(user)

    response = client.post(
        reverse("accounts:profile"),
        profile_form(user, preferred_language="zh-hans", timezone="Asia/Urumqi"),
    )

    assert response["Location"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert (user.preferred_language, user.timezone) == ("zh-hans", "Asia/Urumqi")
    # The next page is in the saved language, with the confirmation message.
    page = client.get(reverse("accounts:profile")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "您的个人资料已保存。" in page


@pytest.mark.django_db
def test_the_data_saver_is_kept_on_the_profile_and_marked_on_the_pages(client):
    """The players read it from <body> (static/js/renditions.js): no API call, no cache."""
    user = TraineeFactory()
    client.force_login(user)
    assert "<body>" in client.get(reverse("accounts:profile")).content.decode()

    response = client.post(reverse("accounts:profile"), profile_form(user, data_saver="on"))

    assert response["Location"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.data_saver
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "<body data-data-saver>" in page
    assert re.search(r'<input type="checkbox" name="data_saver"[^>]* checked', page)

    client.post(reverse("accounts:profile"), profile_form(user))  # unticked

    user.refresh_from_db()
    assert not user.data_saver
    assert "<body>" in client.get(reverse("accounts:profile")).content.decode()


@pytest.mark.django_db
def test_profile_refuses_an_unknown_time_zone(client):
    user = TraineeFactory()
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), profile_form(user, timezone="Mars/Olympus"))

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    user.refresh_from_db()
    assert user.timezone == ""


@pytest.mark.django_db
def test_language_switch_for_a_visitor_sets_the_cookie(client):
    response = client.post(reverse("accounts:set_language"), {"language": "zh-hans", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert "向专家中心学习超声造影" in client.get("/").content.decode()


@pytest.mark.django_db
def test_language_switch_when_signed_in_is_remembered_on_the_profile(client):
    user = TraineeFactory()
    client.force_login(user)

    client.post(
        reverse("accounts:set_language"),
        {"language": "zh-hans", "next": reverse("accounts:profile")},
    )

    user.refresh_from_db()
    assert user.preferred_language == "zh-hans"
    # The profile wins over the browser's Accept-Language, on any device.
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    page = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert "个人资料" in page.content.decode()


@pytest.mark.django_db
def test_language_switch_ignores_an_unknown_language(client):
    user = TraineeFactory(preferred_language="en")
    client.force_login(user)

    client.post(reverse("accounts:set_language"), {"language": "xx", "next": "/"})

    user.refresh_from_db()
    assert user.preferred_language == "en"


@pytest.mark.django_db
def test_language_switch_refuses_a_foreign_next(client):
    response = client.post(
        reverse("accounts:set_language"), {"language": "en", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


@pytest.mark.django_db
def test_language_switch_is_post_only(client):
    assert client.get(reverse("accounts:set_language")).status_code == 405


@pytest.mark.django_db
def test_set_preferred_language_rejects_an_unsupported_language():
    user = TraineeFactory()

    with pytest.raises(ValueError, match="unsupported language"):
        set_preferred_language(user=user, language="fr")


class _Seen:
    """A view that records the language and time zone active while it runs."""

    def __call__(self, request):
        self.language = translation.get_language()
        self.timezone = timezone.get_current_timezone_name()
        return HttpResponse("ok")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "zone", "expected_zone"),
    [("zh-hans", "Asia/Kashgar", "Asia/Kashgar"), ("", "", settings.TIME_ZONE)],
)
def test_middleware_applies_the_user_preferences(language, zone, expected_zone):
    user = TraineeFactory(preferred_language=language, timezone=zone)
    request = RequestFactory().get("/")
    request.user = user
    view = _Seen()
    translation.activate("en")
    timezone.activate(zoneinfo.ZoneInfo("Europe/Paris"))  # left over from another request
    try:
        response = UserPreferencesMiddleware(view)(request)
    finally:
        translation.deactivate()
        timezone.deactivate()

    assert view.language == (language or "en")
    assert view.timezone == expected_zone
    assert response["Content-Language"] == (language or "en")


def test_middleware_leaves_visitors_alone():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    view = _Seen()
    with translation.override("zh-hans"):
        UserPreferencesMiddleware(view)(request)

    assert view.language == "zh-hans"
