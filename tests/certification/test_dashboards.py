"""The trainee's dashboard, the programme page, the director's cohort view with its CSV, the
sign-off backlog, expiring certificates, manual issue and revocation."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification.models import AuditAction, AuditEvent, Certificate, EntryStatus
from certification.services.evaluation import evaluate
from core.scoping import PublicationStatus, Visibility
from tests.certification.factories import (
    CertificateFactory,
    LogbookEntryFactory,
    ProgrammeFactory,
    RequirementFactory,
    VersionFactory,
)
from tests.courses.factories import CohortFactory
from tests.factories import DirectorFactory, InstructorFactory, TraineeFactory
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db

DIRECTOR = reverse("certification:director")
CSV = reverse("certification:cohort_csv")


@pytest.fixture
def scans(version):
    return RequirementFactory(version=version, kind="scans", count=3, title="Liver scans")


@pytest.fixture
def cme(version):
    return RequirementFactory(version=version, kind="cme", hours=2, title="CME")


def log_scans(trainee, n, **kw):
    return [LogbookEntryFactory(trainee=trainee, **kw) for _ in range(n)]


def table_rows(response):
    return [row.trainee.username for row in response.context["table"].rows]


# --- Trainee ---------------------------------------------------------------------------------


def test_the_trainee_sees_each_requirement_what_is_left_and_next_steps(
    client, trainee, programme, scans, cme
):
    log_scans(trainee, 1)
    client.force_login(trainee)
    response = client.get(reverse("certification:dashboard"))
    assert response.status_code == 200
    progress = evaluate(trainee, programme)
    page = response.content.decode()
    scans_progress = progress.requirements[0]
    assert not scans_progress.met and scans_progress.done == 1
    assert scans_progress.summary in page and scans_progress.left in page
    assert re.search(r'<progress[^>]* max="3(\.0)?" value="1(\.0)?"', page)  # the scans' bar
    steps = response.context["entries"][0]["steps"]
    assert [s.text for s in steps] == [r.left for r in progress.requirements]
    assert ("Log a scan", reverse("certification:logbook_new")) in steps[0].links
    assert reverse("certification:logbook_new") in page


def test_next_steps_link_to_the_quiz_and_the_case_library_by_organ(
    client, trainee, hospital, version
):
    quiz = QuizFactory(institution=hospital, title="Liver exam")
    RequirementFactory(version=version, kind="quiz", quiz=quiz, min_score=80)
    RequirementFactory(version=version, kind="cases", count=5, organ="liver")
    client.force_login(trainee)
    page = client.get(reverse("certification:dashboard")).content.decode()
    assert reverse("quizzes:detail", kwargs={"pk": quiz.pk}) in page
    assert reverse("cases:library") + "?organ=liver" in page


def test_only_published_visible_programmes_with_a_version_in_force_are_shown(
    client, trainee, hospital, other_hospital, programme, scans
):
    ProgrammeFactory(institution=hospital, title="Draft one", status=PublicationStatus.DRAFT)
    ProgrammeFactory(institution=hospital, title="No version yet")
    elsewhere = ProgrammeFactory(institution=other_hospital, title="Private elsewhere")
    VersionFactory(programme=elsewhere)
    shared = ProgrammeFactory(
        institution=other_hospital, title="Shared", visibility=Visibility.NETWORK
    )
    VersionFactory(programme=shared)
    client.force_login(trainee)
    entries = client.get(reverse("certification:dashboard")).context["entries"]
    assert sorted(e["programme"].title for e in entries) == ["CEUS Liver — Level 1", "Shared"]


def test_certificates_held_show_expiry_status_and_links(client, trainee, programme, version):
    valid = CertificateFactory(holder=trainee, programme=programme, version=version)
    client.force_login(trainee)
    response = client.get(reverse("certification:dashboard"))
    page = response.content.decode()
    assert reverse("certification:verify", kwargs={"code": valid.code}) in page
    assert reverse("certification:certificate_pdf", kwargs={"code": valid.code}) in page
    assert reverse("certification:certificate_badge", kwargs={"code": valid.code}) in page
    assert [c["status"] for c in response.context["certificates"]] == ["issued"]
    # Past its expiry it reads as expired even before the nightly task marks it.
    Certificate.objects.filter(pk=valid.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = client.get(reverse("certification:dashboard"))
    assert [c["status"] for c in response.context["certificates"]] == ["expired"]
    assert "Expired" in response.content.decode()


def test_the_programme_page_shows_the_trainees_progress(client, trainee, programme, scans):
    log_scans(trainee, 3)
    client.force_login(trainee)
    response = client.get(programme.get_absolute_url())
    assert response.status_code == 200
    assert response.context["progress"].requirements[0].met
    assert not response.context["manager"]


def test_a_draft_programme_page_is_hidden_from_trainees_not_from_its_director(
    client, trainee, director, hospital
):
    draft = ProgrammeFactory(institution=hospital, status=PublicationStatus.DRAFT)
    client.force_login(trainee)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(director)
    assert client.get(draft.get_absolute_url()).status_code == 200


# --- Director: access ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["trainee", "instructor"])
def test_trainees_and_instructors_get_403(client, request, role, programme):
    client.force_login(request.getfixturevalue(role))
    assert client.get(DIRECTOR).status_code == 403
    assert client.get(CSV).status_code == 403


def test_directors_see_only_programmes_they_manage(
    client, director, programme, scans, other_hospital
):
    theirs = ProgrammeFactory(institution=other_hospital)
    VersionFactory(programme=theirs)
    client.force_login(director)
    response = client.get(DIRECTOR)
    assert response.context["programme"] == programme
    assert list(response.context["form"].fields["programme"].queryset) == [programme]
    assert client.get(DIRECTOR, {"programme": theirs.pk}).status_code == 404
    assert client.get(CSV, {"programme": theirs.pk}).status_code == 404


# --- Director: the cohort table --------------------------------------------------------------


def test_the_cohort_table_is_sorted_by_progress_with_a_cell_per_requirement(
    client, director, hospital, other_hospital, programme, scans, cme
):
    low = TraineeFactory(institution=hospital, username="low")
    high = TraineeFactory(institution=hospital, username="high")
    middle = TraineeFactory(institution=hospital, username="middle")
    TraineeFactory(institution=other_hospital, username="elsewhere")
    InstructorFactory(institution=hospital, username="not-a-trainee")
    log_scans(high, 3)
    log_scans(middle, 2)
    log_scans(low, 1, status=EntryStatus.PENDING, adequacy="", reviewed_by=None)
    client.force_login(director)
    response = client.get(DIRECTOR)
    assert table_rows(response) == ["high", "middle", "low"]
    page = response.content.decode()
    assert "3/3" in page and "2/3" in page and "0/3" in page and "0/2" in page
    first = response.context["table"].rows[0]
    assert [c.met for c in first.cells] == [True, False]
    assert response.context["pending"] == 1


def test_filter_by_cohort_and_by_institution_of_a_network_programme(
    client, site_admin, hospital, other_hospital, programme, scans
):
    programme.visibility = Visibility.NETWORK
    programme.save()
    a = TraineeFactory(institution=hospital, username="a")
    TraineeFactory(institution=hospital, username="b")  # in the hospital, not the cohort
    TraineeFactory(institution=other_hospital, username="c")
    cohort = CohortFactory(institution=hospital, name="Spring")
    cohort.members.add(a)
    client.force_login(site_admin)
    everyone = client.get(DIRECTOR, {"programme": programme.pk})
    assert sorted(table_rows(everyone)) == ["a", "b", "c"]
    response = client.get(DIRECTOR, {"programme": programme.pk, "cohort": cohort.pk})
    assert table_rows(response) == ["a"]
    assert response.context["csv_url"].endswith(f"cohort={cohort.pk}")
    response = client.get(DIRECTOR, {"programme": programme.pk, "institution": hospital.pk})
    assert sorted(table_rows(response)) == ["a", "b"]


def test_a_director_cannot_look_at_another_hospitals_trainees_of_a_private_programme(
    client, director, hospital, other_hospital, programme, scans
):
    TraineeFactory(institution=hospital, username="ours")
    TraineeFactory(institution=other_hospital, username="theirs")
    client.force_login(director)
    response = client.get(DIRECTOR, {"institution": other_hospital.pk})
    assert response.context["form"].errors  # not a choice: reported, not applied
    assert table_rows(response) == ["ours"]


def _director_queries(client, director):
    client.force_login(director)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DIRECTOR).status_code == 200
    with CaptureQueriesContext(connection) as csv_queries:
        assert client.get(CSV).status_code == 200
    return len(queries), len(csv_queries)


def test_the_cohort_table_costs_the_same_queries_for_3_or_15_trainees(
    client, director, hospital, programme, scans, cme
):
    def add(n):
        for _ in range(n):
            trainee = TraineeFactory(institution=hospital)
            log_scans(trainee, 1)
            if trainee.pk % 2:  # some rows with a certificate, some without
                CertificateFactory(holder=trainee, programme=programme, version=scans.version)

    add(3)
    few = _director_queries(client, director)
    add(12)
    many = _director_queries(client, director)
    assert few == many


# --- CSV -------------------------------------------------------------------------------------


def test_the_csv_has_the_table_and_is_safe_from_formula_injection(
    client, director, hospital, programme, scans
):
    evil = TraineeFactory(institution=hospital, first_name='=HYPERLINK("x")', last_name="Li")
    log_scans(evil, 3)
    TraineeFactory(institution=hospital, username="zero")
    client.force_login(director)
    response = client.get(CSV)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Trainee", "Username", "Institution", "Progress (%)", "All met"]
    assert rows[0][5] == "Liver scans"
    assert rows[1][0] == '\'=HYPERLINK("x") Li'  # highest progress first, quoted
    assert rows[1][3:6] == ["100", "yes", "3/3 ✓"]
    assert rows[2][1:2] == ["zero"] and rows[2][5] == "0/3"


# --- Director: side panels, issue and revoke -------------------------------------------------


def test_expiring_certificates_in_the_next_90_days(client, director, programme, version):
    now = timezone.now()
    soon = CertificateFactory(programme=programme, version=version, expires_at=now + timedelta(30))
    CertificateFactory(programme=programme, version=version, expires_at=now + timedelta(120))
    CertificateFactory(
        programme=programme,
        version=version,
        expires_at=now + timedelta(10),
        status="revoked",
    )
    client.force_login(director)
    response = client.get(DIRECTOR)
    assert list(response.context["expiring"]) == [soon]
    assert soon.holder_name in response.content.decode()


def test_manual_issue_needs_a_reason_and_is_audited(client, director, trainee, programme, scans):
    url = reverse("certification:certificate_issue", args=[programme.slug])
    client.force_login(director)
    response = client.post(url, {"holder": trainee.pk, "reason": "   "})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert not Certificate.objects.exists()

    response = client.post(url, {"holder": trainee.pk, "reason": "Certified abroad"})
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert (certificate.holder, certificate.issued_by) == (trainee, director)
    event = AuditEvent.objects.get(action=AuditAction.ISSUED_MANUALLY)
    assert event.reason == "Certified abroad"
    page = client.get(response.url).content.decode()
    assert "Certified abroad" in page  # the audit log is visible on the director's page


def test_revoke_needs_a_reason_and_only_the_programmes_directors_may(
    client, director, other_hospital, programme, version
):
    certificate = CertificateFactory(programme=programme, version=version)
    url = reverse("certification:certificate_revoke", args=[certificate.code])
    client.force_login(DirectorFactory(institution=other_hospital))
    assert client.post(url, {"reason": "No"}).status_code == 404
    client.force_login(director)
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    certificate.refresh_from_db()
    assert certificate.status == "issued"
    assert client.post(url, {"reason": "Fraudulent logbook"}).status_code == 302
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoke_reason) == ("revoked", "Fraudulent logbook")
    assert AuditEvent.objects.filter(action=AuditAction.REVOKED, actor=director).exists()
