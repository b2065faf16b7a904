"""Certificates, the append-only audit log, and the reminders already sent."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from certification.models.choices import AuditAction, CertificateStatus
from certification.models.programme import Programme, ProgrammeVersion


def new_verification_code() -> str:
    # 128 random bits, URL-safe: unguessable, and short enough for a QR code.
    return secrets.token_urlsafe(16)


class Certificate(models.Model):
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    # The name as it was when the certificate was issued: what the PDF and the public page show.
    holder_name = models.CharField(_("holder's name"), max_length=300)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    version = models.ForeignKey(
        ProgrammeVersion,
        verbose_name=_("programme version"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    code = models.CharField(
        _("verification code"), max_length=40, unique=True, default=new_verification_code
    )
    issued_at = models.DateTimeField(_("issued"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CertificateStatus.choices,
        default=CertificateStatus.ISSUED,
    )
    # Empty for automatic issue; a director and a reason for a manual one.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    issue_reason = models.TextField(_("reason for manual issue"), blank=True)
    renews = models.ForeignKey(
        "self",
        verbose_name=_("renews"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewals",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.TextField(_("reason for revocation"), blank=True)
    # The certificate's bit in the published revocation list (certification.status_list):
    # random, allocated once at issue, never reused (certificates are never deleted).
    status_list_index = models.PositiveIntegerField(
        _("status list index"), unique=True, editable=False
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            # A holder has at most one valid certificate per programme: two workers evaluating
            # the same trainee at once cannot both issue.
            models.UniqueConstraint(
                fields=["holder", "programme"],
                condition=Q(status=CertificateStatus.ISSUED),
                name="one_valid_certificate",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="certificate_expiry")]

    def __str__(self) -> str:
        return f"{self.programme} — {self.holder_name}"

    def get_absolute_url(self) -> str:
        return reverse("certification:verify", kwargs={"code": self.code})


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The certification audit log is append-only.")

    def delete(self):
        raise TypeError("The certification audit log is append-only.")


class AuditEvent(models.Model):
    """Every issue, manual override, revocation and expiry. Rows are only ever added: saving an
    existing row or deleting raises, and on PostgreSQL a trigger refuses UPDATE and DELETE."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("certificate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("The certification audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The certification audit log is append-only.")


class ExpiryReminder(models.Model):
    """A reminder e-mail already sent (``days_before`` = 60 or 14): each goes out once."""

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.CASCADE, related_name="+"
    )
    days_before = models.PositiveSmallIntegerField(_("days before expiry"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "days_before"], name="expiry_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate} ({self.days_before} days before expiry)"
