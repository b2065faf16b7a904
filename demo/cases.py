"""Demo cases for a laptop or a training session: three published, fully annotated CEUS cases
made by the real pipeline from generated DICOM loops (``demo.loops``).

Run by ``manage.py load_demo_data`` after the courses' demo data (see ``demo.courses``), or on
its own with ``manage.py load_demo_cases``. The demo instructor writes the cases and the demo
site administrator reviews them, as the workflow requires another person. A county hospital
with one instructor then sends a case for review by the expert centre (``demo.review``).
Never in production: refused unless ``settings.DEMO_DATA_ALLOWED``.
"""

from __future__ import annotations

import logging
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accounts.models import User
from cases import services
from cases.models import Case
from cineloops import services as loop_services
from cineloops.models import CineLoop
from cineloops.processing import loop_process
from core.scoping import Visibility
from demo import cases_content
from demo.allowed import ensure_allowed
from demo.cases_content_zh import bilingual
from demo.loops import LoopFacts, write_loop
from demo.review import load_county_case

logger = logging.getLogger(__name__)
WAIT_FOR_WORKER_S = 300  # if a running worker took a loop first, wait for it this long


@dataclass(frozen=True)
class DemoLoop:
    scene: str
    label: str
    duration_s: float
    injection_at_s: float | None = None  # first loop: t0 on its timeline
    starts_after_injection_s: float | None = None  # later clips
    caption: str = ""


@dataclass(frozen=True)
class DemoCase:
    content: dict[str, Any]
    loops: tuple[DemoLoop, ...]
    # Loop timeline seconds of the phase markers of each loop: {loop index: {kind: time}}.
    markers: dict[int, dict[str, float]]
    arrow: tuple[tuple[float, float, float, float], str, float, float]  # geometry, label, t0, t1
    texts: tuple[tuple[int, float, float, str, float | None, float | None], ...]
    polygon_lesion: bool = False


DEMO_CASES = (
    DemoCase(
        cases_content.HCC,
        (
            DemoLoop(
                "hcc",
                "Demo: liver nodule, arterial phase",
                50.0,
                injection_at_s=3.0,
                caption="Arterial and portal venous phases",
            ),
            DemoLoop(
                "hcc",
                "Demo: liver nodule, late phase",
                15.0,
                starts_after_injection_s=150.0,
                caption="Late phase, 150 s after injection",
            ),
        ),
        markers={
            0: {"arrival": 14.0, "arterial_onset": 14.0, "peak": 24.0, "portal_venous": 36.0},
            1: {"late": 0.0},
        },
        arrow=((250.0, 55.0, 191.0, 106.0), "Non-rim arterial hyperenhancement", 15.0, 32.0),
        texts=((1, 24.0, 40.0, "Mild wash-out: slightly darker than the liver", None, None),),
    ),
    DemoCase(
        cases_content.HAEMANGIOMA,
        (
            DemoLoop(
                "haemangioma",
                "Demo: echogenic liver lesion, arterial phase",
                50.0,
                injection_at_s=3.0,
                caption="Arterial and portal venous phases",
            ),
            DemoLoop(
                "haemangioma",
                "Demo: echogenic liver lesion, late phase",
                15.0,
                starts_after_injection_s=180.0,
                caption="Late phase, 180 s after injection",
            ),
        ),
        markers={0: {"arrival": 15.0, "peak": 22.0, "portal_venous": 36.0}, 1: {"late": 0.0}},
        arrow=((215.0, 95.0, 160.0, 137.0), "Peripheral nodular enhancement", 14.0, 26.0),
        texts=(
            (0, 24.0, 200.0, "Centripetal fill-in", 26.0, 50.0),
            (1, 24.0, 40.0, "Complete fill-in, no wash-out", None, None),
        ),
    ),
    DemoCase(
        cases_content.KIDNEY,
        (
            DemoLoop(
                "kidney",
                "Demo: renal mass",
                50.0,
                injection_at_s=2.0,
                caption="Cortical to early late phase",
            ),
        ),
        markers={0: {"arrival": 12.0, "peak": 21.0, "washout_onset": 32.0}},
        arrow=((40.0, 215.0, 74.0, 170.0), "Pseudocapsule (perilesional rim)", 36.0, 50.0),
        texts=((0, 24.0, 40.0, "Heterogeneous hyperenhancement, central necrosis", 12.0, 28.0),),
        polygon_lesion=True,
    ),
)


def _process(path: Path, label: str, by: User) -> CineLoop:
    """Through the cineloops service, processed here and now (a worker may be quicker)."""
    loop = loop_services.loop_create_from_path(path=path, by=by, move=True)
    CineLoop.objects.filter(pk=loop.pk).update(label=label)
    loop_process(loop_pk=loop.pk)
    deadline = time.monotonic() + WAIT_FOR_WORKER_S
    loop.refresh_from_db()
    while not loop.is_done and time.monotonic() < deadline:
        time.sleep(0.5)
        loop.refresh_from_db()
    if loop.status != CineLoop.Status.READY:
        raise RuntimeError(f"demo loop {loop.pk} ended {loop.status}: {loop.error_message}")
    return loop


def _ellipse(e, shrink: float = 0.8) -> dict[str, float]:
    return {"cx": e.cx, "cy": e.cy, "rx": e.rx * shrink, "ry": e.ry * shrink}


