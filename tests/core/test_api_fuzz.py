"""Schema-driven fuzzing of the REST API with schemathesis: every operation of the OpenAPI
schema, as each role (trainee, instructor, director, site administrator, each with a DRF token),
with generated requests (valid and invalid), against the Django WSGI application in-process.

Checks: no 5xx, every status and content type documented by the operation, every response
body valid against its documented schema. Examples are bounded and derandomized, so a run is
reproducible; ``CEUS_FUZZ_EXAMPLES`` raises the number per operation and role (``.ci/run``
may pass more). The figures — operations, examples, 5xx, violations — are printed.

Half of the examples of an operation with an ``{id}`` (or ``{code}``) take the id of a row the
factories made, so they reach the code behind the 404.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = ("trainee", "instructor", "director", "site_admin")
EXAMPLES = int(os.environ.get("CEUS_FUZZ_EXAMPLES", "6"))


@schemathesis.serializer("application/offset+octet-stream")
def tus_part(ctx, value) -> bytes:
    """A part of a resumable upload (tus PATCH): the body is the bytes themselves."""
    return value if isinstance(value, bytes) else str(value).encode()


@dataclass
class Tally:
    operations: set[str] = field(default_factory=set)
    examples: int = 0
    server_errors: Counter = field(default_factory=Counter)
    violations: Counter = field(default_factory=Counter)
    samples: dict[str, str] = field(default_factory=dict)

    def record(self, label: str, failures: list[BaseException]) -> None:
        for failure in failures:
            title = getattr(failure, "title", type(failure).__name__)
            key = f"{label}: {title}"
            self.samples.setdefault(key, " ".join(str(failure).split())[:300])
            if isinstance(failure, Failure) and "server error" not in title.lower():
                self.violations[key] += 1
            else:
                self.server_errors[key] += 1


@pytest.fixture
def world(db):
    """Rows of every kind the API serves, at one hospital, and a token per role."""
    from tests.cases.factories import CaseFactory, ReadyLoopFactory
    from tests.certification.factories import (
        CertificateFactory,
        LogbookEntryFactory,
        ProgrammeFactory,
        VersionFactory,
        pending_entry,
        scans,
    )
    from tests.courses.factories import EnrolmentFactory, LessonFactory
    from tests.quizzes.factories import QuizFactory, make_question

    hospital = factories.InstitutionFactory()
    users = {
        "trainee": factories.TraineeFactory(institution=hospital),
        "instructor": factories.InstructorFactory(institution=hospital),
        "director": factories.DirectorFactory(institution=hospital),
        "site_admin": factories.SiteAdminFactory(),
    }
    lesson = LessonFactory(module__course__institution=hospital)
    EnrolmentFactory(user=users["trainee"], course=lesson.module.course)
    loop = ReadyLoopFactory(institution=hospital)
    case = CaseFactory(institution=hospital, loops=[loop])
    quiz = QuizFactory(
        institution=hospital,
        questions=[make_question("single", institution=hospital)],
    )
    programme = ProgrammeFactory(institution=hospital)
    scans(VersionFactory(programme=programme))
    entry = pending_entry(users["trainee"])
    LogbookEntryFactory(trainee=users["trainee"])
    certificate = CertificateFactory(holder=users["trainee"], programme=programme)
    consult = _consult(users["trainee"], loop)
    live_session = _live_session(users, case, loop)
    ids = {
        "/api/v1/courses/": lesson.module.course.pk,
        "/api/v1/modules/": lesson.module.pk,
        "/api/v1/lessons/": lesson.pk,
        "/api/v1/cineloops/": loop.pk,
        "/api/v1/cases/": case.pk,
        "/api/v1/quizzes/": quiz.pk,
        "/api/v1/programmes/": programme.pk,
        "/api/v1/logbook/": entry.pk,
        "/api/v1/certificates/": certificate.code,
        "/api/v1/consults/": consult.pk,
        "/api/v1/live-sessions/": live_session.pk,
    }
    tokens = {role: Token.objects.create(user=user).key for role, user in users.items()}
    return ids, tokens


def _consult(requester, loop):
    """The hospital's trainee asks an expert centre, whose instructor draws and answers; a
    scanner's loop waits in the hospital's inbox."""
    from cineloops.models import CineLoop
    from consults import services
    from tests.cases.factories import ReadyLoopFactory
    from tests.consults.factories import ANSWER, READING

    ReadyLoopFactory(institution=requester.institution, source=CineLoop.Source.DICOM_NETWORK)
    centre = factories.InstitutionFactory(level="expert_centre")
    expert = factories.InstructorFactory(institution=centre)
    consult = services.consult_submit(
        by=requester,
        target=centre,
        organ="liver",
        clinical_question="New nodule?",
        reading=dict(READING),
        loops=[loop],
        local_reference="Ward 3",
    ).consult
    services.consult_claim(consult=consult, by=expert)
    services.second_opinion_ask(
        consult=consult, by=expert, expert=factories.InstructorFactory(institution=centre)
    )
    services.drawings_replace(
        consult=consult,
        by=expert,
        annotations=[{"loop": loop.pk, "kind": "ellipse", "roi_role": "lesion",
                      "geometry": {"cx": 100, "cy": 100, "rx": 10, "ry": 10}}],
        phase_markers=[{"loop": loop.pk, "kind": "peak", "time_s": 2}],
    )  # fmt: skip
    services.consult_answer(consult=consult, by=expert, answer=dict(ANSWER))
    services.message_post(consult=consult, by=requester, body="Thank you.")
    services.consent_record(consult=consult, by=requester)
    return consult


def _live_session(users, case, loop):
    """A network session on the case, run by the instructor: a poll the trainee answered,
    an attendance row, ended (its polls, attendance and replay all hold something)."""
    from datetime import timedelta

    from django.utils import timezone

    from live import services

    host, trainee = users["instructor"], users["trainee"]
    now = timezone.now()
    session = services.session_create(
        by=host,
        title_en="Live fuzz",
        starts_at=now,
        planned_end=now + timedelta(hours=1),
        conference_url="https://meet.example.org/fuzz",
        agenda=[{"case": case.pk}],
    )
    services.session_start(session=session, by=host, now=now)
    services.apply_host_action(session=session, by=host, action={"action": "loop", "loop": loop.pk})
    services.attendance_join(session=session, user=trainee)
    spec = {"kind": "choice", "prompt": "Rim?", "options": ["Rim", "Non-rim"], "key": [1]}
    poll = services.poll_open(session=session, by=host, spec=spec).payload["poll"]["id"]
    services.poll_answer(session=session, by=trainee, poll=poll, value={"options": [1]})
    services.poll_close(session=session, by=host)
    services.session_end(session=session, by=host)
    return session


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler in the test's thread and transaction. Like Django's test client,
    it must not close the connection at the end of each request (that would end the test's
    transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def openapi_schema(app):
    generated = SchemaGenerator().get_schema(request=None, public=True)
    raw = json.loads(json.dumps(generated, default=str))
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = app
    return schema


def known_ids(path: str, ids: dict[str, object]) -> dict[str, object]:
    for prefix, value in ids.items():
        if path.startswith(prefix):
            return {"id": value, "code": value}
    return {}


def fuzz_operation(operation, *, token: str, ids: dict[str, object], tally: Tally) -> None:
    headers = {"Authorization": f"Token {token}"}
    params = known_ids(operation.path, ids)
    own = {k: v for k, v in params.items() if "{%s}" % k in operation.path}  # noqa: UP031
    strategies = [operation.as_strategy(generation_mode=mode) for mode in GenerationMode]
    if own:
        strategies.append(operation.as_strategy(path_parameters=own))
    failures_of_op: list[BaseException] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[p for p in settings.default.phases if p.name != "shrink"],
    )
    @given(case=st.one_of(strategies))
    def run(case) -> None:
        tally.examples += 1
        try:
            response = case.call(headers=headers)
        except Exception as exc:  # the application raised: a 500 behind the handler
            exc.title = f"server error {type(exc).__name__}: {exc}"[:200]
            failures_of_op.append(exc)
            return
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            failures_of_op.extend(group.exceptions)
        except Failure as failure:
            failures_of_op.append(failure)

    run()
    tally.operations.add(operation.label)
    tally.record(operation.label, failures_of_op)


# Upload requests leave Django's temporary upload files to the garbage collector, which warns
# when the upload handler already moved them (cineloops ingestion, not this check).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
# One test per role, so that parallel test workers share the work.
@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_api_fuzz_no_server_error_no_schema_violation(role, world, wsgi_app, capsys):
    ids, tokens = world
    schema = openapi_schema(wsgi_app)
    tally = Tally()
    for result in schema.get_all_operations():
        operation = result.ok()
        fuzz_operation(operation, token=tokens[role], ids=ids, tally=tally)

    with capsys.disabled():
        print(
            f"\nAPI fuzz as {role}: {len(tally.operations)} operations, "
            f"{tally.examples} examples, {sum(tally.server_errors.values())} 5xx "
            f"({len(tally.server_errors)} distinct), {sum(tally.violations.values())} "
            f"schema violations ({len(tally.violations)} distinct)"
        )
        for key, count in sorted((tally.server_errors + tally.violations).items()):
            print(f"  {count:4d}  {key}\n        e.g. {tally.samples[key]}")
    assert not tally.server_errors
    assert not tally.violations
