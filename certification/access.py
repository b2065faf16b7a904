"""Who may see a certificate's private side (its PDF, badge and API record): its holder, and
those who manage its programme (``services.certificates.can_manage``, in SQL
``selectors.manageable_programmes``: the programme's institution directors and site admins).
Everyone else gets the same answer as for a code that does not exist. The public verification
page is not gated here: it shows anyone the little a code proves.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from certification.models import Certificate, CertificateStatus
from certification.selectors import manageable_programmes
from certification.services.certificates import can_manage


def certificates_for(user) -> QuerySet[Certificate]:
    """The user's own certificates and those of the programmes they manage."""
    if not getattr(user, "is_authenticated", False):
        return Certificate.objects.none()
    visible = Q(holder=user) | Q(programme__in=manageable_programmes(user).values("pk"))
    return Certificate.objects.filter(visible).select_related(
        "holder", "programme", "version", "programme__institution"
    )


def certificate_for(user, code: str) -> Certificate | None:
    """The certificate with ``code`` if ``user`` may see it, else None (whether or not the code
    exists)."""
    certificate = (
        Certificate.objects.select_related("holder", "programme", "version").filter(code=code)
    ).first()
    if certificate is None or not getattr(user, "is_authenticated", False):
        return None
    if certificate.holder_id == user.pk or can_manage(user, certificate.programme):
        return certificate
    return None


def is_downloadable(certificate: Certificate) -> bool:
    """A revoked certificate's PDF and badge are no longer handed out: copies already downloaded
    still exist, which is why the public page (the QR code's target) says "revoked"."""
    return certificate.status != CertificateStatus.REVOKED