def _outline(e, shrink: float = 0.85, sides: int = 16) -> dict[str, list[list[float]]]:
    """A polygon traced just inside the lesion's edge (as an instructor would), so that the ROI
    is the lesion that the diameter measurement spans."""
    steps = [2 * math.pi * k / sides for k in range(sides)]
    return {
        "points": [
            [
                round(e.cx + e.rx * shrink * math.cos(a), 1),
                round(e.cy + e.ry * shrink * math.sin(a), 1),
            ]
            for a in steps
        ]
    }


def _reference_roi(facts: LoopFacts) -> dict[str, Any]:
    if facts.reference_outline:
        return {
            "kind": "polygon",
            "geometry": {"points": [list(p) for p in facts.reference_outline]},
        }
    return {"kind": "ellipse", "geometry": _ellipse(facts.reference, shrink=1.0)}


def _annotations(spec: DemoCase, loops: list[CineLoop], facts: list[LoopFacts]) -> list[dict]:
    first, geometry = loops[0], facts[0]
    lesion_roi = (
        {"kind": "polygon", "geometry": _outline(geometry.lesion)}
        if spec.polygon_lesion
        else {"kind": "ellipse", "geometry": _ellipse(geometry.lesion)}
    )
    x1, y1, x2, y2 = geometry.measure
    arrow, arrow_label, t_start, t_end = spec.arrow
    items = [
        {"loop": first.pk, **lesion_roi, "roi_role": "lesion", "label": "Lesion"},
        {
            "loop": first.pk,
            **_reference_roi(geometry),
            "roi_role": "reference",
            "label": "Kidney cortex" if spec.polygon_lesion else "Liver parenchyma",
        },
        {
            "loop": first.pk,
            "kind": "measure",
            "geometry": {"x1": x1, "y1": y1, "x2": x2, "y2": y2},
            "label": "Diameter",
        },
        {
            "loop": first.pk,
            "kind": "arrow",
            "label": arrow_label,
            "t_start": t_start,
            "t_end": t_end,
            "geometry": dict(zip(("x1", "y1", "x2", "y2"), arrow, strict=True)),
        },
    ]
    for index, x, y, label, start, end in spec.texts:
        items.append(
            {
                "loop": loops[index].pk,
                "kind": "text",
                "geometry": {"x": x, "y": y},
                "label": label,
                "t_start": start,
                "t_end": end,
            }
        )
    for loop, loop_facts in zip(loops[1:], facts[1:], strict=True):
        items.append(
            {
                "loop": loop.pk,
                "kind": "ellipse",
                "roi_role": "lesion",
                "label": "Lesion",
                "geometry": _ellipse(loop_facts.lesion),
            }
        )
        items.append(
            {
                "loop": loop.pk,
                "kind": "ellipse",
                "roi_role": "reference",
                "label": "Liver parenchyma",
                "geometry": _ellipse(loop_facts.reference, shrink=1.0),
            }
        )
    return items


def _make_case(spec: DemoCase, author: User, reviewer: User, folder: Path, seed: int) -> Case:
    loops, facts = [], []
    for index, loop_spec in enumerate(spec.loops):
        path = folder / f"demo-{seed}-{index}.dcm"
        facts.append(
            write_loop(
                path,
                scene=loop_spec.scene,
                duration_s=loop_spec.duration_s,
                injection_at_s=loop_spec.injection_at_s,
                starts_after_injection_s=loop_spec.starts_after_injection_s,
                seed=seed * 10 + index,
            )
        )
        loops.append(_process(path, loop_spec.label, author))
    content = bilingual(dict(spec.content))
    first = spec.loops[0]
    case = services.case_create(
        by=author,
        visibility=Visibility.NETWORK,
        injection_time_s=first.injection_at_s,
        loops=[
            services.LoopSpec(loop.pk, loop_spec.caption, loop_spec.starts_after_injection_s)
            for loop, loop_spec in zip(loops, spec.loops, strict=True)
        ],
        **content,
    ).case
    markers = [
        {"loop": loops[index].pk, "kind": kind, "time_s": time_s}
        for index, by_kind in spec.markers.items()
        for kind, time_s in by_kind.items()
    ]
    saved = services.annotations_replace(
        case=case, by=author, annotations=_annotations(spec, loops, facts), phase_markers=markers
    )
    for annotation in saved.annotations:
        if annotation.is_roi:  # now, rather than waiting for a worker
            services.tic_compute(annotation_pk=annotation.pk)
    services.case_submit_for_review(case=case, by=author)
    return services.case_review(case=case, by=reviewer, approve=True, comment="Demo case.")


def load_demo_cases() -> bool:
    """Create the demo cases; False (nothing changed) when any case exists or the demo
    instructor and administrator accounts are missing."""
    ensure_allowed()
    if Case.objects.exists():
        return False
    author = User.objects.filter(username="instructor").first()
    reviewer = User.objects.filter(username="admin").first()
    if author is None or reviewer is None or not author.can_author:
        return False
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ceus-demo-") as folder:
        for seed, spec in enumerate(DEMO_CASES, start=1):
            _make_case(spec, author, reviewer, Path(folder), seed)
        if author.institution is not None:
            load_county_case(expert=author.institution, folder=Path(folder), process=_process)
    logger.info("demo cases: %s made in %.1f s", len(DEMO_CASES), time.monotonic() - started)
    return True
