"""The case API as the front end reads it (the data contract), and authoring through it."""

import json

import pytest
from django.urls import reverse

from cases.models import Case
from cases.timeline import phase_bands
from tests.cases.factories import ReadyLoopFactory
from tests.factories import api_for

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = {
    "id",
    "title",
    "organ",
    "modality",
    "contrast_agent",
    "contrast_dose",
    "injection_time_s",
    "clinical_history_html",
    "findings",
    "category",
    "final_diagnosis",
    "proof",
    "certainty",
    "teaching_points_html",
    "references_html",
    "difficulty",
    "tags",
    "status",
    "visibility",
    "institution",
    "can_edit",
    "loops",
    "annotations",
    "phase_markers",
    "phase_bands",
    "tics_url_template",
}
LOOP_KEYS = {
    "id",
    "order",
    "status",
    "fps",
    "frames",
    "duration_s",
    "rows",
    "columns",
    "video_url",
    "poster_url",
    "thumbnails_url",
    "thumbnails",
    "regions",
}
DEFAULTS = {"arterial": (10.0, 30.0), "portal_venous": (30.0, 120.0), "late": (120.0, 360.0)}


def test_the_detail_follows_the_contract(instructor, trainee, case, loop):
    case.injection_time_s = 2.0
    case.arterial_enhancement, case.arterial_pattern = "hyper", "non_rim"
    case.washout_onset_s, case.washout_degree = 75.0, "mild"
    case.clinical_history = "**Cirrhosis**"
    case.save()
    api_for(instructor).put(
        f"/api/v1/cases/{case.pk}/annotations/",
        {
            "annotations": [],
            "phase_markers": [{"loop": loop.pk, "kind": "portal_venous", "time_s": 25.0}],
        },
        format="json",
    )

    data = api_for(trainee).get(f"/api/v1/cases/{case.pk}/").json()

    assert set(data) >= CONTRACT_KEYS
    assert data["findings"] == {
        "arterial": {"enhancement": "hyper", "pattern": "non_rim"},
        "portal_venous": {"enhancement": ""},
        "late": {"enhancement": ""},
        "washout_onset_s": 75.0,
        "washout_degree": "mild",
    }
    assert data["clinical_history_html"] == "<p><strong>Cirrhosis</strong></p>"
    assert data["tics_url_template"] == "/api/v1/cineloops/{loop}/tic/?roi={annotation}"
    assert data["can_edit"] is False and data["institution"] == case.institution_id
    (entry,) = data["loops"]
    assert set(entry) >= LOOP_KEYS
    assert entry["id"] == loop.pk and entry["order"] == 0
    assert entry["poster_url"] == f"/cineloops/{loop.pk}/media/poster/"
    assert entry["thumbnails_url"] is None  # this loop has no strip
    assert entry["regions"] == [
        {
            "bounds": [20, 30, 299, 229],
            "spatial_format": "2D",
            "data_type": "tissue",
            "cm_per_px_x": 0.05,
            "cm_per_px_y": 0.05,
        }
    ]
    # t0 = 2 s; portal venous marked at 25 s; the loop lasts 30 s: the bands are clipped.
    assert data["phase_bands"] == [
        {"phase": "arterial", "start_s": 12.0, "end_s": 25.0},
        {"phase": "portal_venous", "start_s": 25.0, "end_s": 30.0},
    ]
    assert data["phase_markers"][0]["kind"] == "portal_venous"


def test_phase_bands_from_defaults_and_markers():
    assert phase_bands({}, injection_s=None, defaults=DEFAULTS) == []
    assert phase_bands({}, injection_s=5.0, defaults=DEFAULTS) == [
        {"phase": "arterial", "start_s": 15.0, "end_s": 35.0},
        {"phase": "portal_venous", "start_s": 35.0, "end_s": 125.0},
        {"phase": "late", "start_s": 125.0, "end_s": 365.0},
    ]
    marked = {"arrival": 14.0, "portal_venous": 40.0, "late": 130.0}
    assert phase_bands(marked, injection_s=None, defaults=DEFAULTS, duration_s=150.0) == [
        {"phase": "arterial", "start_s": 14.0, "end_s": 40.0},
        {"phase": "portal_venous", "start_s": 40.0, "end_s": 130.0},
        {"phase": "late", "start_s": 130.0, "end_s": 150.0},
    ]
    # A late-phase clip that started 150 s after the injection.
    assert phase_bands({}, injection_s=-150.0, defaults=DEFAULTS, duration_s=20.0) == [
        {"phase": "late", "start_s": 0.0, "end_s": 20.0},
    ]


