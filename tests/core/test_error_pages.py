"""404, 403 and 500 pages in the site layout with a link home; in development (DEBUG) too for
404s, instead of Django's technical page (core/errors.py)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from tests.factories import TraineeFactory

HOME_LINK = 'href="/" data-home-link'


@pytest.fixture
def trainee_client(client):
    client.force_login(TraineeFactory())
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_unknown_address_shows_the_site_404_with_the_menu_and_a_way_home(client, settings, debug):
    settings.DEBUG = debug
    client.force_login(TraineeFactory())

    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert HOME_LINK in html and reverse("cases:library") in html  # the layout's menu
    assert ("For developers" in html) is debug  # the technical reason only in development


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_a_view_raising_404_shows_the_site_404(trainee_client, settings, debug):
    settings.DEBUG = debug

    response = trainee_client.get(reverse("cases:detail", args=[987654]))

    assert response.status_code == 404
    assert HOME_LINK in response.content.decode()


@pytest.mark.django_db
def test_api_404s_stay_json_in_development(trainee_client, settings):
    settings.DEBUG = True

    response = trainee_client.get("/api/v1/cases/987654/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_forbidden_page_has_a_way_home(trainee_client, settings, debug):
    settings.DEBUG = debug

    response = trainee_client.get(reverse("courses:authoring"))

    assert response.status_code == 403
    assert HOME_LINK in response.content.decode()


def test_server_error_page_extends_the_layout_without_request_context():
    response = server_error(RequestFactory().get("/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert HOME_LINK in html and 'class="site-header"' in html
