"""POST /api/v1/auth/token/: a token for each role with the right password, 400 otherwise."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import (
    DirectorFactory,
    InstructorFactory,
    SiteAdminFactory,
    TraineeFactory,
)

URL = "/api/v1/auth/token/"
PASSWORD = "correct horse battery"


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory", [TraineeFactory, InstructorFactory, DirectorFactory, SiteAdminFactory]
)
def test_each_role_gets_a_token(api, factory):
    user = factory()

    response = api.post(URL, {"username": user.username, "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}


@pytest.mark.django_db
def test_the_same_token_comes_back_and_authenticates(api):
    user = TraineeFactory()
    body = {"username": user.username, "password": PASSWORD}

    first = api.post(URL, body, format="json").json()["token"]
    second = api.post(URL, body, format="json").json()["token"]

    assert first == second
    api.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert api.get("/api/schema/").status_code == 200


@pytest.mark.django_db
def test_wrong_password_is_refused(api):
    user = TraineeFactory()

    response = api.post(URL, {"username": user.username, "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert "token" not in response.json()
    assert not Token.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_inactive_user_gets_no_token(api):
    user = TraineeFactory(is_active=False)

    response = api.post(URL, {"username": user.username, "password": PASSWORD}, format="json")

    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [{}, {"username": "someone"}, {"password": PASSWORD}, {"username": "", "password": ""}]
)
def test_missing_fields_are_refused(api, body):
    response = api.post(URL, body, format="json")

    assert response.status_code == 400


@pytest.mark.django_db
def test_form_encoded_requests_work_too(api):
    user = InstructorFactory()

    response = api.post(URL, {"username": user.username, "password": PASSWORD})

    assert response.status_code == 200


@pytest.mark.django_db
def test_get_is_not_allowed(api):
    assert api.get(URL).status_code == 405
