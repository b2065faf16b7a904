"""Time-intensity curves: computed by the ``cases.compute_tic`` task for saved ROIs, and
synchronously for an ad-hoc ROI, from the loop's intensity stack with cine.tic."""

import numpy as np
import pytest

from cases import services
from cases.models import RoiCurve, TicStatus
from cases.services import tic as tic_module
from cases.services.tic import tic_compute
from cine.tic import Ellipse, roi_curve
from cine.tic_fit import analyse_curve
from tests.cases.factories import CaseFactory
from tests.cases.loops import bolus_cine, processed
from tests.factories import api_for

pytestmark = pytest.mark.django_db

LESION = {"cx": 30, "cy": 25, "rx": 10, "ry": 8}


@pytest.fixture
def real_loop(hospital, tmp_path):
    return processed(bolus_cine(tmp_path / "bolus.dcm"), hospital)


@pytest.fixture
def real_case(hospital, real_loop, instructor):
    case = CaseFactory(institution=hospital, loops=[real_loop], injection_time_s=0.5)
    return case


def expected_curve(loop) -> np.ndarray:
    return roi_curve(
        loop.file_path("intensity"), Ellipse(**LESION), scale=(1.0, 1.0), dynamic_range_db=60.0
    )


def test_a_saved_roi_gets_its_curve_from_the_task(
    celery_eager, django_capture_on_commit_callbacks, instructor, trainee, real_case, real_loop
):
    annotation = {
        "loop": real_loop.pk,
        "kind": "ellipse",
        "geometry": LESION,
        "roi_role": "lesion",
        "label": "Lesion",
    }
    api = api_for(instructor)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        saved = api.put(
            f"/api/v1/cases/{real_case.pk}/annotations/",
            {"annotations": [annotation], "phase_markers": []},
            format="json",
        ).json()
    assert len(callbacks) == 1
    pk = saved["annotations"][0]["id"]

    tic = api_for(trainee).get(f"/api/v1/cineloops/{real_loop.pk}/tic/?roi={pk}").json()

    assert tic["status"] == "ready", tic
    assert (tic["roi"], tic["role"], tic["domain"], tic["dynamic_range_db"]) == (
        pk,
        "lesion",
        "linear",
        60.0,
    )
    assert tic["time_origin"] == "injection"
    assert tic["times_s"][:3] == pytest.approx([-0.5, -0.4, -0.3])  # relative to t0 = 0.5 s
    assert tic["values"] == pytest.approx(expected_curve(real_loop).tolist(), rel=1e-5)
    parameters = tic["parameters"]
    direct = analyse_curve(np.arange(40) * 0.1, expected_curve(real_loop), injection_time_s=0.5)
    assert parameters["time_origin"] == "injection"
    assert parameters["ttp"] == pytest.approx(direct.ttp, rel=1e-5)
    assert parameters["pe"] == pytest.approx(direct.pe, rel=1e-5) and parameters["pe"] > 0
    assert parameters["wiauc"] == pytest.approx(direct.wiauc, rel=1e-5)
    assert tic["error"] == ""
    assert tic_compute(annotation_pk=pk) == "skipped: already ready"


def test_changing_t0_recomputes_the_curves(instructor, real_case, real_loop, queued_messages):
    saved = services.annotations_replace(
        case=real_case,
        by=instructor,
        annotations=[
            {"loop": real_loop.pk, "kind": "ellipse", "geometry": LESION, "roi_role": "reference"}
        ],
        phase_markers=[],
    )
    pk = saved.annotations[0].pk
    assert tic_compute(annotation_pk=pk) == TicStatus.READY

    services.case_update(case=real_case, by=instructor, injection_time_s=1.0)

    curve = RoiCurve.objects.get(annotation_id=pk)
    assert curve.status == TicStatus.PENDING and curve.injection_time_s == 1.0
    assert tic_compute(annotation_pk=pk) == TicStatus.READY
    assert RoiCurve.objects.get(annotation_id=pk).times_s[0] == pytest.approx(-1.0)


def test_a_curve_changed_while_computing_is_not_overwritten(
    instructor, real_case, real_loop, monkeypatch
):
    saved = services.annotations_replace(
        case=real_case,
        by=instructor,
        annotations=[
            {"loop": real_loop.pk, "kind": "ellipse", "geometry": LESION, "roi_role": "lesion"}
        ],
        phase_markers=[],
    )
    pk = saved.annotations[0].pk
    real_compute = tic_module.compute_curve

    def compute_while_the_roi_is_saved_again(*args, **kwargs):
        RoiCurve.objects.filter(annotation_id=pk).update(signature="a newer save")
        return real_compute(*args, **kwargs)

    monkeypatch.setattr(tic_module, "compute_curve", compute_while_the_roi_is_saved_again)

    assert tic_compute(annotation_pk=pk) == "skipped: changed meanwhile"
    assert RoiCurve.objects.get(annotation_id=pk).status == TicStatus.PENDING


def test_an_ad_hoc_roi_is_computed_at_once(instructor, trainee, real_case, real_loop):
    roi = "ellipse:{cx},{cy},{rx},{ry}".format(**LESION)

    tic = api_for(trainee).get(f"/api/v1/cineloops/{real_loop.pk}/tic/?roi={roi}").json()

    assert tic["status"] == "ready" and tic["roi"] == roi
    assert tic["time_origin"] == "recording" and tic["times_s"][0] == pytest.approx(0.0)
    assert tic["values"] == pytest.approx(expected_curve(real_loop).tolist(), rel=1e-5)
    with_case = (
        api_for(trainee)
        .get(f"/api/v1/cineloops/{real_loop.pk}/tic/?roi={roi}&case={real_case.pk}")
        .json()
    )
    assert with_case["time_origin"] == "injection"
    assert with_case["times_s"][0] == pytest.approx(-0.5)

    polygon = "polygon:20,17;40,17;40,33;20,33"
    square = api_for(trainee).get(f"/api/v1/cineloops/{real_loop.pk}/tic/?roi={polygon}").json()
    assert square["status"] == "ready" and len(square["values"]) == 40


@pytest.mark.parametrize(
    "roi", ["", "circle:1,2,3", "ellipse:1,2", "ellipse:10,10,0,5", "polygon:1,1;2,2", "99999"]
)
def test_bad_rois_are_refused(trainee, real_case, real_loop, roi):
    response = api_for(trainee).get(f"/api/v1/cineloops/{real_loop.pk}/tic/?roi={roi}")
    assert response.status_code in (400, 404)


def test_a_loop_without_intensity_data_fails_cleanly(trainee, case, loop):
    tic = api_for(trainee).get(f"/api/v1/cineloops/{loop.pk}/tic/?roi=ellipse:50,50,5,5").json()
    assert tic["status"] == "failed"
    assert "intensity data" in tic["error"]
