"""The consultation demo: the county hospital's inbox loops arrived as from its scanners and
went through the pipeline; one consult answered with drawings (a category that differs from
the requester's) and made a draft teaching case; one urgent, waiting — loaded through the
services, with no e-mail sent.

Loaded once for the module (the demo's loops through the pipeline, their outputs made once per
session: tests/processed_outputs.py) inside a transaction rolled back at the end.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse

from accounts.models import User
from cases.models import CaseStatus
from cineloops.models import CineLoop
from consults.models import Consultation, ConsultStatus
from consults.selectors import centre_queue, compare, inbox_loops, my_agreement
from demo.consults import ANSWER, ANSWERED_READING, load_demo_consults
from demo.courses import load_demo_data
from demo.loaders import LOADERS, run_demo_loaders

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("consults-demo")]


@pytest.fixture(scope="module")
def demo_lines(django_db_setup, django_db_blocker, tmp_path_factory, processed_outputs):
    media = tmp_path_factory.mktemp("demo-cine")
    private = override_settings(
        CINE_UPLOAD_DIR=media / "uploads",
        CINE_MEDIA_DIR=media / "cine",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    with processed_outputs.reused(), private, django_db_blocker.unblock(), transaction.atomic():
        mail.outbox = []
        assert load_demo_data() is True
        lines = run_demo_loaders()
        sent = list(mail.outbox)
        yield lines, sent
        transaction.set_rollback(True)


def user(username: str) -> User:
    return User.objects.get(username=username)


def test_the_consultations_loader_runs_last():
    assert LOADERS[-1] is load_demo_consults


def test_nothing_is_loaded_without_the_demo_accounts():
    assert "not loaded" in load_demo_consults()
    assert not Consultation.objects.exists()


def test_two_consults_of_the_county_hospital_to_the_expert_centre(demo_lines):
    lines, sent = demo_lines
    assert lines[-1].startswith("Demo consultations loaded"), lines
    assert sent == []  # muted: nothing is mailed while the demo loads
    trainee, instructor = user("trainee"), user("instructor")
    answered, waiting = Consultation.objects.order_by("submitted_at")
    assert {answered.requester, waiting.requester} == {trainee}
    assert answered.target == waiting.target == instructor.institution
    assert answered.target.level == "expert_centre"

    assert answered.status == ConsultStatus.ANSWERED and answered.claimed_by == instructor
    rows = {row.field: row for row in compare(answered.reading, answered.answer)}
    assert rows["category"].agrees is False
    assert (rows["category"].requester, rows["category"].expert) == (
        ANSWERED_READING["category"],
        ANSWER["category"],
    )
    assert answered.annotations.filter(roi_role="lesion").exists()
    assert answered.phase_markers.count() == 2
    assert answered.messages.count() == 2 and answered.has_teaching_consent
    case = answered.teaching_case
    assert case.status == CaseStatus.DRAFT and case.institution == instructor.institution
    assert case.annotations.count() == answered.annotations.count()
    assert answered.local_reference not in str(case.teaching_points) + str(case.clinical_history)

    assert (waiting.status, waiting.urgency) == (ConsultStatus.SUBMITTED, "urgent")
    (item,) = centre_queue(instructor)
    assert item.consult == waiting and item.overdue
    assert my_agreement(trainee).overall.pairs == 1


def test_the_inbox_holds_scanner_loops_of_the_county(demo_lines):
    trainee = user("trainee")
    loops = list(inbox_loops(trainee))
    assert len(loops) == 2
    assert {loop.source for loop in loops} == {CineLoop.Source.DICOM_NETWORK}
    assert {loop.status for loop in loops} == {CineLoop.Status.READY}
    assert {loop.institution_id for loop in loops} == {trainee.institution_id}
    consult_loops = CineLoop.objects.filter(consult_links__isnull=False)
    assert {loop.source for loop in consult_loops} == {CineLoop.Source.DICOM_NETWORK}


def test_the_demo_accounts_open_their_pages(demo_lines, client):
    answered = Consultation.objects.get(status=ConsultStatus.ANSWERED)
    for username, name in [
        ("trainee", "consults:inbox"),
        ("trainee", "consults:mine"),
        ("instructor", "consults:queue"),
        ("director", "consults:report"),
    ]:
        client.force_login(user(username))
        assert client.get(reverse(name)).status_code == 200, (username, name)
    client.force_login(user("trainee"))
    page = client.get(reverse("consults:detail", args=[answered.pk])).content.decode()
    assert answered.local_reference in page
    client.force_login(user("instructor"))
    page = client.get(reverse("consults:detail", args=[answered.pk])).content.decode()
    assert answered.local_reference not in page
