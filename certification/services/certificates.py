"""The life of a certificate: automatic and manual issue, renewal, revocation and expiry.

Public functions:
    issue_if_eligible(*, user, programme, now=None) -> Certificate | None
    issue_manually(*, user, programme, by, reason, now=None) -> Certificate
    revoke(*, certificate, by, reason, now=None) -> Certificate
    expire_due(now=None) -> int
    certificate_status(certificate, now=None) -> str
    can_manage(user, programme) -> bool
    expiry_for(issued_at, programme) -> datetime | None
    add_months(moment, months) -> datetime

Decisions:

- **Never without the requirements.** ``issue_if_eligible`` locks the holder's row, then
  evaluates again inside that transaction and issues only when ``evaluate(...).met``; the
  ``one_valid_certificate`` constraint backs this up when two workers race (the loser returns
  None). Only a director's ``issue_manually`` bypasses the requirements, with a reason, and the
  audit event records which requirements were unmet.
- **Validity.** ``expires_at`` = ``issued_at`` + ``programme.validity_months`` calendar months,
  counted in the platform's time zone; a day that does not exist in the target month becomes
  its last day (31 January + 1 month = 28/29 February). ``validity_months`` 0 means the
  certificate does not expire. A certificate whose status is still "issued" but whose expiry
  has passed reads as expired (``certificate_status``) before the nightly task marks it.
- **Recertification.** Evaluation puts a holder of a non-revoked certificate on the
  recertification stage (``evaluation``). While the current certificate is valid and more than
  ``RENEWAL_WINDOW`` from its expiry, ``issue_if_eligible`` does nothing (idempotent: it
  returns None). From then on, and after expiry, meeting the recertification requirements
  issues a new certificate with ``renews`` = the previous one; a still-"issued" previous
  certificate is marked expired at that moment, with an ``expired`` audit event, because a
  holder has at most one valid certificate per programme. The new validity runs from the new
  issue date.
- **Revocation list.** Each certificate gets a random ``status_list_index`` at issue (drawn
  again if another issue took it meanwhile); a revoked certificate's bit is set in the
  published Bitstring Status List that its badge names (``certification.status_list``).
- **Audit.** Every issue, manual issue, revocation and expiry writes one ``AuditEvent`` in the
  same transaction as the change.
- **Who.** Directors of the programme's institution and site admins manage certificates
  (``can_manage``); instructors sign off scans but do not issue or revoke.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification import status_list
from certification.models import (
    AuditAction,
    Certificate,
    CertificateStatus,
    Programme,
    ProgrammeVersion,
)
from certification.services.audit import record_event
from certification.services.evaluation import current_version, evaluate
from core.locking import lock
from core.scoping import may_manage

# How long before its expiry a valid certificate may be renewed by meeting the recertification
# requirements (the director's dashboard lists certificates expiring within 90 days).
RENEWAL_WINDOW = timedelta(days=90)


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus calendar months, in the platform's time zone when aware."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def expiry_for(issued_at: datetime, programme: Programme) -> datetime | None:
    if not programme.validity_months:
        return None
    return add_months(issued_at, programme.validity_months)


def certificate_status(certificate: Certificate, now: datetime | None = None) -> str:
    """The status as the holder and verifiers should see it: an issued certificate past its
    expiry is expired even before the nightly task has marked it."""
    now = now or timezone.now()
    if (
        certificate.status == CertificateStatus.ISSUED
        and certificate.expires_at is not None
        and certificate.expires_at <= now
    ):
        return CertificateStatus.EXPIRED
    return certificate.status


def can_manage(user, programme: Programme) -> bool:
    """Directors of the programme's institution and site admins issue and revoke."""
    return may_manage(user, programme)


