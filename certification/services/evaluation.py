"""Where a user stands on a certification programme, computed from the records the platform
already has (course progress, quiz attempts, reviewed cases, the scan logbook, certificates).

Public functions:
    current_version(programme, *, now=None) -> ProgrammeVersion | None
    evaluate(user, programme, *, now=None) -> ProgrammeProgress
    evaluate_many(users, programme, *, now=None) -> dict[int, ProgrammeProgress]

Decisions:

- **Version.** The current version is the published one with the highest number whose
  ``published_at`` has come (``published_at <= now``). Evidence counts from its ``counts_from``
  (empty: all records), so quiz attempts and scans from before the version came into force do
  not count towards it.
- **Stage.** A user who holds or held a certificate of the programme that was not revoked
  (status issued or expired, however long ago) is on the *recertification* stage: the
  requirements of stage ``both`` and ``recertification`` apply, and evidence counts only from
  the latest such certificate's ``issued_at`` (or ``counts_from`` when later) — what earned the
  last certificate does not earn the next. Everyone else (including a user whose only
  certificates were revoked) is on the *initial* stage: ``both`` and ``initial``. Course
  completion is permanent and has no window (see ``requirements``).
- **Met.** ``met`` is True only when at least one requirement applies and every one is met.
- **Percent.** Each requirement contributes ``min(done / needed, 1)`` (a requirement with
  nothing to count — ``needed`` 0 — contributes 1 when met, else 0); ``percent`` is the floor of
  the mean of those fractions times 100, and never 100 unless ``met``: a bar at 100 % means the
  certificate is due.
- **Queries.** ``evaluate_many`` reads the version, its requirements, the users' latest
  certificates and the evidence the requirement kinds need, in a constant number of queries
  for any number of users (``evidence.load_evidence``); ``evaluate`` is the same for one user.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from certification.models import (
    Certificate,
    CertificateStatus,
    Programme,
    ProgrammeVersion,
    Requirement,
    RequirementStage,
)
from certification.services.evidence import load_evidence
from certification.services.requirements import check

STAGE_REQUIREMENTS = {
    RequirementStage.INITIAL: (RequirementStage.BOTH, RequirementStage.INITIAL),
    RequirementStage.RECERTIFICATION: (RequirementStage.BOTH, RequirementStage.RECERTIFICATION),
}


@dataclass
class RequirementProgress:
    requirement: Requirement
    done: float
    needed: float
    met: bool
    summary: str  # translated, e.g. "12 of 25 supervised CEUS liver scans"
    left: str  # translated; "" when met

    @property
    def fraction(self) -> float:
        if self.needed <= 0:
            return 1.0 if self.met else 0.0
        return min(self.done / self.needed, 1.0)

    @property
    def percent(self) -> int:
        """For a progress bar: floor, and below 100 until met."""
        value = math.floor(self.fraction * 100)
        return value if self.met else min(value, 99)


@dataclass
class ProgrammeProgress:
    programme: Programme
    version: ProgrammeVersion | None
    stage: str  # RequirementStage.INITIAL or RECERTIFICATION
    requirements: list[RequirementProgress]
    met: bool
    percent: int
    # The certificate a recertification renews (latest issued or expired one), if any.
    previous: Certificate | None = None
    # Start of the evidence window (None: all records count).
    since: datetime | None = None

    @property
    def is_recertification(self) -> bool:
        return self.stage == RequirementStage.RECERTIFICATION


def current_version(
    programme: Programme, *, now: datetime | None = None
) -> ProgrammeVersion | None:
    """The latest published version in force at ``now`` (None when there is none)."""
    now = now or timezone.now()
    return (
        programme.versions.filter(published_at__isnull=False, published_at__lte=now)
        .order_by("-number")
        .first()
    )


def evaluate(user, programme: Programme, *, now: datetime | None = None) -> ProgrammeProgress:
    """Where ``user`` stands on ``programme`` (see the module docstring)."""
    return evaluate_many([user], programme, now=now)[user.pk]


def evaluate_many(
    users: Iterable, programme: Programme, *, now: datetime | None = None
) -> dict[int, ProgrammeProgress]:
    """``evaluate`` for each of ``users``, keyed by user id, in a constant number of queries."""
    now = now or timezone.now()
    users = list(users)
    version = current_version(programme, now=now)
    if version is None:
        return {
            user.pk: ProgrammeProgress(programme, None, RequirementStage.INITIAL, [], False, 0)
            for user in users
        }
    requirements = list(
        version.requirements.select_related("quiz", "prerequisite")
        .prefetch_related("courses")
        .order_by("order", "pk")
    )
    previous = latest_certificates([user.pk for user in users], programme)
    evidence = load_evidence(users, requirements, version.counts_from)
    results = {}
    for user in users:
        last = previous.get(user.pk)
        stage = RequirementStage.RECERTIFICATION if last else RequirementStage.INITIAL
        since = version.counts_from
        if last is not None and (since is None or last.issued_at > since):
            since = last.issued_at
        progress = []
        for req in requirements:
            if req.stage not in STAGE_REQUIREMENTS[stage]:
                continue
            result = check(req, user, evidence, since, now)
            progress.append(
                RequirementProgress(
                    req, result.done, result.needed, result.met, result.summary, result.left
                )
            )
        met = bool(progress) and all(item.met for item in progress)
        results[user.pk] = ProgrammeProgress(
            programme=programme,
            version=version,
            stage=stage,
            requirements=progress,
            met=met,
            percent=overall_percent(progress, met),
            previous=last,
            since=since,
        )
    return results


def overall_percent(progress: list[RequirementProgress], met: bool) -> int:
    if not progress:
        return 0
    value = math.floor(sum(item.fraction for item in progress) / len(progress) * 100)
    return value if met else min(value, 99)


def latest_certificates(user_ids: list[int], programme: Programme) -> dict[int, Certificate]:
    """Each user's latest certificate of ``programme`` that was not revoked (one query)."""
    latest: dict[int, Certificate] = {}
    rows = Certificate.objects.filter(
        holder_id__in=user_ids,
        programme=programme,
        status__in=[CertificateStatus.ISSUED, CertificateStatus.EXPIRED],
    ).order_by("holder_id", "-issued_at", "-pk")
    for certificate in rows:
        latest.setdefault(certificate.holder_id, certificate)
    return latest
