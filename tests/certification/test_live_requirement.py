"""The requirement kind "live teaching hours": the hours the user spent in ended live sessions
with the room in view (``live.selectors.live_hours``), in the evidence window; offered by the
requirement form; the end of the session that completes it issues the certificate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Institution
from certification.forms.programmes import RequirementForm
from certification.models import Certificate, RequirementKind
from certification.services.evaluation import evaluate
from certification.services.evidence import load_evidence
from certification.services.programmes import check_requirement
from live import services
from tests.certification.factories import RequirementFactory, VersionFactory
from tests.factories import InstitutionFactory, InstructorFactory, TraineeFactory

pytestmark = pytest.mark.django_db

LIVE = RequirementKind.LIVE_HOURS


@pytest.fixture
def host():
    centre = InstitutionFactory(name="Expert Centre", level=Institution.Level.EXPERT_CENTRE)
    return InstructorFactory(institution=centre)


def attend(users, host, *, start, minutes, end=True):
    """A network session from ``start``, attended (in view) by ``users`` for ``minutes``."""
    session = services.session_create(
        by=host, title_en="Live", starts_at=start, planned_end=start + timedelta(hours=3)
    )
    services.session_start(session=session, by=host, now=start)
    for user in users:
        services.attendance_join(session=session, user=user, now=start)
        services.attendance_leave(
            session=session, user=user, visible=True, now=start + timedelta(minutes=minutes)
        )
    if end:
        services.session_end(session=session, by=host, now=start + timedelta(minutes=minutes))
    return session


def only(progress):
    assert len(progress.requirements) == 1
    return progress.requirements[0]


def test_hours_of_ended_sessions_in_the_window_count(trainee, host, programme, now):
    version = VersionFactory(
        programme=programme,
        published_at=now - timedelta(days=10),
        counts_from=now - timedelta(days=10),
    )
    RequirementFactory(version=version, kind=LIVE, hours=3)
    attend([trainee], host, start=now - timedelta(days=2), minutes=90)
    attend([trainee], host, start=now - timedelta(days=1), minutes=30)
    attend([trainee], host, start=now - timedelta(hours=2), minutes=60, end=False)  # running
    attend([trainee], host, start=now - timedelta(days=20), minutes=120)  # before the window

    item = only(evaluate(trainee, programme, now=now))
    assert (item.done, item.needed, item.met) == (2.0, 3.0, False)
    assert item.summary == "2 of 3 hours of live teaching"
    assert item.left == "1 more hours of live teaching"


def test_a_live_hours_requirement_needs_its_hours(programme, version):
    requirement = RequirementFactory.build(version=version, kind=LIVE, hours=None)
    with pytest.raises(ValidationError) as refused:
        check_requirement(requirement)
    assert "hours" in refused.value.message_dict


def test_the_requirement_form_offers_the_kind(director, programme):
    form = RequirementForm(user=director, programme=programme)
    assert (LIVE.value, "Live teaching hours") in [
        (value, str(label)) for value, label in form.fields["kind"].choices
    ]


def test_evidence_is_one_query_whatever_the_number_of_users(trainee, host, version, now):
    requirement = RequirementFactory(version=version, kind=LIVE, hours=1)
    users = [trainee, *(TraineeFactory(institution=trainee.institution) for _ in range(4))]
    attend(users, host, start=now - timedelta(days=1), minutes=60)
    with CaptureQueriesContext(connection) as queries:
        evidence = load_evidence(users, [requirement], since=None)
    assert len(queries) == 1
    assert all(
        evidence.live[user.pk] == [(now - timedelta(days=1, minutes=-60), 1.0)] for user in users
    )


def test_the_end_of_the_session_that_completes_it_issues_the_certificate(
    celery_eager, django_capture_on_commit_callbacks, trainee, host, programme, version, now
):
    RequirementFactory(version=version, kind=LIVE, hours=1)
    session = attend([trainee], host, start=now - timedelta(hours=2), minutes=60, end=False)
    assert not Certificate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_end(session=session, by=host, now=now)
    assert Certificate.objects.get().holder == trainee
