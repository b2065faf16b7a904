# ruff: noqa: RUF001 -- Chinese punctuation
"""The remote-consultation demo: Qingxi County People's Hospital asks the ZJPPH expert centre.

Its scanners have sent four loops through the DICOM listener's path (``source`` DICOM network,
the county's own, processed by the real pipeline). ``trainee`` asked about two of them:

- one answered by ``instructor`` three days ago, with drawings (lesion and reference ROIs, an
  arrow, phase markers) and a structured report whose category differs from the trainee's
  (LR-M, "rim", against the expert's LR-4, non-rim), a question and a reply in the thread, the
  patient's consent recorded, and a draft teaching case made from it at the centre;
- one urgent, waiting for the centre past its turnaround target.

The two other loops wait in the county's inbox. No e-mail is sent (``core.mail.muted``).
Run by ``load_demo_data`` after the cases (``demo.loaders``).
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.models import Case
from cases.services import case_update, tic_compute
from cineloops import services as loop_services
from cineloops.models import CineLoop
from cineloops.processing import loop_process
from consults import services
from consults.models import CentreTurnaround, Consultation
from core.content_language import in_both_languages
from core.mail import muted
from demo.allowed import ensure_allowed
from demo.loops import LoopFacts, write_loop

REQUESTER = "trainee"
EXPERT = "instructor"

# (file stem, scene, seconds, t0, label): the first two go to consults, the rest stay in the inbox.
SCANNER_LOOPS = (
    ("consult-liver", "hcc", 30.0, 3.0, "Liver, segment VIII nodule (scanner 2)"),
    ("consult-urgent", "haemangioma", 20.0, 3.0, "Liver, echogenic lesion (scanner 1)"),
    ("inbox-kidney", "kidney", 12.0, 2.0, "Right kidney (scanner 2)"),
    ("inbox-liver", "hcc", 12.0, 3.0, "Liver follow-up (scanner 1)"),
)

ANSWERED_REQUEST = {
    "organ": "liver",
    "urgency": "routine",
    "clinical_question": (
        "58-year-old man, hepatitis B cirrhosis, surveillance: new 28 mm nodule in segment "
        "VIII. Is the arterial enhancement rim or non-rim, and what category?"
    ),
    "contrast_agent": "SonoVue",
    "contrast_dose": "2.4 mL bolus",
    "injection_time_s": 3.0,
    "local_reference": "US-2026-0412",
}
ANSWERED_READING = {
    "arterial_enhancement": "hyper",
    "arterial_pattern": "rim",
    "portal_venous_enhancement": "iso",
    "category": "LR-M",
    "impression": "Rim enhancement: I worry about a cholangiocarcinoma or a metastasis.",
}
ANSWER = {
    "arterial_enhancement": "hyper",
    "arterial_pattern": "non_rim",
    "portal_venous_enhancement": "iso",
    "category": "LR-4",
    "diagnosis": "Probable hepatocellular carcinoma",
    "certainty": "probable",
    "recommendation": (
        "Record the late phase (at least 5 minutes): mild wash-out after 60 s would make it "
        "LR-5. Discuss at the liver tumour board."
    ),
    "report": (
        "The whole nodule enhances in the arterial phase, brighter than the liver from the "
        "centre outwards: this is non-rim hyperenhancement, not a peripheral rim. It becomes "
        "isoenhancing in the portal venous phase; the loop ends before the late phase, so "
        "wash-out cannot be judged: CEUS LR-4."
    ),
}
# The texts typed by the two sides become the draft case's history and diagnosis in the
# language they were typed in; its author adds the other one, as the demo does here.
CASE_ZH = {
    ANSWERED_REQUEST["clinical_question"]: (
        "男，58 岁，乙型肝炎肝硬化，随访中发现肝 VIII 段新发 28 mm 结节。动脉期增强是环状还是"
        "非环状？应归为哪一类？"
    ),
    ANSWER["diagnosis"]: "可能为肝细胞癌",
}
QUESTION = "Thank you. How do you tell a rim from the bright edge of a nodule that fills fast?"
REPLY = (
    "Step through the first seconds of arrival frame by frame: a rim stays at the edge while "
    "the centre stays dark; here the centre fills within two frames of the edge (see the "
    "arrow on the loop)."
)

WAITING_REQUEST = {
    "organ": "liver",
    "urgency": "urgent",
    "clinical_question": (
        "45-year-old woman, no liver disease, 24 mm echogenic lesion found before surgery "
        "planned for tomorrow. Haemangioma, or something to act on first?"
    ),
    "contrast_agent": "SonoVue",
    "contrast_dose": "2.4 mL bolus",
    "injection_time_s": 3.0,
    "local_reference": "US-2026-0519",
}
WAITING_READING = {
    "arterial_enhancement": "hyper",
    "arterial_pattern": "rim",
    "category": "LR-3",
    "impression": "Peripheral enhancement; I could not see a centripetal fill-in.",
}


def _scanner_loop(path: Path, label: str, county) -> CineLoop:
    """As ``cineloops.dicom_scp`` receives a file: a loop of the sender's institution from the
    DICOM network, then processed here and now."""
    loop = loop_services.loop_create_from_path(
        path=path, institution=county, source=CineLoop.Source.DICOM_NETWORK, move=True
    )
    CineLoop.objects.filter(pk=loop.pk).update(label=label)
    loop_process(loop_pk=loop.pk)
    loop.refresh_from_db()
    if loop.status != CineLoop.Status.READY:
        raise RuntimeError(f"demo loop {loop.pk} ended {loop.status}: {loop.error_message}")
    return loop


def _drawings(loop: CineLoop, facts: LoopFacts) -> tuple[list[dict], list[dict]]:
    lesion, reference = facts.lesion, facts.reference
    annotations = [
        {
            "loop": loop.pk,
            "kind": "ellipse",
            "roi_role": "lesion",
            "label": "Nodule",
            "geometry": {
                "cx": lesion.cx,
                "cy": lesion.cy,
                "rx": lesion.rx * 0.8,
                "ry": lesion.ry * 0.8,
            },
        },
        {
            "loop": loop.pk,
            "kind": "ellipse",
            "roi_role": "reference",
            "label": "Liver parenchyma",
            "geometry": {
                "cx": reference.cx,
                "cy": reference.cy,
                "rx": reference.rx,
                "ry": reference.ry,
            },
        },
        {
            "loop": loop.pk,
            "kind": "arrow",
            "label": "Non-rim: the centre fills with the edge",
            "t_start": 14.0,
            "t_end": 26.0,
            "geometry": {"x1": 255.0, "y1": 60.0, "x2": 185.0, "y2": 108.0},
        },
    ]
    markers = [
        {"loop": loop.pk, "kind": "arrival", "time_s": 14.0},
        {"loop": loop.pk, "kind": "peak", "time_s": 24.0},
    ]
    return annotations, markers


def _answered(requester: User, expert: User, loop: CineLoop, facts: LoopFacts, now: datetime):
    day = timedelta(days=1)
    consult = services.consult_submit(
        by=requester,
        target=expert.institution,
        loops=[loop],
        reading=ANSWERED_READING,
        now=now - 3 * day,
        **ANSWERED_REQUEST,
    ).consult
    services.consult_claim(consult=consult, by=expert, now=now - 3 * day + timedelta(hours=2))
    annotations, markers = _drawings(loop, facts)
    services.drawings_replace(
        consult=consult, by=expert, annotations=annotations, phase_markers=markers
    )
    services.consult_answer(
        consult=consult, by=expert, answer=ANSWER, now=now - 3 * day + timedelta(hours=5)
    )
    services.message_post(consult=consult, by=requester, body=QUESTION, now=now - 2 * day)
    services.message_post(
        consult=consult, by=expert, body=REPLY, now=now - 2 * day + timedelta(hours=3)
    )
    services.consent_record(consult=consult, by=requester, now=now - day)
    case = services.teaching_case_make(consult=consult, by=expert, now=now - day).case
    case_update(
        case=case,
        by=expert,
        **in_both_languages(
            CASE_ZH,
            clinical_history=ANSWERED_REQUEST["clinical_question"],
            final_diagnosis=ANSWER["diagnosis"],
        ),
    )
    return consult, case


def load_demo_consults(*, now: datetime | None = None) -> str:
    """Create the consultation demo; returns a line for the console. Adds nothing when any
    consultation exists or the demo trainee and instructor are missing."""
    ensure_allowed()
    if Consultation.objects.exists():
        return "Consultations already exist: demo consultations not loaded."
    requester = User.objects.filter(username=REQUESTER, institution__isnull=False).first()
    expert = User.objects.filter(username=EXPERT, institution__isnull=False).first()
    if requester is None or expert is None:
        return "Demo trainee or instructor missing: demo consultations not loaded."
    now = now or timezone.now()
    county = requester.institution
    loops, facts = [], []
    with tempfile.TemporaryDirectory(prefix="ceus-demo-consults-") as folder:
        for seed, (stem, scene, seconds, t0, label) in enumerate(SCANNER_LOOPS, start=40):
            path = Path(folder) / f"{stem}.dcm"
            facts.append(
                write_loop(path, scene=scene, duration_s=seconds, injection_at_s=t0, seed=seed)
            )
            loops.append(_scanner_loop(path, label, county))
    with muted(), transaction.atomic():
        CentreTurnaround.objects.get_or_create(
            institution=expert.institution, defaults={"routine_hours": 72, "urgent_hours": 24}
        )
        consult, case = _answered(requester, expert, loops[0], facts[0], now)
        services.consult_submit(
            by=requester,
            target=expert.institution,
            loops=[loops[1]],
            reading=WAITING_READING,
            now=now - timedelta(hours=26),
            **WAITING_REQUEST,
        )
    # The draft case's curves now, rather than waiting for a worker.
    for annotation in Case.objects.get(pk=case.pk).annotations.all():
        if annotation.is_roi:
            tic_compute(annotation_pk=annotation.pk)
    return (
        f"Demo consultations loaded: #{consult.pk} answered and a draft case, one urgent "
        f"waiting, {len(loops) - 2} loops in {county}'s inbox ({REQUESTER} asks, {EXPERT} answers)."
    )
