"""What is kept of a consultation's life: its thread of messages, every event (each state
change with who, when, from → to and why; second opinions, consent, the teaching case, each
message), and when each reader last looked (the menu badge)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consults.models.consultation import Consultation, ConsultStatus


class ConsultMessage(models.Model):
    """A question or reply between the requesting side and the centre's experts."""

    consult = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("message"))
    phi_warnings = models.JSONField(_("identifier warnings"), default=list, blank=True)
    created_at = models.DateTimeField(_("sent"))

    class Meta:
        ordering = ["consult_id", "created_at", "pk"]
        verbose_name = _("consultation message")
        verbose_name_plural = _("consultation messages")

    def __str__(self) -> str:
        return f"message {self.pk} on {self.consult_id}"


class EventKind(models.TextChoices):
    STATUS = "status", _("Status changed")
    SECOND_OPINION_ASKED = "second_opinion_asked", _("Second opinion asked")
    SECOND_OPINION_GIVEN = "second_opinion_given", _("Second opinion given")
    CONSENT = "consent", _("Teaching consent recorded")
    TEACHING_CASE = "teaching_case", _("Teaching case made")
    MESSAGE = "message", _("Message")


class ConsultEvent(models.Model):
    """One thing that happened to a consultation. Never changed or deleted by the services;
    ``notified_at`` records that its e-mails went out (``consults.services.notifications``)."""

    consult = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=ConsultStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=ConsultStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    message = models.ForeignKey(
        ConsultMessage,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"))
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)

    class Meta:
        ordering = ["consult_id", "created_at", "pk"]
        verbose_name = _("consultation event")
        verbose_name_plural = _("consultation events")

    def __str__(self) -> str:
        return f"{self.consult_id}: {self.kind} {self.from_status}→{self.to_status}"


class ConsultSeen(models.Model):
    """When ``user`` last opened the consultation: newer activity counts in their badge."""

    consult = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField(_("seen"))

    class Meta:
        verbose_name = _("consultation seen")
        verbose_name_plural = _("consultations seen")
        constraints = [
            models.UniqueConstraint(fields=["consult", "user"], name="consults_seen_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.consult_id}"
