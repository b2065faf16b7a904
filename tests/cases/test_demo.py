"""The demo cases: made by the real pipeline from generated loops, published and annotated,
with the burned-in header blanked, curves computed and measurements calibrated.

The one test that runs the demo through the real pipeline end to end: the other demo tests
reuse outputs made once per session (tests/processed_outputs.py); this one never copies them,
and it seeds that store with what it made (its loops and their outputs, for the same inputs)."""

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from cases.models import Annotation, Case, CaseStatus, RoiCurve, TicStatus
from cineloops.models import CineLoop
from demo.cases import load_demo_cases
from demo.courses import load_demo_data
from demo.loops import HEADER_ROWS
from tests.cineloops.stored import output_file

pytestmark = pytest.mark.django_db


def test_demo_cases(client, processed_outputs):
    load_demo_data()
    # How long this takes is measured by bench/demo_bench.py, never asserted here.
    copies = processed_outputs.copies
    with processed_outputs.seeding():
        assert load_demo_cases() is True
    assert processed_outputs.copies == copies  # every loop went through the real pipeline

    cases = list(Case.objects.filter(status=CaseStatus.PUBLISHED).order_by("pk"))
    assert [c.organ for c in cases] == ["liver", "liver", "kidney"]
    assert all(c.status == CaseStatus.PUBLISHED and c.visibility == "network" for c in cases)
    assert all(c.revisions.count() == 1 for c in cases)
    check_county_case_waits_for_the_expert_centre(client)
    loops = CineLoop.objects.filter(case_links__case__in=cases)
    assert loops.count() == 5 and {loop.status for loop in loops} == {"ready"}
    assert {loop.fps for loop in loops} == {15.0} and {loop.columns for loop in loops} == {320}
    for loop in loops:
        stack = np.load(output_file(loop, "intensity"))
        band = HEADER_ROWS // 2  # the stack is the original halved (320 → 160)
        assert stack[:, :band].max() == 0, "the burned-in header must be blanked"
        assert stack[:, band + 10 :].max() > 100
        # Lower renditions for slow links, at least the 200 kbit/s one (cine.renditions).
        names = [entry["name"] for entry in loop.renditions]
        assert (names[0], names[-1]) == ("high", "low"), names
    assert not RoiCurve.objects.exclude(status=TicStatus.READY).exists()
    assert RoiCurve.objects.count() == 10

    hcc, haemangioma, kidney = cases
    lesion = RoiCurve.objects.get(
        annotation__case=hcc,
        annotation__roi_role="lesion",
        annotation__loop=hcc.case_loops.first().loop,
    )
    liver = RoiCurve.objects.get(
        annotation__case=hcc,
        annotation__roi_role="reference",
        annotation__loop=hcc.case_loops.first().loop,
    )
    # Arterial hyperenhancement: the nodule peaks earlier and higher than the liver.
    assert lesion.parameters["ttp"] < liver.parameters["ttp"]
    assert lesion.parameters["pe"] > 1.5 * liver.parameters["pe"]
    assert lesion.times_s[0] == pytest.approx(-3.0)  # relative to the injection at 3 s
    late = hcc.case_loops.last().loop
    late_lesion = RoiCurve.objects.get(annotation__loop=late, annotation__roi_role="lesion")
    late_liver = RoiCurve.objects.get(annotation__loop=late, annotation__roi_role="reference")
    assert np.mean(late_lesion.values) < np.mean(late_liver.values)  # wash-out, late
    assert late_lesion.times_s[0] == pytest.approx(150.0)
    bright = RoiCurve.objects.get(
        annotation__case=haemangioma,
        annotation__roi_role="lesion",
        annotation__loop=haemangioma.case_loops.last().loop,
    )
    parenchyma = RoiCurve.objects.get(
        annotation__case=haemangioma,
        annotation__roi_role="reference",
        annotation__loop=haemangioma.case_loops.last().loop,
    )
    assert np.mean(bright.values) > np.mean(parenchyma.values)  # no wash-out
    measures = Annotation.objects.filter(kind="measure").order_by("case_id")
    assert [round(m.length_mm) for m in measures] == [28, 24, 32]
    assert Annotation.objects.filter(kind="polygon", case=kidney).exists()
    check_curves_match_teaching_points(hcc, haemangioma, kidney)
    check_measurements_span_lesion_rois(cases)
    check_titles_do_not_give_the_diagnosis_away(cases)

    trainee = User.objects.get(username="trainee")  # another hospital: network cases
    client.force_login(trainee)
    assert client.get(reverse("cases:detail", kwargs={"pk": hcc.pk})).status_code == 200
    poster = reverse("cineloops:media", kwargs={"pk": late.pk, "kind": "poster"})
    assert client.get(poster).status_code == 200
    assert load_demo_cases() is False
    call_command("load_demo_cases")
    assert Case.objects.count() == 4


