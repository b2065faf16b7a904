"""Consultations across three hospitals: a county hospital that asks (A), the expert centre it
asks (B), and another county hospital that must never see either (C)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from accounts.models import Institution, User
from cineloops.models import CineLoop
from consults import services
from consults.models import Consultation
from tests.cases.factories import ReadyLoopFactory
from tests.factories import (
    DirectorFactory,
    InstitutionFactory,
    InstructorFactory,
    SiteAdminFactory,
    TraineeFactory,
)

READING = {
    "arterial_enhancement": "hyper",
    "arterial_pattern": "non_rim",
    "portal_venous_enhancement": "iso",
    "late_enhancement": "hypo",
    "washout_onset_s": 75.0,
    "washout_degree": "mild",
    "category": "LR-4",
    "impression": "Probably a hepatocellular carcinoma.",
}
ANSWER = {
    "arterial_enhancement": "hyper",
    "arterial_pattern": "non_rim",
    "portal_venous_enhancement": "iso",
    "late_enhancement": "hypo",
    "washout_onset_s": 80.0,
    "washout_degree": "mild",
    "category": "LR-5",
    "diagnosis": "Hepatocellular carcinoma",
    "certainty": "almost_certain",
    "recommendation": "Refer to the liver tumour board.",
    "report": "Non-rim arterial hyperenhancement with late mild wash-out: typical LR-5.",
}
# Planted where only the requesting institution may read (the local reference) and in the
# thread: a teaching case, the centre's payloads and e-mails must never hold them.
LOCAL_REFERENCE = "BED-7731-ZQX"
THREAD_MARKER = "THREAD-MARKER-5521"


@dataclass
class Network:
    county: Institution
    centre: Institution
    other: Institution
    people: dict[str, User]
    loops: list[CineLoop] = field(default_factory=list)

    def __getitem__(self, role: str) -> User:
        return self.people[role]


def network() -> Network:
    county = InstitutionFactory(name="Qingxi County Hospital", level=Institution.Level.COUNTY)
    centre = InstitutionFactory(
        name="Provincial Expert Centre", level=Institution.Level.EXPERT_CENTRE
    )
    other = InstitutionFactory(name="Songyang County Hospital", level=Institution.Level.COUNTY)
    people = {
        "county_trainee": TraineeFactory(institution=county),
        "county_instructor": InstructorFactory(institution=county),
        "county_director": DirectorFactory(institution=county),
        "centre_trainee": TraineeFactory(institution=centre),
        "expert": InstructorFactory(institution=centre),
        "second_expert": InstructorFactory(institution=centre),
        "centre_director": DirectorFactory(institution=centre),
        "other_trainee": TraineeFactory(institution=other),
        "other_instructor": InstructorFactory(institution=other),
        "other_director": DirectorFactory(institution=other),
        "site_admin": SiteAdminFactory(),
    }
    loops = [
        ReadyLoopFactory(institution=county, source=CineLoop.Source.DICOM_NETWORK) for _ in range(2)
    ]
    return Network(county, centre, other, people, loops)


def submit(
    net: Network,
    *,
    by: str = "county_trainee",
    now: datetime | None = None,
    loops: list[CineLoop] | None = None,
    **overrides,
) -> Consultation:
    kwargs = {
        "target": net.centre,
        "organ": "liver",
        "clinical_question": "Cirrhotic liver, new 25 mm nodule: is this HCC?",
        "reading": dict(READING),
        "local_reference": LOCAL_REFERENCE,
        "contrast_agent": "SonoVue",
        "contrast_dose": "1.5 mL",
        "injection_time_s": 2.0,
        **overrides,
    }
    if now is not None:
        kwargs["now"] = now
    return services.consult_submit(
        by=net[by], loops=net.loops if loops is None else loops, **kwargs
    ).consult


def answered(net: Network, *, now: datetime | None = None, **overrides) -> Consultation:
    consult = submit(net, now=now, **overrides)
    services.consult_claim(consult=consult, by=net["expert"], now=now)
    services.consult_answer(consult=consult, by=net["expert"], answer=dict(ANSWER), now=now)
    return Consultation.objects.get(pk=consult.pk)
