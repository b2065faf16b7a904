# ruff: noqa: RUF001 -- Chinese punctuation
"""The review-across-the-network demo: a county hospital with a single CEUS instructor
(``county-instructor``, password ``demo``) names the demo expert centre as its reviewer; one of
its cases waits in review for the centre's instructor (``instructor``), who opens it from
"Reviews" in the menu. Run by ``demo.cases.load_demo_cases`` after the published cases.
"""

from __future__ import annotations

from pathlib import Path

from accounts.models import Institution, User
from cases import services
from cases.models import Case
from core.content_language import in_both_languages
from core.scoping import Visibility
from demo.accounts import DEMO_PASSWORD
from demo.cases_content_zh import bilingual
from demo.loops import write_loop

COUNTY_INSTRUCTOR = "county-instructor"
COUNTY_HOSPITAL = "Songyang County People's Hospital"

COUNTY_CASE = {
    "title": "Nodule found on surveillance at a county hospital",
    "organ": "liver",
    "modality": "ceus",
    "difficulty": 2,
    "contrast_agent": "SonoVue (sulphur hexafluoride microbubbles)",
    "contrast_dose": "2.4 mL IV bolus, 10 mL saline flush",
    "clinical_history": (
        "A 61-year-old man with hepatitis B cirrhosis in six-monthly surveillance at the county "
        "hospital. A new 25 mm hypoechoic nodule in segment VI. The loop follows the bolus from "
        "injection (at 3 s) to 23 s."
    ),
    "arterial_enhancement": "hyper",
    "arterial_pattern": "non_rim",
    "category": "LR-4",
    "final_diagnosis": "Probable hepatocellular carcinoma: late phase not recorded",
    "certainty": "probable",
    "teaching_points": (
        "- Non-rim arterial phase hyperenhancement in a nodule ≥ 10 mm in cirrhosis.\n"
        "- Without the late phase (≥ 60 s) wash-out cannot be judged: the category stays LR-4 "
        "until the late phase is recorded."
    ),
}


# Its texts in Simplified Chinese, keyed by the English (demo.cases_content_zh.bilingual).
COUNTY_ZH = {
    COUNTY_CASE["title"]: "县医院随访中发现的结节",
    COUNTY_CASE["clinical_history"]: (
        "男，61 岁，乙型肝炎肝硬化，在县医院每六个月随访一次。肝 VI 段新发 25 mm 低回声结节。"
        "动态图像记录注射（第 3 秒）至 23 秒的团注过程。"
    ),
    COUNTY_CASE["final_diagnosis"]: "可能为肝细胞癌：未记录延迟期",
    COUNTY_CASE["teaching_points"]: (
        "- 肝硬化背景下 ≥ 10 mm 的结节呈动脉期非环状高增强。\n"
        "- 没有延迟期（≥ 60 秒）图像就无法判断廓清：在记录延迟期之前，分类只能为 LR-4。"
    ),
    COUNTY_HOSPITAL: "松阳县人民医院",
    "Songyang": "松阳",
}


def _county(expert: Institution) -> tuple[Institution, User]:
    county, _ = Institution.objects.get_or_create(
        name_en=COUNTY_HOSPITAL,
        defaults={
            "name_zh_hans": COUNTY_ZH[COUNTY_HOSPITAL],
            **in_both_languages(COUNTY_ZH, short_name="Songyang"),
            "level": Institution.Level.COUNTY,
            "region": "Zhejiang",
        },
    )
    county.reviewed_by.add(expert)
    author, created = User.objects.get_or_create(
        username=COUNTY_INSTRUCTOR,
        defaults={
            "first_name": "Lei",
            "last_name": "Zhang",
            "email": f"{COUNTY_INSTRUCTOR}@example.org",
            "role": User.Role.INSTRUCTOR,
            "institution": county,
        },
    )
    if created:
        author.set_password(DEMO_PASSWORD)
        author.save(update_fields=["password"])
    return county, author


def load_county_case(*, expert: Institution, folder: Path, process) -> Case:
    """The county hospital, its instructor and a case of theirs in review (``process`` turns
    a DICOM path into a ready loop, as for the other demo cases)."""
    _county_hospital, author = _county(expert)
    path = folder / "demo-county.dcm"
    write_loop(path, scene="hcc", duration_s=20.0, injection_at_s=3.0, seed=99)
    loop = process(path, "Demo: county liver nodule, arterial phase", author)
    case = services.case_create(
        by=author,
        visibility=Visibility.NETWORK,
        injection_time_s=3.0,
        loops=[services.LoopSpec(loop.pk, "Arterial phase")],
        **bilingual(COUNTY_CASE, COUNTY_ZH),
    ).case
    return services.case_submit_for_review(case=case, by=author)
