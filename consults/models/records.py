"""What the two sides write: the requester's reading (sent with the request, then locked) and
the expert's structured answer. Both are ``cases.CeusFindings`` — the case library's findings
fields and choices — so they compare field by field and the answer becomes a case's findings.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Certainty, CeusFindings
from consults.models.consultation import Consultation


class _Final(models.Model):
    """A record written once: saving it again is refused, whatever the caller."""

    LOCKED_MESSAGE = _("This record was sent and can no longer be changed.")
    LOCKED_CODE = "locked"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError(self.LOCKED_MESSAGE, self.LOCKED_CODE)
        super().save(*args, **kwargs)


class RequesterReading(_Final, CeusFindings):
    """The requester's own reading before the answer: what makes the consult a lesson."""

    LOCKED_MESSAGE = _("Your reading was sent with the request and can no longer be changed.")
    LOCKED_CODE = "reading_locked"

    consult = models.OneToOneField(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="reading",
    )
    impression = models.TextField(_("impression"), blank=True)
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("requester's reading")
        verbose_name_plural = _("requesters' readings")

    def __str__(self) -> str:
        return f"reading {self.consult_id}"


class ExpertAnswer(_Final, CeusFindings):
    """The expert's structured CEUS report: the findings, the most likely diagnosis, a
    recommendation and free text."""

    LOCKED_MESSAGE = _("The answer was sent and can no longer be changed.")
    LOCKED_CODE = "answer_locked"

    consult = models.OneToOneField(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="answer",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    diagnosis = models.CharField(_("most likely diagnosis"), max_length=300, blank=True)
    certainty = models.CharField(
        _("diagnostic certainty"), max_length=20, choices=Certainty.choices, blank=True
    )
    recommendation = models.TextField(_("recommendation"), blank=True)
    report = models.TextField(_("report"), blank=True)
    phi_warnings = models.JSONField(_("identifier warnings"), default=list, blank=True)
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        verbose_name = _("expert answer")
        verbose_name_plural = _("expert answers")

    def __str__(self) -> str:
        return f"answer {self.consult_id}"
