"""Writing the append-only certification audit log (``AuditEvent``).

Every issue (automatic or manual), revocation and expiry adds one row, in the same transaction
as the change it records: the change and its record commit together or not at all.
"""

from __future__ import annotations

from certification.models import AuditEvent, Certificate, Programme


def record_event(
    action: str,
    *,
    programme: Programme,
    certificate: Certificate | None = None,
    subject=None,
    actor=None,
    reason: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Add one row to the audit log; ``subject`` defaults to the certificate's holder."""
    subject_id = subject.pk if subject is not None else None
    if subject_id is None and certificate is not None:
        subject_id = certificate.holder_id
    return AuditEvent.objects.create(
        action=action,
        programme=programme,
        certificate=certificate,
        subject_id=subject_id,
        actor=actor,
        reason=reason,
        data=data or {},
    )
