"""Log in, log out, change and reset a password through the pages a person uses."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import TraineeFactory

PASSWORD = "correct horse battery"
EXTERNAL_URL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.IGNORECASE)


def assert_page_is_self_contained(response) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    match = EXTERNAL_URL.search(html)
    assert match is None, f"external URL in {response.wsgi_request.path}: {match.group(0)}"


@pytest.mark.django_db
def test_login_page_renders(client):
    response = client.get(reverse("accounts:login"))

    assert_page_is_self_contained(response)
    assert 'name="username"' in response.content.decode()
    assert reverse("accounts:password_reset") in response.content.decode()


@pytest.mark.django_db
def test_login_lands_on_the_dashboard(client):
    user = TraineeFactory()

    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("courses:dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_login_follows_next(client):
    user = TraineeFactory()

    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": PASSWORD, "next": reverse("accounts:profile")},
    )

    assert response["Location"] == reverse("accounts:profile")


@pytest.mark.django_db
def test_login_refuses_a_foreign_next(client):
    user = TraineeFactory()

    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("courses:dashboard")


@pytest.mark.django_db
def test_wrong_password_shows_the_error(client):
    user = TraineeFactory()

    response = client.post(reverse("accounts:login"), {"username": user.username, "password": "x"})

    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_is_a_post_and_goes_home(client):
    client.force_login(TraineeFactory())

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_change(client):
    user = TraineeFactory()
    client.force_login(user)
    assert_page_is_self_contained(client.get(reverse("accounts:password_change")))

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "microbubbles in the portal vein",
            "new_password2": "microbubbles in the portal vein",
        },
    )

    assert response["Location"] == reverse("accounts:password_change_done")
    assert_page_is_self_contained(client.get(response["Location"]))
    user.refresh_from_db()
    assert user.check_password("microbubbles in the portal vein")


@pytest.mark.django_db
def test_password_change_needs_the_old_password(client):
    user = TraineeFactory()
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "wrong",
            "new_password1": "a new pass 123",
            "new_password2": "a new pass 123",
        },
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_password_change_needs_login(client):
    response = client.get(reverse("accounts:password_change"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_password_reset_sends_a_working_link(client):
    user = TraineeFactory(email="trainee@hospital.example")
    assert_page_is_self_contained(client.get(reverse("accounts:password_reset")))

    response = client.post(reverse("accounts:password_reset"), {"email": user.email})

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert_page_is_self_contained(client.get(response["Location"]))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.subject == "Reset your CEUS Training password"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)

    # Django swaps the token for a session marker, then shows the form.
    form_page = client.get(link, follow=True)
    assert_page_is_self_contained(form_page)
    assert 'name="new_password1"' in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a fresh scan protocol", "new_password2": "a fresh scan protocol"},
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert_page_is_self_contained(client.get(done["Location"]))
    user.refresh_from_db()
    assert user.check_password("a fresh scan protocol")

    # The link works once.
    again = client.get(link, follow=True)
    assert "invalid or has already been used" in again.content.decode()


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_reset_email_in_chinese(client):
    user = TraineeFactory(email="trainee@hospital.example")

    client.post(
        reverse("accounts:password_reset"), {"email": user.email}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert mail.outbox[0].subject == "重置您的超声造影培训密码"
    assert "有人申请重置您的超声造影培训账户密码" in mail.outbox[0].body
