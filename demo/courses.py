"""Demo data for a laptop or a training session: two hospitals, four accounts (password
``demo``), the "Liver CEUS fundamentals" course, a draft course, a cohort with some progress.

Never in production: ``load_demo_data`` refuses unless ``settings.DEMO_DATA_ALLOWED``.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import Institution, User
from core.scoping import PublicationStatus, Visibility
from courses import services
from courses.models import Course, Lesson
from demo import courses_content as text
from demo import courses_content_zh as zh
from demo.accounts import DEMO_PASSWORD  # load_demo_data refuses in production
from demo.allowed import ensure_allowed

PUBLISHED = PublicationStatus.PUBLISHED


# (module title, summary, [(lesson title, minutes, body)])
LIVER_MODULES = [
    (
        "Microbubble contrast physics",
        "What ultrasound contrast agents are, how scanners separate bubbles from tissue, and "
        "the artefacts that follow.",
        [
            ("Ultrasound contrast agents", 10, text.AGENTS),
            ("Non-linear imaging at low mechanical index", 12, text.NONLINEAR),
            ("Artefacts and pitfalls", 8, text.ARTEFACTS),
        ],
    ),
    (
        "Vascular phases of the liver",
        "The arterial, portal venous, late and post-vascular phases, and the enhancement "
        "patterns of common lesions.",
        [
            ("The dual blood supply and the phases", 10, text.PHASES),
            ("Benign lesions: sustained enhancement", 12, text.BENIGN),
            ("Malignant lesions: wash-out", 12, text.MALIGNANT),
        ],
    ),
    (
        "CEUS LI-RADS",
        "Categorising liver observations in patients at risk of hepatocellular carcinoma.",
        [
            ("Categories and major features", 15, text.LIRADS_CATEGORIES),
            ("LR-5 versus LR-M", 12, text.LR5_VS_LRM),
            ("Worked example: reporting an observation", 10, text.WORKED_EXAMPLE),
        ],
    ),
]


def _user(username: str, *, first: str, last: str, role: str, institution, **extra) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.org",
            "role": role,
            "institution": institution,
            **extra,
        },
    )
    if created:  # an existing account keeps its password
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _liver_course(instructor: User) -> tuple[Course, list[Lesson]]:
    course = services.course_create(
        by=instructor,
        # Per language, whatever the active one (the plain names would set only that one).
        title_en="Liver CEUS fundamentals",
        title_zh_hans=zh.TITLES["Liver CEUS fundamentals"],
        summary_en=text.COURSE_SUMMARY,
        summary_zh_hans=zh.COURSE_SUMMARY,
        description_en=text.COURSE_DESCRIPTION,
        description_zh_hans=zh.COURSE_DESCRIPTION,
        visibility=Visibility.NETWORK,
    )
    lessons, previous = [], None
    for title, summary, lesson_specs in LIVER_MODULES:
        module = services.module_create(
            course=course,
            by=instructor,
            title_en=title,
            title_zh_hans=zh.TITLES[title],
            summary_en=summary,
            summary_zh_hans=zh.SUMMARIES[summary],
            status=PUBLISHED,
            prerequisites=[previous] if previous else [],
        )
        for lesson_title, minutes, body in lesson_specs:
            lessons.append(
                services.lesson_create(
                    module=module,
                    by=instructor,
                    title_en=lesson_title,
                    title_zh_hans=zh.TITLES[lesson_title],
                    body_en=body,
                    body_zh_hans=zh.BODIES[body],
                    estimated_minutes=minutes,
                    status=PUBLISHED,
                )
            )
        previous = module
    services.course_set_status(course=course, by=instructor, status=PUBLISHED)
    return course, lessons


def _draft_course(instructor: User) -> Course:
    course = services.course_create(
        by=instructor,
        title_en="Thyroid nodule CEUS",
        title_zh_hans=zh.TITLES["Thyroid nodule CEUS"],
        summary_en="Characterising thyroid nodules and ablation zones (in preparation).",
        summary_zh_hans=zh.SUMMARIES[
            "Characterising thyroid nodules and ablation zones (in preparation)."
        ],
        visibility=Visibility.INSTITUTION,
        ordering=10,
    )
    module = services.module_create(
        course=course, by=instructor, title_en="Technique", title_zh_hans=zh.TITLES["Technique"]
    )
    services.lesson_create(
        module=module,
        by=instructor,
        title_en="Why contrast for thyroid nodules",
        title_zh_hans=zh.TITLES["Why contrast for thyroid nodules"],
        body_en=text.DRAFT_THYROID,
        body_zh_hans=zh.BODIES[text.DRAFT_THYROID],
    )
    return course


@transaction.atomic
def load_demo_data() -> bool:
    """Create the demo data; returns False (and changes nothing) when any course exists."""
    ensure_allowed()
    if Course.objects.exists():
        return False

    expert_name = "Zhejiang Provincial People's Hospital — Ultrasound Centre"
    # Found by the English name whatever the active language (modeltranslation would read
    # ``name=`` as the active language's column).
    expert, _ = Institution.objects.get_or_create(
        name_en=expert_name,
        defaults={
            "name_zh_hans": zh.INSTITUTIONS[expert_name][0],
            "short_name_zh_hans": zh.INSTITUTIONS[expert_name][1],
            "short_name_en": "ZJPPH Ultrasound",
            "level": Institution.Level.EXPERT_CENTRE,
            "region": "Zhejiang",
        },
    )
    county, _ = Institution.objects.get_or_create(
        name_en="Qingxi County People's Hospital",
        defaults={
            "name_zh_hans": zh.INSTITUTIONS["Qingxi County People's Hospital"][0],
            "short_name_zh_hans": zh.INSTITUTIONS["Qingxi County People's Hospital"][1],
            "short_name_en": "Qingxi",
            "level": Institution.Level.COUNTY,
            "region": "Zhejiang",
        },
    )
    roles = User.Role
    trainee = _user("trainee", first="Fang", last="Wang", role=roles.TRAINEE, institution=county)
    instructor = _user(
        "instructor", first="Jie", last="Chen", role=roles.INSTRUCTOR, institution=expert
    )
    director = _user("director", first="Min", last="Zhou", role=roles.DIRECTOR, institution=county)
    _user(
        "admin",
        first="Site",
        last="Administrator",
        role=roles.SITE_ADMIN,
        institution=None,
        is_staff=True,
        is_superuser=True,
    )

    liver, lessons = _liver_course(instructor)
    _draft_course(instructor)

    cohort = services.cohort_create(by=director, name="CEUS trainees — first intake")
    services.cohort_update(cohort=cohort, by=director, members=[trainee], courses=[liver])
    services.assign_cohort(cohort=cohort, by=director)
    for lesson in lessons[:2]:
        services.complete_lesson(user=trainee, lesson=lesson)
    return True
