"""A consultation's expert opens a live session on its loops from the consult page: its
requester and the centre's experts are the audience; nobody else sees the button or may post."""

from __future__ import annotations

import pytest
from django.urls import reverse

from live.models import Audience, LiveSession
from live.rights import may_join
from tests.consults.factories import network, submit

pytestmark = pytest.mark.django_db

EXPERTS = {"expert", "second_expert"}


@pytest.fixture
def cnet():
    return network()


@pytest.mark.parametrize(
    "role", ["county_trainee", "expert", "centre_director", "other_instructor", "site_admin"]
)
def test_the_button_and_the_post(client, cnet, role):
    consult = submit(cnet)
    client.force_login(cnet[role])
    page = client.get(reverse("consults:detail", args=[consult.pk]))
    shows = "data-consult-live" in page.content.decode()
    assert shows == (role in EXPERTS)
    response = client.post(reverse("live:for_consult", args=[consult.pk]))
    if role in EXPERTS:
        session = LiveSession.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("live:edit", args=[session.pk])
        assert session.audience == Audience.CONSULT and session.consult == consult
        assert session.agenda.count() == len(cnet.loops)
        assert may_join(cnet["county_trainee"], session)
        assert not may_join(cnet["other_trainee"], session)
        # The form adjusts it without offering another audience.
        form = client.get(response["Location"]).context["form"]
        assert "audience" not in form.fields
    else:
        assert response.status_code == (404 if role == "other_instructor" else 403)
        assert not LiveSession.objects.exists()
