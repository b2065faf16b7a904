"""From an answered consult to a draft teaching case in one action: the loops, drawings and
structured answer become the case's; the requester's reading may become a teaching point;
the local reference and the thread never enter it — not its fields, payload, search text,
history, nor anything logged or mailed on the way."""

from __future__ import annotations

import logging

import pytest
from django.core import mail

from cases.models import Case, CaseStatus, CeusFindings, RoiCurve
from cases.services import case_review, case_submit_for_review
from consults import services
from tests.conftest import eager_celery
from tests.consults.factories import (
    ANSWER,
    LOCAL_REFERENCE,
    THREAD_MARKER,
    network,
    submit,
)
from tests.factories import InstructorFactory, TraineeFactory, api_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def net():
    return network()


def _drawn_and_answered(net):
    consult = submit(net)
    expert = net["expert"]
    services.consult_claim(consult=consult, by=expert)
    services.message_post(consult=consult, by=net["county_trainee"], body=THREAD_MARKER)
    loop = net.loops[0]
    services.drawings_replace(
        consult=consult,
        by=expert,
        annotations=[
            {
                "loop": loop.pk,
                "kind": "polygon",
                "roi_role": "lesion",
                "label": "Nodule",
                "geometry": {"points": [[100, 100], [140, 100], [120, 140]]},
                "t_start": 10,
                "t_end": 40,
            },
            {
                "loop": loop.pk,
                "kind": "arrow",
                "label": "APHE",
                "geometry": {"x1": 60, "y1": 60, "x2": 95, "y2": 95},
            },
        ],
        phase_markers=[{"loop": loop.pk, "kind": "arterial_onset", "time_s": 14}],
    )
    services.consult_answer(consult=consult, by=expert, answer=dict(ANSWER))
    services.message_post(consult=consult, by=expert, body=f"Reply {THREAD_MARKER}")
    services.consent_record(consult=consult, by=net["county_trainee"])
    consult.refresh_from_db()
    return consult


def test_the_case_carries_the_loops_drawings_and_answer(net, celery_eager):
    consult = _drawn_and_answered(net)
    case = services.teaching_case_make(consult=consult, by=net["expert"]).case

    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.DRAFT
    assert case.institution == net.centre
    assert list(case.case_loops.values_list("loop_id", flat=True)) == [
        loop.pk for loop in net.loops
    ]
    for name in CeusFindings.FINDING_FIELDS:
        assert getattr(case, name) == ANSWER[name], name
    assert (case.final_diagnosis, case.certainty) == (ANSWER["diagnosis"], ANSWER["certainty"])
    assert (case.contrast_agent, case.injection_time_s) == ("SonoVue", 2.0)
    assert case.clinical_history == consult.clinical_question
    assert case.title_en == "Liver CEUS: Hepatocellular carcinoma"
    assert case.title_zh_hans and case.title_zh_hans != case.title_en
    shapes = list(case.annotations.order_by("order").values_list("kind", "label", "roi_role"))
    assert shapes == [("polygon", "Nodule", "lesion"), ("arrow", "APHE", "")]
    assert list(case.phase_markers.values_list("kind", "time_s")) == [("arterial_onset", 14.0)]
    # The ROI's curve is computed for the case (the consult computed it only on demand).
    assert RoiCurve.objects.filter(annotation__case=case).count() == 1
    # The first reader's thoughts, and the expert's report, as teaching points.
    assert "What a first reader thought" in case.teaching_points_en
    assert "LR-4" in case.teaching_points_en
    assert ANSWER["report"] in case.teaching_points_en
    # Linked both ways, for those who may see both.
    consult.refresh_from_db()
    assert consult.teaching_case == case
    assert list(case.consultations.all()) == [consult]


def test_without_the_reading_as_a_teaching_point(net):
    consult = _drawn_and_answered(net)
    case = services.teaching_case_make(
        consult=consult, by=net["expert"], include_reading=False
    ).case
    assert "first reader" not in case.teaching_points_en
    assert "LR-4" not in case.teaching_points_en


def test_an_instructor_of_the_requesting_hospital_makes_a_case_of_theirs(net):
    consult = _drawn_and_answered(net)
    case = services.teaching_case_make(consult=consult, by=net["county_instructor"]).case
    assert case.institution == net.county


def _everything_about(case: Case) -> str:
    """Every stored value of the case and of what hangs off it, as text."""
    texts = [str(getattr(case, field.attname)) for field in case._meta.concrete_fields]
    for related in (case.annotations.all(), case.phase_markers.all(), case.case_loops.all(),
                    case.revisions.all(), case.tags.all()):  # fmt: skip
        for row in related:
            texts += [str(getattr(row, f.attname)) for f in row._meta.concrete_fields]
    return "\n".join(texts)


def test_no_local_reference_or_thread_anywhere_in_the_case(
    net, settings, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    # Tasks (e-mails, curves) run as a worker would, before the checks below.
    with eager_celery(settings, django_capture_on_commit_callbacks):
        consult = _drawn_and_answered(net)
        case = services.teaching_case_make(consult=consult, by=net["expert"]).case

    case.refresh_from_db()
    stored = _everything_about(case)
    assert LOCAL_REFERENCE not in stored and THREAD_MARKER not in stored
    assert LOCAL_REFERENCE.lower() not in case.search_text
    payload = api_for(net["expert"]).get(f"/api/v1/cases/{case.pk}/")
    assert payload.status_code == 200
    assert LOCAL_REFERENCE not in payload.content.decode()
    assert THREAD_MARKER not in payload.content.decode()
    # Nor in what was logged or mailed on the way.
    assert LOCAL_REFERENCE not in caplog.text and THREAD_MARKER not in caplog.text
    assert mail.outbox
    for message in mail.outbox:
        assert LOCAL_REFERENCE not in message.subject + message.body
        assert THREAD_MARKER not in message.body


def test_the_published_case_is_found_in_the_library_without_them(net):
    consult = _drawn_and_answered(net)
    expert = net["expert"]
    case = services.teaching_case_make(consult=consult, by=expert).case
    case_submit_for_review(case=case, by=expert)
    reviewer = InstructorFactory(institution=net.centre)
    case_review(case=Case.objects.get(pk=case.pk), by=reviewer, approve=True)
    elsewhere = TraineeFactory(institution=net.other)

    client = api_for(elsewhere)
    found = client.get("/api/v1/cases/", {"q": "hepatocellular"})
    assert [row["id"] for row in found.json()["results"]] == [case.pk]
    assert client.get("/api/v1/cases/", {"q": LOCAL_REFERENCE}).json()["results"] == []
    detail = client.get(f"/api/v1/cases/{case.pk}/").content.decode()
    assert LOCAL_REFERENCE not in detail and THREAD_MARKER not in detail
    # The trainee elsewhere reads the case, never the consult behind it.
    assert client.get(f"/api/v1/consults/{consult.pk}/").status_code == 404
