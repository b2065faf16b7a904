"""Calibrated lengths on real scanner files from ../shared/dicom-samples, processed by the real
pipeline, checked against the formula applied by hand to the file's own region deltas."""

import math
from pathlib import Path

import pydicom
import pytest

from cases import services
from cases.models import Annotation
from tests.cases.factories import CaseFactory
from tests.cases.loops import processed
from tests.cine.sample_files import real_path
from tests.factories import api_for

pytestmark = pytest.mark.django_db


def sample(name: str) -> Path:
    return real_path(name)


def regions_of(path: Path) -> list:
    return list(pydicom.dcmread(path, stop_before_pixels=True).SequenceOfUltrasoundRegions)


def measure(user, case, loop, x1, y1, x2, y2):
    body = {
        "annotations": [
            {
                "loop": loop.pk,
                "kind": "measure",
                "geometry": {"x1": x1, "y1": y1, "x2": x2, "y2": y2},
            }
        ],
        "phase_markers": [],
    }
    return api_for(user).put(f"/api/v1/cases/{case.pk}/annotations/", body, format="json")


def test_anisotropic_regions_of_a_paediatric_echo(tmp_path, hospital, instructor):
    path = sample("orthanc-Issue16.dcm")
    tissue, _ecg = regions_of(path)
    assert tissue.PhysicalDeltaX != tissue.PhysicalDeltaY  # the point of this sample
    loop = processed(path, hospital)
    case = CaseFactory(institution=hospital, loops=[loop], status="draft")
    x1, y1, x2, y2 = 100.0, 50.0, 400.0, 300.0

    response = measure(instructor, case, loop, x1, y1, x2, y2)

    assert response.status_code == 200, response.json()
    by_hand = 10 * math.sqrt(
        ((x2 - x1) * float(tissue.PhysicalDeltaX)) ** 2
        + ((y2 - y1) * float(tissue.PhysicalDeltaY)) ** 2
    )
    # 300 px x 0.028571 cm and 250 px x 0.022857 cm: 8.571 cm and 5.714 cm → 103.02 mm
    assert by_hand == pytest.approx(103.01, abs=0.01)
    assert response.json()["annotations"][0]["length_mm"] == pytest.approx(by_hand, abs=0.01)

    across = measure(instructor, case, loop, 100, 300, 100, 390)  # 2D region → ECG strip
    assert across.status_code == 400
    assert "same calibrated ultrasound region" in across.json()["annotations"][0]
    in_ecg = measure(instructor, case, loop, 60, 380, 200, 400)  # seconds, not cm
    assert in_ecg.status_code == 400
    assert "not calibrated in cm" in in_ecg.json()["annotations"][0]
    assert list(Annotation.objects.values_list("length_mm", flat=True)) == [
        pytest.approx(by_hand, abs=0.01)
    ]


def test_one_region_still_image(tmp_path, hospital, instructor):
    path = sample("JPGLosslessP14SV1_1s_1f_8b.dcm")
    (region,) = regions_of(path)
    loop = processed(path, hospital)
    case = CaseFactory(institution=hospital, loops=[loop], status="draft")

    saved = services.annotations_replace(
        case=case,
        by=instructor,
        annotations=[
            {
                "loop": loop.pk,
                "kind": "measure",
                "geometry": {"x1": 200, "y1": 100, "x2": 800, "y2": 700},
            }
        ],
        phase_markers=[],
    )

    delta = float(region.PhysicalDeltaX)
    assert saved.annotations[0].length_mm == pytest.approx(
        10 * math.hypot(600 * delta, 600 * float(region.PhysicalDeltaY)), abs=0.01
    )
    outside = measure(instructor, case, loop, 200, 10, 200, 100)  # from the header band
    assert outside.status_code == 400