def test_instructors_create_and_update_cases(instructor, hospital):
    loops = [ReadyLoopFactory(institution=hospital) for _ in range(2)]
    api = api_for(instructor)
    body = {
        "title": "Rim enhancement",
        "organ": "liver",
        "category": "LR-M",
        "final_diagnosis": "Intrahepatic cholangiocarcinoma",
        "findings": {
            "arterial": {"enhancement": "hyper", "pattern": "rim"},
            "washout_onset_s": 45,
            "washout_degree": "marked",
        },
        "tags": ["iCCA", "rim"],
        "loops": [
            {"loop": loops[1].pk, "caption": "Arterial"},
            {"loop": loops[0].pk, "starts_after_injection_s": 150},
        ],
        "injection_time_s": 3.0,
    }

    created = api.post("/api/v1/cases/", body, format="json")

    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["status"] == "draft" and data["can_edit"] is True and data["warnings"] == []
    assert data["findings"]["arterial"] == {"enhancement": "hyper", "pattern": "rim"}
    assert [(e["id"], e["caption"], e["injection_time_s"]) for e in data["loops"]] == [
        (loops[1].pk, "Arterial", 3.0),
        (loops[0].pk, "", -150.0),
    ]
    assert data["loops"][1]["phase_bands"] == [{"phase": "late", "start_s": 0.0, "end_s": 30.0}]

    changed = api.patch(
        f"/api/v1/cases/{data['id']}/",
        {"findings": {"late": {"enhancement": "hypo"}}, "tags": ["iCCA"]},
        format="json",
    )
    assert changed.status_code == 200
    case = Case.objects.get(pk=data["id"])
    assert (case.late_enhancement, case.arterial_pattern) == ("hypo", "rim")
    assert list(case.tags.values_list("name", flat=True)) == ["iCCA"]
    assert (
        api.patch(f"/api/v1/cases/{case.pk}/", {"organ": "heart"}, format="json").status_code == 400
    )
    assert (
        api.put(f"/api/v1/cases/{case.pk}/", {"title": "Only a title"}, format="json").status_code
        == 400
    )


def test_loops_of_another_institution_cannot_be_attached(instructor, other_hospital):
    foreign = ReadyLoopFactory(institution=other_hospital)
    response = api_for(instructor).post(
        "/api/v1/cases/",
        {"title": "x", "organ": "kidney", "loops": [{"loop": foreign.pk}]},
        format="json",
    )
    assert response.status_code == 400
    assert "Unknown cine loop" in json.dumps(response.json())


def test_the_case_page_embeds_the_same_payload(client, trainee, instructor, case):
    client.force_login(trainee)

    response = client.get(reverse("cases:detail", kwargs={"pk": case.pk}), {"mode": "test"})

    assert response.status_code == 200
    assert response.context["test_mode"] is True and response.context["can_edit"] is False
    api = api_for(trainee).get(f"/api/v1/cases/{case.pk}/").json()
    assert json.loads(json.dumps(response.context["case_json"])) == api
    assert 'id="case-data"' in response.text
    assert client.get(reverse("cases:detail", kwargs={"pk": case.pk})).context["test_mode"] is False


def test_the_case_pages_for_authors(client, instructor, hospital):
    loops = [ReadyLoopFactory(institution=hospital) for _ in range(2)]
    client.force_login(instructor)
    assert client.get(reverse("cases:create")).status_code == 200
    form = {
        "title_en": "Centripetal fill-in",
        "organ": "liver",
        "modality": "ceus",
        "difficulty": 1,
        "visibility": "network",
        "dynamic_range_db": 60,
        "tags": "benign, haemangioma",
        "final_diagnosis_en": "Haemangioma",
        "category": "LR-1",
        "loops-TOTAL_FORMS": 3,
        "loops-INITIAL_FORMS": 0,
        "loops-0-loop": loops[0].pk,
        "loops-0-caption": "Arterial",
        "loops-1-loop": loops[1].pk,
        "loops-1-starts_after_injection_s": 180,
        "loops-2-loop": "",
    }

    response = client.post(reverse("cases:create"), form)

    case = Case.objects.get(title="Centripetal fill-in")
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert [link.loop for link in case.case_loops.all()] == loops
    assert case.case_loops.last().starts_after_injection_s == 180
    edit = client.get(reverse("cases:edit", kwargs={"pk": case.pk}))
    assert edit.status_code == 200 and "benign, haemangioma" in edit.text
    form.update({"loops-TOTAL_FORMS": 2, "loops-INITIAL_FORMS": 2, "loops-0-DELETE": "on"})
    del form["loops-2-loop"]
    client.post(reverse("cases:edit", kwargs={"pk": case.pk}), form)
    assert [link.loop for link in case.case_loops.all()] == [loops[1]]
    bad = client.post(reverse("cases:create"), {**form, "category": "TR5", "title_en": "Bad"})
    assert bad.status_code == 200 and "CEUS LI-RADS" in bad.text


def test_the_payload_has_exactly_the_documented_fields(trainee, case):
    """CaseDetailSerializer documents the shape; cases.payload builds it: they must agree."""
    from cases.api.serializers import (
        AnnotationSerializer,
        CaseDetailSerializer,
        CaseLoopSerializer,
        PhaseMarkerSerializer,
    )

    data = api_for(trainee).get(f"/api/v1/cases/{case.pk}/").json()

    assert list(data) == list(CaseDetailSerializer().fields)
    assert list(data["loops"][0]) == list(CaseLoopSerializer().fields)
    expected = ["id", "loop", "kind", "geometry", "label", "t_start", "t_end", "roi_role"]
    assert list(AnnotationSerializer().fields) == [*expected, "length_mm", "tic_status"]
    assert list(PhaseMarkerSerializer().fields) == ["id", "loop", "kind", "time_s"]