def check_county_case_waits_for_the_expert_centre(client):
    """A county hospital with one instructor publishes through its expert centre."""
    county_case = Case.objects.get(status=CaseStatus.IN_REVIEW)
    author = User.objects.get(username="county-instructor")
    expert = User.objects.get(username="instructor")
    county = author.institution
    assert county_case.institution == county and county_case.created_by == author
    assert list(county.members.filter(role=User.Role.INSTRUCTOR)) == [author]
    assert list(county.reviewed_by.all()) == [expert.institution]
    assert author.check_password("demo")
    assert {loop.status for loop in CineLoop.objects.filter(case_links__case=county_case)} == {
        "ready"
    }
    assert list(Case.objects.awaiting_review_by(expert)) == [county_case]
    client.force_login(User.objects.get(username="trainee"))
    assert client.get(county_case.get_absolute_url()).status_code == 404
    client.logout()


def _ratio(case, loop_index: int, start_s: float, end_s: float) -> float:
    """Mean lesion / reference echo power (linear) between two times after injection."""
    loop = list(case.case_loops.order_by("order", "pk"))[loop_index].loop
    curves = {
        c.annotation.roi_role: c
        for c in RoiCurve.objects.filter(annotation__loop=loop).select_related("annotation")
    }
    times = np.asarray(curves["lesion"].times_s)
    window = (times >= start_s) & (times < end_s)
    assert window.sum() >= 15, (case.title, loop_index, start_s, end_s)
    lesion = np.asarray(curves["lesion"].values)[window]
    reference = np.asarray(curves["reference"].values)[window]
    return float(lesion.mean() / reference.mean())


def check_curves_match_teaching_points(hcc, haemangioma, kidney):
    """The demo must never contradict its own findings and teaching points."""
    # HCC, LR-5: non-rim APHE, iso in the portal venous phase, late (>= 60 s) mild wash-out.
    assert _ratio(hcc, 0, 15, 30) > 2.0
    assert 0.7 < _ratio(hcc, 0, 38, 48) < 1.5
    assert 0.3 < _ratio(hcc, 1, 150, 170) < 0.9  # darker, never punched-out
    # Haemangioma: centripetal fill-in that ends at least iso, sustained, no wash-out.
    assert _ratio(haemangioma, 0, 20, 30) < 1.0  # only the peripheral nodules early
    assert _ratio(haemangioma, 0, 40, 48) >= 1.0
    assert _ratio(haemangioma, 1, 180, 200) >= 1.0
    # Kidney: hyperenhancing with the cortex, wash-out from about 30 s, clear by the end.
    assert _ratio(kidney, 0, 15, 25) > 1.2
    assert _ratio(kidney, 0, 22, 28) > 1.0 > _ratio(kidney, 0, 32, 38)
    assert _ratio(kidney, 0, 40, 48) < 0.75
    assert kidney.washout_onset_s == pytest.approx(30, abs=5)


def _extent_along(annotation, ux: float, uy: float) -> tuple[float, float]:
    """(width, centre) of an ROI projected on the unit direction (ux, uy)."""
    g = annotation.geometry
    if annotation.kind == "ellipse":
        return 2 * np.hypot(g["rx"] * ux, g["ry"] * uy), g["cx"] * ux + g["cy"] * uy
    projected = [x * ux + y * uy for x, y in g["points"]]
    return max(projected) - min(projected), (max(projected) + min(projected)) / 2


def check_measurements_span_lesion_rois(cases):
    for case in cases:
        measure = Annotation.objects.get(case=case, kind="measure")
        lesion = Annotation.objects.get(case=case, loop=measure.loop, roi_role="lesion")
        g = measure.geometry
        length = np.hypot(g["x2"] - g["x1"], g["y2"] - g["y1"])
        ux, uy = (g["x2"] - g["x1"]) / length, (g["y2"] - g["y1"]) / length
        width, centre = _extent_along(lesion, ux, uy)
        middle = (g["x1"] + g["x2"]) / 2 * ux + (g["y1"] + g["y2"]) / 2 * uy
        assert 0.7 * length <= width <= length, (case.title, width, length)
        assert abs(centre - middle) < 0.1 * length, case.title


def check_titles_do_not_give_the_diagnosis_away(cases):
    """Test-yourself mode shows the title and the clinical history, never the diagnosis."""
    giveaways = {"carcinoma", "hcc", "haemangioma", "hemangioma", "rcc", "lr-", "malignan"}
    for case in cases:
        shown = " ".join(
            [case.title, case.clinical_history]
            + [f"{link.caption} {link.loop.label}" for link in case.case_loops.all()]
        ).lower()
        assert not [word for word in giveaways if word in shown], case.title
