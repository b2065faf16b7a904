"""Loops made by the real pipeline for the case tests."""

from __future__ import annotations

from pathlib import Path

from cineloops import services as loop_services
from cineloops.models import CineLoop
from cineloops.processing import loop_process
from tests.cine.cine_factory import make_cine, region_item


def processed(path: Path, institution, **kwargs) -> CineLoop:
    """Store the DICOM file at ``path`` as a loop of ``institution`` and process it here."""
    loop = loop_services.loop_create_from_path(path=path, institution=institution)
    loop_process(loop_pk=loop.pk)
    loop.refresh_from_db()
    return loop


def bolus_cine(path: Path) -> Path:
    """64 x 48, 40 frames at 10 fps, brightest in the middle (a bolus-like curve); one
    calibrated 2D region (0.05 cm per pixel) over x 4-59, y 8-43."""
    return make_cine(path, frames=40, frame_time=100.0, regions=[region_item((4, 8, 59, 43))])
