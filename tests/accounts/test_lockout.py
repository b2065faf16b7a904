"""Sign-in lockout (django-axes): the login page and the API token share one count, one limit
and one cool-off; a successful sign-in clears the count; the password-reset form is limited per
address and per e-mail without telling which accounts exist."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.db.models import F
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import TraineeFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def policy(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    return settings


@pytest.fixture
def user():
    return TraineeFactory()


def _login(client, user, password):
    return client.post(reverse("accounts:login"), {"username": user.username, "password": password})


def _token(user, password):
    return APIClient().post(TOKEN, {"username": user.username, "password": password}, format="json")


def _signed_in(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def _let_cool_off_pass():
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))


def test_login_url():
    assert reverse("accounts:login") == LOGIN


def test_wrong_passwords_then_the_right_one_is_refused(client, user, policy):
    statuses = [_login(client, user, "wrong").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]  # the third failure reaches the limit
    response = _login(client, user, PASSWORD)
    assert response.status_code == 429
    assert not _signed_in(client, user)
    html = response.content.decode()
    assert "data-locked-out" in html
    assert "Too many failed sign-ins" in html
    assert "try again after" in html.lower()
    assert int(response["Retry-After"]) == 15 * 60


def test_fifty_wrong_passwords_then_the_right_one_is_refused_by_default(client, user):
    for _ in range(50):
        _login(client, user, "wrong")
    assert _login(client, user, PASSWORD).status_code == 429
    assert not _signed_in(client, user)


def test_after_the_cool_off_the_right_password_works(client, user, policy):
    for _ in range(4):
        _login(client, user, "wrong")
    _let_cool_off_pass()
    assert _login(client, user, PASSWORD).status_code == 302
    assert _signed_in(client, user)


def test_a_successful_sign_in_clears_the_count(client, user, policy):
    for _ in range(2):
        _login(client, user, "wrong")
    assert _login(client, user, PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        _login(client, user, "wrong")
    assert _login(client, user, PASSWORD).status_code == 302


def test_the_lockout_is_per_account(client, user, policy):
    other = TraineeFactory()
    for _ in range(3):
        _login(client, user, "wrong")
    assert _login(client, other, PASSWORD).status_code == 302


def test_api_token_failures_lock_the_login_page(client, user, policy):
    assert [_token(user, "wrong").status_code for _ in range(3)] == [400, 400, 429]
    assert _login(client, user, PASSWORD).status_code == 429


def test_login_page_failures_lock_the_api_token(client, user, policy):
    for _ in range(3):
        _login(client, user, "wrong")
    response = _token(user, PASSWORD)
    assert response.status_code == 429
    assert "token" not in response.json()
    assert "Too many failed sign-ins" in response.json()["detail"]
    assert response["Retry-After"] == str(15 * 60)
    _let_cool_off_pass()
    assert _token(user, PASSWORD).status_code == 200


def test_lockout_page_in_chinese(client, user, policy):
    for _ in range(3):
        _login(client, user, "wrong")
    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录失败次数过多" in html


# --- Password reset ---------------------------------------------------------------------------


def _reset(client, email, addr="10.0.0.1"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=addr)


@pytest.fixture
def reset_limit(settings):
    settings.PASSWORD_RESET_RATE_PER_HOUR = 2
    return 2


def test_reset_requests_are_limited_per_email(client, user, reset_limit):
    assert _reset(client, user.email, "10.0.0.1").status_code == 302
    assert _reset(client, user.email, "10.0.0.2").status_code == 302
    response = _reset(client, user.email, "10.0.0.3")
    assert response.status_code == 429
    assert "Too many password-reset requests" in response.content.decode()
    assert int(response["Retry-After"]) >= 1
    assert len(mail.outbox) == 2


def test_reset_requests_are_limited_per_address(client, reset_limit):
    assert _reset(client, "a@example.org").status_code == 302
    assert _reset(client, "b@example.org").status_code == 302
    assert _reset(client, "c@example.org").status_code == 429
    assert _reset(client, "c@example.org", "10.0.0.9").status_code == 302


def test_reset_limit_answers_alike_for_unknown_addresses(client, user, reset_limit):
    known = [_reset(client, user.email, f"10.0.1.{i}").status_code for i in range(3)]
    unknown = [_reset(client, "nobody@example.org", f"10.0.2.{i}").status_code for i in range(3)]
    assert known == unknown == [302, 302, 429]
