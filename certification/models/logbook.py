"""The scan logbook: scans a trainee performed, signed off by a supervisor.

No patient identifiers are stored: the form says so and warns on text that looks like one
(``cases.phi``). An approved entry never changes; a correction is a new entry that names the
one it corrects, and once the correction is approved the old entry stops counting.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from certification.models.choices import Adequacy, EntryStatus, ExamType


class LogbookEntry(models.Model):
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.CASCADE,
        related_name="logbook_entries",
    )
    performed_on = models.DateField(_("date of the scan"))
    exam_type = models.CharField(_("exam type"), max_length=30, choices=ExamType.choices)
    organ = models.CharField(_("organ system"), max_length=30)
    contrast_agent = models.CharField(_("contrast agent"), max_length=100, blank=True)
    indication = models.TextField(_("indication"))
    findings = models.TextField(_("findings summary"))
    impression = models.TextField(_("your impression"))
    loops = models.ManyToManyField(
        "cineloops.CineLoop", verbose_name=_("cine loops"), blank=True, related_name="+"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The instructor asked to sign the entry off (optional)."),
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    # Kinds of identifier-like text found when the entry was saved (warnings, not refusals).
    phi_warnings = models.JSONField(_("identifier warnings"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=EntryStatus.choices, default=EntryStatus.PENDING
    )
    adequacy = models.CharField(_("adequacy"), max_length=20, choices=Adequacy.choices, blank=True)
    review_comment = models.TextField(_("supervisor's comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    created_at = models.DateTimeField(_("logged"), auto_now_add=True)

    class Meta:
        ordering = ["-performed_on", "-pk"]
        verbose_name = _("logbook entry")
        verbose_name_plural = _("logbook entries")
        indexes = [models.Index(fields=["trainee", "status"], name="logbook_trainee_status")]

    def __str__(self) -> str:
        return f"{self.trainee} — {self.get_exam_type_display()} {self.performed_on}"

    @property
    def counts(self) -> bool:
        """Approved and not judged inadequate (superseding corrections are checked by the
        evaluation, which sees all entries at once)."""
        return self.status == EntryStatus.APPROVED and self.adequacy != Adequacy.INADEQUATE
