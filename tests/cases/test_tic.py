"""Time-intensity curves: computed by the ``cases.tic_compute`` task for saved ROIs, and
synchronously for an ad-hoc ROI, from the loop's intensity stack with cine.tic."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from cases import cache as case_cache
from cases import services
from cases.models import RoiCurve, TicStatus
from cases.services import tic as tic_module
from cases.services.tic import curves_requeue_pending, tic_compute
from cases.tasks import curves_requeue_pending_task, tic_compute_task
from cine.tic import Ellipse, roi_curve
from cine.tic_fit import analyse_curve
from tests.cases.factories import CaseFactory
from tests.cases.loops import bolus_cine, processed
from tests.cineloops.stored import output_file
from tests.factories import api_for
from training.celery import app as celery_app

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
        output_file(loop, "intensity"), Ellipse(**LESION), scale=(1.0, 1.0), dynamic_range_db=60.0
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
    # One task queued (the rest are the cache's bumps on commit).
    assert len([c for c in callbacks if c is not case_cache.bump]) == 1
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


# --- The sweep run by Celery beat: curves whose message was never sent -----------------------


def save_rois(case, loop, instructor, *geometries) -> list[int]:
    saved = services.annotations_replace(
        case=case,
        by=instructor,
        annotations=[
            {"loop": loop.pk, "kind": "ellipse", "geometry": geometry, "roi_role": "lesion"}
            for geometry in geometries
        ],
        phase_markers=[],
    )
    return [annotation.pk for annotation in saved.annotations]


def broker_unreachable(**kwargs):
    raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def age(annotation_pk: int, **delta) -> None:
    RoiCurve.objects.filter(annotation_id=annotation_pk).update(
        updated_at=timezone.now() - timedelta(**delta)
    )


def test_a_curve_left_pending_by_a_broker_outage_is_computed_by_the_sweep(
    celery_eager, django_capture_on_commit_callbacks, monkeypatch, instructor, real_case, real_loop
):
    # The annotations are saved while the broker is down: the curve's task is never sent.
    # (Not the ``broker_down`` fixture: the app keeps the producer pool of its first send, so
    # a send after it would reach the earlier broker, and a pool made during it the dead one.)
    with monkeypatch.context() as outage:
        outage.setattr(tic_compute_task, "delay", broker_unreachable)
        with django_capture_on_commit_callbacks(execute=True):
            (pk,) = save_rois(real_case, real_loop, instructor, LESION)
    assert RoiCurve.objects.get(annotation_id=pk).status == TicStatus.PENDING

    assert curves_requeue_pending_task.apply().get() == 0  # too recent: its message may be waiting
    assert RoiCurve.objects.get(annotation_id=pk).status == TicStatus.PENDING

    age(pk, minutes=6)
    assert curves_requeue_pending_task.apply().get() == 1

    curve = RoiCurve.objects.get(annotation_id=pk)
    assert curve.status == TicStatus.READY
    assert curve.values == pytest.approx(expected_curve(real_loop).tolist(), rel=1e-5)
    assert curves_requeue_pending_task.name == "cases.curves_requeue_pending"
    assert curves_requeue_pending_task.acks_late is True


def test_the_sweep_queues_only_curves_pending_too_long(
    instructor, real_case, real_loop, queued_messages, settings
):
    settings.CASES_TIC_STALLED_AFTER_MINUTES = 5
    lost, recent, ready = save_rois(
        real_case, real_loop, instructor, LESION, {**LESION, "cx": 20}, {**LESION, "cx": 40}
    )
    assert tic_compute(annotation_pk=ready) == TicStatus.READY
    for pk in (lost, ready):
        age(pk, minutes=6)
    age(recent, minutes=4)
    ready_before = RoiCurve.objects.get(annotation_id=ready)

    assert curves_requeue_pending() == 1

    assert queued_messages == [("tic", {"annotation_pk": lost})]
    ready_after = RoiCurve.objects.get(annotation_id=ready)
    assert (ready_after.status, ready_after.updated_at, ready_after.computed_at) == (
        TicStatus.READY,
        ready_before.updated_at,
        ready_before.computed_at,
    )
    # Touched: the next sweep leaves it alone for as long again.
    assert curves_requeue_pending() == 0
    assert len(queued_messages) == 1
    # The original message arriving after the sweep's computes once; the other skips.
    assert tic_compute(annotation_pk=lost) == TicStatus.READY
    assert tic_compute(annotation_pk=lost) == "skipped: already ready"


def test_the_curve_sweep_stops_while_the_broker_is_down(
    instructor, real_case, real_loop, monkeypatch
):
    pks = save_rois(real_case, real_loop, instructor, LESION, {**LESION, "cx": 20})
    for pk in pks:
        age(pk, hours=1)
    calls = []

    def unreachable(**kwargs):
        calls.append(kwargs)
        raise BrokerError("Connection refused.")

    monkeypatch.setattr(tic_compute_task, "delay", unreachable)

    assert curves_requeue_pending() == 0
    assert len(calls) == 1  # not one timeout per curve
    assert set(RoiCurve.objects.values_list("status", flat=True)) == {TicStatus.PENDING}


def test_beat_runs_the_curve_sweep_at_the_configured_interval(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["cases-requeue-pending-curves"]

    assert entry["task"] == curves_requeue_pending_task.name
    assert entry["schedule"] == settings.CASES_TIC_STALLED_AFTER_MINUTES * 60 == 5 * 60
    assert entry["options"]["expires"] <= entry["schedule"]
    assert celery_app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE


def test_a_duplicate_message_for_a_failed_curve_computes_nothing(
    instructor, case, loop, queued_messages
):
    (pk,) = save_rois(case, loop, instructor, {"cx": 50, "cy": 50, "rx": 5, "ry": 5})
    assert tic_compute(annotation_pk=pk) == TicStatus.FAILED  # the loop has no intensity data
    assert tic_compute(annotation_pk=pk) == "skipped: already failed"


def test_the_api_passes_on_whether_the_fit_is_reliable(trainee, real_case, real_loop):
    # cine.tic_fit decides (tests/cine/test_tic_fit.py: a 3 s loop's MTT); the API carries its
    # verdict and reason codes for the viewer, which shows them translated (issue 10 §6).
    roi = "ellipse:{cx},{cy},{rx},{ry}".format(**LESION)

    tic = api_for(trainee).get(f"/api/v1/cineloops/{real_loop.pk}/tic/?roi={roi}").json()

    direct = analyse_curve(np.arange(40) * 0.1, expected_curve(real_loop))
    parameters = tic["parameters"]
    assert parameters["fit_reliable"] is direct.fit_reliable
    assert parameters["fit_warnings"] == list(direct.fit_warnings)
    assert "few_samples_after_peak" not in parameters["fit_warnings"]  # peak mid-loop


def test_the_viewer_has_a_translated_sentence_for_every_fit_warning(trainee, real_case, client):
    from cine.tic_fit import FIT_WARNINGS

    client.force_login(trainee)
    html = client.get(f"/cases/{real_case.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert 'data-msg="tic-unreliable"' in html
    for code in FIT_WARNINGS:
        assert f'data-msg="tic-unreliable-{code}"' in html
    assert "too few samples after the peak" not in html  # shown in Chinese
