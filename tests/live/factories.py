"""A teaching network for live sessions: an expert centre whose instructors host, two county
hospitals in the audience, one hospital outside it, a cohort, and a session with an agenda of
one case (two loops, one annotation) and a single loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Institution, User
from cases.models import Annotation, Case
from cineloops.models import CineLoop
from core.scoping import Visibility
from courses.models import Cohort
from live import services
from live.models import Audience, LiveSession
from tests.cases.factories import CaseFactory, ReadyLoopFactory
from tests.factories import (
    DirectorFactory,
    InstitutionFactory,
    InstructorFactory,
    SiteAdminFactory,
    TraineeFactory,
)

# (who, joins a network session, joins a session for the county hospitals' cohort only)
ROLES = {
    "host": (True, True),
    "cohost": (True, True),
    "centre_trainee": (True, False),
    "centre_director": (True, False),
    "county_trainee": (True, True),
    "county_instructor": (True, False),
    "county_director": (True, False),
    "second_county_trainee": (True, False),
    "outsider_trainee": (True, False),
    "outsider_instructor": (True, False),
    "site_admin": (True, True),
}


@dataclass
class Network:
    centre: Institution
    county: Institution
    second_county: Institution
    outsider: Institution
    people: dict[str, User]
    cohort: Cohort
    case: Case
    loops: list[CineLoop] = field(default_factory=list)
    single: CineLoop | None = None
    annotation: Annotation | None = None

    def __getitem__(self, role: str) -> User:
        return self.people[role]


def network() -> Network:
    centre = InstitutionFactory(
        name="Lakeside Teaching Centre", level=Institution.Level.EXPERT_CENTRE
    )
    county = InstitutionFactory(name="Anji County Hospital", level=Institution.Level.COUNTY)
    second = InstitutionFactory(name="Deqing County Hospital", level=Institution.Level.COUNTY)
    outsider = InstitutionFactory(name="Far Away Clinic", level=Institution.Level.TOWNSHIP)
    people = {
        "host": InstructorFactory(institution=centre, first_name="Wei", last_name="Host"),
        "cohost": InstructorFactory(institution=centre, first_name="Li", last_name="Cohost"),
        "centre_trainee": TraineeFactory(institution=centre),
        "centre_director": DirectorFactory(institution=centre),
        "county_trainee": TraineeFactory(institution=county),
        "county_instructor": InstructorFactory(institution=county),
        "county_director": DirectorFactory(institution=county),
        "second_county_trainee": TraineeFactory(institution=second),
        "outsider_trainee": TraineeFactory(institution=outsider),
        "outsider_instructor": InstructorFactory(institution=outsider),
        "site_admin": SiteAdminFactory(),
    }
    cohort = Cohort.objects.create(name="Liver CEUS 2027", institution=county)
    cohort.members.add(people["county_trainee"])
    loops = [
        ReadyLoopFactory(institution=centre, frames=300, fps=15.0, duration_s=20.0),
        ReadyLoopFactory(institution=centre, frames=450, fps=15.0, duration_s=30.0),
    ]
    case = CaseFactory(institution=centre, visibility=Visibility.NETWORK, loops=loops)
    annotation = Annotation.objects.create(
        case=case,
        loop=loops[0],
        kind="ellipse",
        geometry={"cx": 160.0, "cy": 120.0, "rx": 30.0, "ry": 20.0},
        label="Rim enhancement",
    )
    single = ReadyLoopFactory(institution=centre, frames=120, fps=10.0, duration_s=12.0)
    return Network(
        centre, county, second, outsider, people, cohort, case, loops, single, annotation
    )


def schedule(
    net: Network,
    *,
    audience: str = Audience.NETWORK,
    starts_at: datetime | None = None,
    agenda: list[dict] | None = None,
    **kwargs,
) -> LiveSession:
    starts_at = starts_at or timezone.now() + timedelta(hours=1)
    extra: dict = {}
    if audience == Audience.INSTITUTIONS:
        extra["institutions"] = [net.county, net.second_county]
    elif audience == Audience.COHORTS:
        extra["cohorts"] = [net.cohort]
    return services.session_create(
        by=net["host"],
        title_en="Arterial phase patterns",
        title_zh_hans="动脉期增强模式",
        starts_at=starts_at,
        planned_end=starts_at + timedelta(hours=1),
        audience=audience,
        co_hosts=[net["cohost"]],
        conference_url="https://meet.example.org/ceus-live",
        agenda=agenda if agenda is not None else [{"case": net.case.pk}, {"loop": net.single.pk}],
        **extra,
        **kwargs,
    )


def started(net: Network, *, now: datetime | None = None, **kwargs) -> LiveSession:
    session = schedule(net, **kwargs)
    services.session_start(session=session, by=net["host"], now=now)
    session.refresh_from_db()
    return session
