"""The requirement kind "N consultations answered with expert feedback (optionally per organ)":
counted from the user's own requests that an expert centre answered in the evidence window
(``consults.selectors.answered_consults``), offered by the requirement form, and an answer
issues the certificate it completes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Institution
from certification.forms.programmes import RequirementForm
from certification.models import Certificate, RequirementKind
from certification.selectors import next_steps
from certification.services.evaluation import evaluate
from certification.services.evidence import load_evidence
from certification.services.programmes import check_requirement
from cineloops.models import CineLoop
from consults import services
from tests.cases.factories import ReadyLoopFactory
from tests.certification.factories import RequirementFactory, VersionFactory
from tests.consults.factories import ANSWER, READING
from tests.factories import InstitutionFactory, InstructorFactory, TraineeFactory

pytestmark = pytest.mark.django_db

CONSULTS = RequirementKind.CONSULTS


@pytest.fixture
def expert():
    centre = InstitutionFactory(name="Expert Centre", level=Institution.Level.EXPERT_CENTRE)
    return InstructorFactory(institution=centre)


def ask(user, expert, *, at, organ="liver", answer=True):
    """A request of ``user`` (sent a day before ``at``), answered at ``at`` unless not."""
    loop = ReadyLoopFactory(institution=user.institution, source=CineLoop.Source.DICOM_NETWORK)
    reading = dict(READING) if organ == "liver" else {"impression": "A nodule."}
    consult = services.consult_submit(
        by=user,
        target=expert.institution,
        organ=organ,
        clinical_question="What is it?",
        reading=reading,
        loops=[loop],
        now=at - timedelta(days=1),
    ).consult
    if answer:
        services.consult_claim(consult=consult, by=expert, now=at)
        answer_data = dict(ANSWER) if organ == "liver" else {"report": "A cyst."}
        services.consult_answer(consult=consult, by=expert, answer=answer_data, now=at)
    return consult


def only(progress):
    assert len(progress.requirements) == 1
    return progress.requirements[0]


def test_answered_consults_of_the_organ_in_the_window_count(trainee, expert, programme, now):
    version = VersionFactory(
        programme=programme,
        published_at=now - timedelta(days=10),
        counts_from=now - timedelta(days=10),
    )
    RequirementFactory(version=version, kind=CONSULTS, count=3, organ="liver")
    ask(trainee, expert, at=now - timedelta(days=2))
    closed = ask(trainee, expert, at=now - timedelta(days=1))
    services.consult_close(consult=closed, by=trainee)  # closed after the answer: counts
    ask(trainee, expert, at=now - timedelta(days=1), answer=False)  # waiting
    declined = ask(trainee, expert, at=now, answer=False)
    services.consult_decline(consult=declined, by=expert, reason="Not CEUS.")
    ask(trainee, expert, at=now - timedelta(days=1), organ="kidney")  # another organ
    ask(trainee, expert, at=now - timedelta(days=20))  # before the version counts
    colleague = TraineeFactory(institution=trainee.institution)
    ask(colleague, expert, at=now - timedelta(days=1))  # someone else's request

    progress = evaluate(trainee, programme, now=now)
    item = only(progress)
    assert (item.done, item.needed, item.met) == (2, 3, False)
    assert item.summary == "2 of 3 Liver consultations answered by an expert"
    assert item.left == "1 more consultation answered by an expert"
    (step,) = next_steps(progress)
    assert step.links == [("Ask an expert centre", "/consults/new/")]


def test_without_an_organ_every_answered_consult_counts(trainee, expert, programme, version, now):
    RequirementFactory(version=version, kind=CONSULTS, count=2)
    ask(trainee, expert, at=now - timedelta(days=1))
    ask(trainee, expert, at=now - timedelta(days=1), organ="kidney")
    item = only(evaluate(trainee, programme, now=now))
    assert (item.done, item.met) == (2, True)
    assert item.summary == "2 of 2 consultations answered by an expert"


def test_a_consults_requirement_needs_its_count(programme, version):
    requirement = RequirementFactory.build(version=version, kind=CONSULTS, count=None)
    with pytest.raises(ValidationError) as refused:
        check_requirement(requirement)
    assert "count" in refused.value.message_dict


def test_the_requirement_form_offers_the_kind(director, programme):
    form = RequirementForm(user=director, programme=programme)
    assert (CONSULTS.value, "Consultations answered by an expert") in [
        (value, str(label)) for value, label in form.fields["kind"].choices
    ]


def test_evidence_is_one_query_whatever_the_number_of_users(trainee, expert, version, now):
    requirement = RequirementFactory(version=version, kind=CONSULTS, count=1)
    users = [trainee, *(TraineeFactory(institution=trainee.institution) for _ in range(4))]
    for user in users:
        ask(user, expert, at=now - timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        evidence = load_evidence(users, [requirement], since=None)
    assert len(queries) == 1
    assert sorted(len(evidence.consults[user.pk]) for user in users) == [1] * 5


def test_the_answer_that_completes_the_requirement_issues_the_certificate(
    celery_eager, django_capture_on_commit_callbacks, trainee, expert, programme, version, now
):
    RequirementFactory(version=version, kind=CONSULTS, count=1)
    consult = ask(trainee, expert, at=now, answer=False)
    services.consult_claim(consult=consult, by=expert)
    assert not Certificate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.consult_answer(consult=consult, by=expert, answer=dict(ANSWER))
    assert Certificate.objects.get().holder == trainee