def issue_if_eligible(
    *, user, programme: Programme, now: datetime | None = None
) -> Certificate | None:
    """Issue (or renew) ``user``'s certificate of ``programme`` if every requirement is met;
    None when not eligible or nothing is due (see the module docstring)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            _lock_holder(user)
            current = _valid_certificate(user, programme)
            if current is not None and not _renewable(current, now):
                return None
            progress = evaluate(user, programme, now=now)
            if not progress.met or progress.version is None:
                return None
            certificate = _issue(
                user, programme, progress.version, now, current=current, previous=progress.previous
            )
            record_event(
                AuditAction.ISSUED,
                programme=programme,
                certificate=certificate,
                subject=user,
                data=_snapshot(progress),
            )
    except IntegrityError:
        # Another worker issued the same certificate between our check and insert.
        return None
    _notify_after_commit(certificate)
    return certificate


def issue_manually(
    *, user, programme: Programme, by, reason: str, now: datetime | None = None
) -> Certificate:
    """A director's override: issue whatever the requirements say, with a recorded reason.
    A valid certificate the user already holds is replaced (renewed)."""
    now = now or timezone.now()
    if not can_manage(by, programme):
        raise PermissionDenied(_("Only the programme's directors may issue certificates."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for issuing manually.")})
    with transaction.atomic():
        _lock_holder(user)
        version = current_version(programme, now=now)
        if version is None:
            raise ValidationError(_("The programme has no published version yet."))
        progress = evaluate(user, programme, now=now)
        certificate = _issue(
            user,
            programme,
            version,
            now,
            current=_valid_certificate(user, programme),
            previous=progress.previous,
            issued_by=by,
            reason=reason,
        )
        record_event(
            AuditAction.ISSUED_MANUALLY,
            programme=programme,
            certificate=certificate,
            subject=user,
            actor=by,
            reason=reason,
            data=_snapshot(progress),
        )
    _notify_after_commit(certificate)
    return certificate


def revoke(
    *, certificate: Certificate, by, reason: str, now: datetime | None = None
) -> Certificate:
    """Revoke with a reason (directors of the programme's institution, site admins)."""
    now = now or timezone.now()
    if not can_manage(by, certificate.programme):
        raise PermissionDenied(_("Only the programme's directors may revoke certificates."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for revoking.")})
    with transaction.atomic():
        certificate = lock(certificate)
        if certificate.status == CertificateStatus.REVOKED:
            raise ValidationError(_("This certificate has already been revoked."))
        previous_status = certificate.status
        certificate.status = CertificateStatus.REVOKED
        certificate.revoked_at = now
        certificate.revoked_by = by
        certificate.revoke_reason = reason
        certificate.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
        record_event(
            AuditAction.REVOKED,
            programme=certificate.programme,
            certificate=certificate,
            actor=by,
            reason=reason,
            data={"previous_status": previous_status},
        )
    # The published list follows the revoked set by itself; this drops the superseded copy.
    transaction.on_commit(status_list.forget_cached_list)
    return certificate


def expire_due(now: datetime | None = None) -> int:
    """Mark issued certificates past their expiry as expired; returns how many this call
    marked. Safe to run twice or on two workers at once."""
    now = now or timezone.now()
    due = Certificate.objects.filter(status=CertificateStatus.ISSUED, expires_at__lte=now)
    count = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            certificate = lock(
                Certificate,
                pk,
                status=CertificateStatus.ISSUED,
                expires_at__lte=now,
                select_related=("programme",),
                missing_ok=True,
            )
            if certificate is None:  # renewed, revoked or expired by someone else meanwhile
                continue
            expires_at = certificate.expires_at  # never None: the lock's filter
            _mark_expired(certificate, data={"expires_at": expires_at and expires_at.isoformat()})
            count += 1
    return count


# --- internals -------------------------------------------------------------------------------


def _lock_holder(user) -> None:
    # Serialises every certificate change of one holder (two workers evaluating the same
    # trainee wait for each other); a no-op on SQLite, which serialises writers anyway.
    lock(user, only=("pk",), missing_ok=True)


def _valid_certificate(user, programme: Programme) -> Certificate | None:
    return Certificate.objects.filter(
        holder_id=user.pk, programme=programme, status=CertificateStatus.ISSUED
    ).first()


def _renewable(certificate: Certificate, now: datetime) -> bool:
    return certificate.expires_at is not None and certificate.expires_at - now <= RENEWAL_WINDOW


def _mark_expired(certificate: Certificate, *, data: dict) -> None:
    certificate.status = CertificateStatus.EXPIRED
    certificate.save(update_fields=["status"])
    record_event(
        AuditAction.EXPIRED,
        programme=certificate.programme,
        certificate=certificate,
        data=data,
    )


def _issue(
    user,
    programme: Programme,
    version: ProgrammeVersion,
    now: datetime,
    *,
    current: Certificate | None,
    previous: Certificate | None,
    issued_by=None,
    reason: str = "",
) -> Certificate:
    if current is not None:
        # Only one valid certificate per holder and programme: the renewed one ends now.
        _mark_expired(current, data={"renewed": True})
    fields = {
        "holder": user,
        "holder_name": user.get_full_name() or user.get_username(),
        "programme": programme,
        "version": version,
        "issued_at": now,
        "expires_at": expiry_for(now, programme),
        "status": CertificateStatus.ISSUED,
        "issued_by": issued_by,
        "issue_reason": reason,
        "renews": current or previous,
    }
    while True:
        index = status_list.allocate_index()
        try:
            with transaction.atomic():  # a savepoint: a lost race surfaces as IntegrityError
                return Certificate.objects.create(status_list_index=index, **fields)
        except IntegrityError:
            # Another issue took the same random index meanwhile: draw again. Any other
            # conflict (the one-valid-certificate race) is the caller's to handle.
            if not Certificate.objects.filter(status_list_index=index).exists():
                raise


def _snapshot(progress) -> dict:
    """What the audit log keeps of the evaluation behind an issue."""
    return {
        "version": progress.version.number if progress.version else None,
        "stage": str(progress.stage),
        "requirements_met": progress.met,
        "requirements": [
            {
                "id": item.requirement.pk,
                "kind": item.requirement.kind,
                "done": item.done,
                "needed": item.needed,
                "met": item.met,
            }
            for item in progress.requirements
        ],
    }


def _notify_after_commit(certificate: Certificate) -> None:
    from certification.services.notifications import notify_issued

    # robust: a mail server that is down must not turn a committed issue into an error.
    transaction.on_commit(lambda: notify_issued(certificate), robust=True)
