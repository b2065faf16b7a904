"""The demo certification: loaded after the demo course, cases and quizzes through the real
services, with a certificate earned (never forced), a trainee halfway, and one expired.

The demo cases go through the cine pipeline (its outputs made once per session: see
tests/processed_outputs.py), so the whole demo is loaded once for this module inside a
transaction that is rolled back at the end; each test runs in a savepoint of it, so a test
that changes something leaves nothing behind.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import translation
from modeltranslation.translator import translator

from accounts.models import User
from cases.models import CaseWatch
from certification.models import (
    AuditAction,
    AuditEvent,
    Certificate,
    CertificateStatus,
    EntryStatus,
    LogbookEntry,
    Programme,
    ProgrammeVersion,
    Requirement,
    RequirementKind,
    RequirementStage,
)
from certification.services.certificates import add_months, certificate_status, revoke
from certification.services.evaluation import current_version, evaluate
from certification.services.logbook import entries_to_sign_off, identifier_warnings
from courses.models import Lesson, LessonCompletion
from demo import certification_content as text
from demo.certification import CERTIFIED, EXPIRED, HALFWAY, SUPERVISOR, load_demo_certification
from demo.courses import load_demo_data
from demo.loaders import LOADERS, run_demo_loaders
from quizzes.models import Attempt

# One worker runs this module under pytest -n: its module fixture is made once.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("certification-demo")]


@pytest.fixture(scope="module")
def demo_lines(django_db_setup, django_db_blocker, tmp_path_factory, processed_outputs):
    """The whole demo (``load_demo_data`` and the loaders after it, as the command runs them),
    loaded once; the console lines of the loaders. Loaded with Chinese active: the loaders
    find their rows and write their texts per language, whatever the language."""
    media = tmp_path_factory.mktemp("demo-cine")
    private = override_settings(
        CINE_UPLOAD_DIR=media / "uploads",
        CINE_MEDIA_DIR=media / "cine",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    with processed_outputs.reused(), private, django_db_blocker.unblock(), transaction.atomic():
        with translation.override("zh-hans"):
            assert load_demo_data() is True
            lines = run_demo_loaders()
        yield lines
        transaction.set_rollback(True)


@pytest.fixture
def programme(demo_lines) -> Programme:
    return Programme.objects.get(title=text.PROGRAMME_TITLE)


def user(username: str) -> User:
    return User.objects.get(username=username)


def test_the_certification_loader_runs_after_the_quizzes_loader():
    names = [loader.__module__ for loader in LOADERS]
    assert names[:3] == ["demo.loaders", "demo.quizzes", "demo.certification"]


def test_nothing_is_loaded_without_the_demo_exam():
    load_demo_data()  # courses and accounts: no cases, no quizzes

    assert "not loaded" in load_demo_certification()
    assert not Programme.objects.exists() and not LogbookEntry.objects.exists()


def test_the_loader_reports_what_it_made(demo_lines):
    (line,) = [line for line in demo_lines if line.startswith("Demo certification")]
    assert line.startswith("Demo certification loaded"), demo_lines
    certificate = Certificate.objects.get(holder__username=CERTIFIED)
    assert certificate.code in line


def test_the_programme_has_two_versions_with_every_kind_of_requirement(programme, director):
    assert programme.status == "published" and programme.validity_months == 24
    assert programme.institution == user("director").institution
    first, second = ProgrammeVersion.objects.filter(programme=programme).order_by("number")
    assert current_version(programme) == second
    assert first.published_at < second.published_at == second.counts_from
    kinds = {(r.kind, r.stage) for r in second.requirements.all()}
    assert kinds == {
        (RequirementKind.COURSES, RequirementStage.BOTH),
        (RequirementKind.QUIZ, RequirementStage.INITIAL),
        (RequirementKind.CASES, RequirementStage.INITIAL),
        (RequirementKind.SCANS, RequirementStage.INITIAL),
        (RequirementKind.CME, RequirementStage.BOTH),
        (RequirementKind.SCANS, RequirementStage.RECERTIFICATION),
    }
    exams = Requirement.objects.filter(version__programme=programme, kind=RequirementKind.QUIZ)
    assert {(r.version.number, r.min_score) for r in exams} == {(1, 60), (2, 70)}
    assert exams.get(version=second).quiz.kind == "exam"
    published = AuditEvent.objects.filter(
        programme=programme, action=AuditAction.REQUIREMENTS_CHANGED
    )
    assert sorted(event.data["version"] for event in published) == [1, 2]


def test_the_certificate_was_earned_by_real_records(programme):
    holder = user(CERTIFIED)
    certificate = Certificate.objects.get(holder=holder, programme=programme)
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate_status(certificate) == CertificateStatus.ISSUED
    assert certificate.issued_by is None and not certificate.issue_reason  # not forced
    assert certificate.expires_at == add_months(certificate.issued_at, 24)
    event = AuditEvent.objects.get(certificate=certificate)
    assert event.action == AuditAction.ISSUED and event.actor is None
    assert event.data["requirements_met"] is True and event.data["stage"] == "initial"

    # The records behind it: every lesson, a passing exam attempt, two reviewed liver cases,
    # three approved scans.
    lessons = Lesson.objects.filter(module__course__title="Liver CEUS fundamentals")
    assert LessonCompletion.objects.filter(user=holder, lesson__in=lessons).count() == 9
    assert Attempt.objects.filter(user=holder, quiz__kind="exam", percent__gte=70).exists()
    reviewed = CaseWatch.objects.filter(user=holder, reviewed_at__isnull=False)
    assert set(reviewed.values_list("case__organ", flat=True)) == {"liver"}
    assert reviewed.count() == 2
    approved = LogbookEntry.objects.filter(trainee=holder, status=EntryStatus.APPROVED)
    assert approved.count() == 3

    # Holding it puts the holder on recertification; without it, every initial requirement
    # is met by those records (revoking it here is rolled back with the test).
    assert evaluate(holder, programme).is_recertification
    revoke(certificate=certificate, by=user("director"), reason="Checking the records.")
    progress = evaluate(holder, programme)
    assert progress.stage == RequirementStage.INITIAL
    assert progress.met is True and progress.percent == 100
    assert len(progress.requirements) == 5


def test_the_halfway_trainee_has_scans_waiting_for_sign_off(programme):
    trainee = user(HALFWAY)
    progress = evaluate(trainee, programme)
    assert progress.stage == RequirementStage.INITIAL and not progress.met
    assert 0 < progress.percent < 100
    assert sum(item.met for item in progress.requirements) == 0
    assert any(0 < item.done < item.needed for item in progress.requirements)
    assert not Certificate.objects.filter(holder=trainee).exists()

    entries = LogbookEntry.objects.filter(trainee=trainee)
    assert sorted(entries.values_list("status", flat=True)) == [
        EntryStatus.APPROVED,
        EntryStatus.PENDING,
        EntryStatus.PENDING,
        EntryStatus.REJECTED,
    ]
    rejected = entries.get(status=EntryStatus.REJECTED)
    assert rejected.review_comment == text.REJECTION_COMMENT
    supervisor = user(SUPERVISOR)
    assert rejected.reviewed_by == supervisor
    assert supervisor.is_instructor and supervisor.institution == trainee.institution
    queue = list(entries_to_sign_off(supervisor))
    assert queue == list(entries.filter(status=EntryStatus.PENDING).order_by("created_at", "pk"))
    assert all(entry.supervisor == supervisor for entry in queue)


def test_the_expired_certificate_reads_expired(programme):
    holder = user(EXPIRED)
    certificate = Certificate.objects.get(holder=holder, programme=programme)
    assert certificate.status == CertificateStatus.EXPIRED
    assert certificate_status(certificate) == CertificateStatus.EXPIRED
    assert certificate.version.number == 1  # the version in force 25 months ago
    assert certificate.issued_by == user("director") and certificate.issue_reason
    actions = list(
        AuditEvent.objects.filter(certificate=certificate)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.ISSUED_MANUALLY, AuditAction.EXPIRED]
    assert evaluate(holder, programme).is_recertification


def test_demo_logbook_texts_raise_no_identifier_warning(demo_lines):
    for indication, findings, impression in text.SCANS.values():
        texts = {
            "contrast_agent": text.AGENT,
            "indication": indication,
            "findings": findings,
            "impression": impression,
        }
        assert identifier_warnings(texts) == [], indication
    assert identifier_warnings({"indication": "Patient: Wang Fang, MRN 12345678"})  # it can fire
    assert LogbookEntry.objects.count() == 8
    assert not LogbookEntry.objects.exclude(phi_warnings=[]).exists()


def test_the_pages_show_the_demo(client, programme):
    client.force_login(user(HALFWAY))
    page = client.get(reverse("certification:dashboard")).content.decode()
    assert text.PROGRAMME_TITLE in page and text.SCANS_TITLE in page

    certificate = Certificate.objects.get(holder__username=CERTIFIED)
    client.logout()
    public = client.get(reverse("certification:verify", kwargs={"code": certificate.code}))
    assert public.status_code == 200 and certificate.holder_name in public.content.decode()


def test_a_second_load_adds_nothing(demo_lines):
    def counts():
        models = (Programme, ProgrammeVersion, Requirement, LogbookEntry, Certificate)
        return [m.objects.count() for m in (*models, AuditEvent, CaseWatch, LessonCompletion)]

    before = counts()
    assert "already exist" in load_demo_certification()
    call_command("load_demo_data")  # the whole command: courses exist, nothing is added
    assert counts() == before
    assert User.objects.filter(username=SUPERVISOR).count() == 1


def test_the_demo_has_no_one_sided_text(demo_lines):
    one_sided = []
    for model in translator.get_registered_models():
        fields = translator.get_options_for_model(model).fields
        for row in model.objects.all():
            for field in fields:
                values = {
                    code: getattr(row, f"{field}_{code.replace('-', '_')}")
                    for code in ("en", "zh-hans")
                }
                if any(values.values()) and not all(values.values()):
                    one_sided.append((model._meta.label, row.pk, field, values))
    assert one_sided == []
    # Every registered model has demo rows: the check above looked at something.
    assert all(model.objects.exists() for model in translator.get_registered_models())


def test_the_demo_keeps_english_when_loaded_in_chinese(demo_lines):
    course = Lesson.objects.get(title_en="Ultrasound contrast agents").module.course
    assert (course.title_en, course.title_zh_hans) == (
        "Liver CEUS fundamentals",
        "肝脏超声造影基础",
    )
    assert Programme.objects.filter(title_en=text.PROGRAMME_TITLE).exists()
    assert user("county-instructor").institution.short_name_en == "Songyang"


def test_every_demo_account_of_the_banner_and_readme_exists_with_its_role(demo_lines):
    from django.utils import translation

    from demo.accounts import DEMO_ACCOUNTS

    with translation.override("en"):
        for account in DEMO_ACCOUNTS:
            made = User.objects.get(username=account.username)
            assert account.role.startswith(str(made.get_role_display())), account.username
