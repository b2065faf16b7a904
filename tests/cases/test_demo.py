"""The demo cases: made by the real pipeline from generated loops, published and annotated,
with the burned-in header blanked, curves computed and measurements calibrated."""

import time

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from cases.demo import load_demo_cases
from cases.demo_loops import HEADER_ROWS
from cases.models import Annotation, Case, CaseStatus, RoiCurve, TicStatus
from cineloops.models import CineLoop
from courses.demo import load_demo_data

pytestmark = pytest.mark.django_db


def test_demo_cases(client):
    load_demo_data()
    started = time.monotonic()
    assert load_demo_cases() is True
    elapsed = time.monotonic() - started

    assert elapsed < 30, f"demo cases took {elapsed:.1f} s"
    cases = list(Case.objects.order_by("pk"))
    assert [c.organ for c in cases] == ["liver", "liver", "kidney"]
    assert all(c.status == CaseStatus.PUBLISHED and c.visibility == "network" for c in cases)
    assert all(c.revisions.count() == 1 for c in cases)
    loops = CineLoop.objects.all()
    assert loops.count() == 5 and {loop.status for loop in loops} == {"ready"}
    assert {loop.fps for loop in loops} == {15.0} and {loop.columns for loop in loops} == {320}
    for loop in loops:
        stack = np.load(loop.file_path("intensity"))
        band = HEADER_ROWS // 2  # the stack is the original halved (320 → 160)
        assert stack[:, :band].max() == 0, "the burned-in header must be blanked"
        assert stack[:, band + 10 :].max() > 100
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

    trainee = User.objects.get(username="trainee")  # another hospital: network cases
    client.force_login(trainee)
    assert client.get(reverse("cases:detail", kwargs={"pk": hcc.pk})).status_code == 200
    poster = reverse("cineloops:media", kwargs={"pk": late.pk, "kind": "poster"})
    assert client.get(poster).status_code == 200
    assert load_demo_cases() is False
    call_command("load_demo_cases")
    assert Case.objects.count() == 3
