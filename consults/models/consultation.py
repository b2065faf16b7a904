"""A consultation: a hospital asks an expert centre about its loops (DOMAIN.md §8).

States: submitted → claimed → answered → closed, or withdrawn (by the requesting side) or
declined (by the centre, with a reason) before an answer; a claim may be released back to
the queue. ``TRANSITIONS`` is the whole state machine; ``consults.services`` enforce it and
keep every change as a ``ConsultEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import CeusContrast, Organ
from core.scoping import consult_expert_rule, consult_requester_rule, consult_rule


class ConsultStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CLAIMED = "claimed", _("Claimed")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DECLINED = "declined", _("Declined")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")


# from → the states it may move to. Nothing leaves closed, withdrawn or declined.
TRANSITIONS: dict[str, frozenset[str]] = {
    ConsultStatus.SUBMITTED: frozenset(
        {ConsultStatus.CLAIMED, ConsultStatus.WITHDRAWN, ConsultStatus.DECLINED}
    ),
    ConsultStatus.CLAIMED: frozenset(
        {
            ConsultStatus.SUBMITTED,  # released to the queue
            ConsultStatus.ANSWERED,
            ConsultStatus.WITHDRAWN,
            ConsultStatus.DECLINED,
        }
    ),
    ConsultStatus.ANSWERED: frozenset({ConsultStatus.CLOSED}),
    ConsultStatus.CLOSED: frozenset(),
    ConsultStatus.WITHDRAWN: frozenset(),
    ConsultStatus.DECLINED: frozenset(),
}
# Waiting for the centre (the queue); an answer exists (the learning side).
OPEN_STATUSES = (ConsultStatus.SUBMITTED, ConsultStatus.CLAIMED)
ANSWERED_STATUSES = (ConsultStatus.ANSWERED, ConsultStatus.CLOSED)
# The moment each state was (last) entered.
STATUS_TIMESTAMPS: dict[str, str] = {
    ConsultStatus.SUBMITTED: "submitted_at",
    ConsultStatus.CLAIMED: "claimed_at",
    ConsultStatus.ANSWERED: "answered_at",
    ConsultStatus.CLOSED: "closed_at",
    ConsultStatus.WITHDRAWN: "withdrawn_at",
    ConsultStatus.DECLINED: "declined_at",
}


class ConsultationQuerySet(models.QuerySet):
    def for_user(self, user) -> ConsultationQuerySet:
        """What ``user`` may read (``core.scoping.consult_rule``)."""
        return self.filter(consult_rule(user).q())

    def requested_by_side_of(self, user) -> ConsultationQuerySet:
        """The consultations of ``user``'s own institution (the requesting side)."""
        return self.filter(consult_requester_rule(user).q())

    def answerable_by(self, user) -> ConsultationQuerySet:
        """Those sent to the centre where ``user`` is an instructor (an expert)."""
        return self.filter(consult_expert_rule(user).q())

    def open(self) -> ConsultationQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def answered(self) -> ConsultationQuerySet:
        return self.filter(status__in=ANSWERED_STATUSES)


class Consultation(CeusContrast):
    """One request from a hospital to an expert centre about a patient's loops."""

    Status = ConsultStatus

    requesting_institution = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("requesting institution"),
        on_delete=models.PROTECT,
        related_name="consults_requested",
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="consults_requested",
    )
    target = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("expert centre"),
        on_delete=models.PROTECT,
        related_name="consults_received",
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named expert"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Optional: an instructor of the centre the request is addressed to."),
    )
    organ = models.CharField(_("organ system"), max_length=30, choices=Organ.choices)
    clinical_question = models.TextField(_("clinical question"))
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ConsultStatus.choices, default=ConsultStatus.SUBMITTED
    )
    # Why it was declined or withdrawn (the requester reads it).
    status_reason = models.TextField(_("reason"), blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A second expert of the centre asked for an opinion, and what they said.
    second_expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("second opinion from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    second_opinion = models.TextField(_("second opinion"), blank=True)
    second_opinion_asked_at = models.DateTimeField(_("second opinion asked"), null=True, blank=True)
    second_opinion_at = models.DateTimeField(_("second opinion given"), null=True, blank=True)

    submitted_at = models.DateTimeField(_("submitted"))
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    # The last event or message: what the menu badge compares with the reader's last visit.
    activity_at = models.DateTimeField(_("last activity"))

    # Lets the hospital find its patient again: the requesting institution's members only —
    # never the centre, exports, search, logs or teaching cases (``consults.selectors``).
    local_reference = models.CharField(_("local reference"), max_length=100, blank=True)
    # Texts that looked like patient identifiers when sent, confirmed by the requester:
    # [{"field", "kinds"}] (``consults.services.identifiers``).
    phi_warnings = models.JSONField(_("identifier warnings"), default=list, blank=True)

    # The patient agreed to teaching use: who on the requesting side recorded it, and when.
    teaching_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teaching consent recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    teaching_consent_at = models.DateTimeField(
        _("teaching consent recorded"), null=True, blank=True
    )
    teaching_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("teaching case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations",
    )

    loops = models.ManyToManyField(
        "cineloops.CineLoop",
        verbose_name=_("cine loops"),
        through="ConsultLoop",
        related_name="consultations",
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [
            models.Index(fields=["target", "status"], name="consults_target_status"),
            models.Index(
                fields=["requesting_institution", "status"], name="consults_requesting_status"
            ),
            models.Index(fields=["requester", "status"], name="consults_requester_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(target=models.F("requesting_institution")),
                name="consults_not_to_itself",
            ),
        ]

    def __str__(self) -> str:
        # Never the local reference: this is what logs and the admin's lists print.
        return f"#{self.pk} {self.get_organ_display()} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_answered(self) -> bool:
        return self.status in ANSWERED_STATUSES

    @property
    def has_teaching_consent(self) -> bool:
        return self.teaching_consent_at is not None


class ConsultLoop(models.Model):
    """A loop of the consultation, in the order the requester gave."""

    consult = models.ForeignKey(
        Consultation,
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="consult_loops",
    )
    loop = models.ForeignKey(
        "cineloops.CineLoop",
        verbose_name=_("cine loop"),
        on_delete=models.CASCADE,  # as in a case: deleting a loop takes it out of its consults
        related_name="consult_links",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["consult_id", "order", "pk"]
        verbose_name = _("consultation loop")
        verbose_name_plural = _("consultation loops")
        constraints = [
            models.UniqueConstraint(fields=["consult", "loop"], name="consults_loop_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.consult_id}:{self.loop_id}"


def _default_routine_hours() -> int:
    from consults import conf

    return conf.default_target_hours()["routine"]


def _default_urgent_hours() -> int:
    from consults import conf

    return conf.default_target_hours()["urgent"]


class CentreTurnaround(models.Model):
    """The turnaround an expert centre commits to, per urgency (hours from submission to
    answer): the queue flags what waits longer. A centre without one uses the defaults
    (``consults.conf``)."""

    institution = models.OneToOneField(
        "accounts.Institution",
        verbose_name=_("expert centre"),
        on_delete=models.CASCADE,
        related_name="consult_turnaround",
    )
    routine_hours = models.PositiveIntegerField(
        _("routine target (hours)"),
        default=_default_routine_hours,
        validators=[MinValueValidator(1)],
    )
    urgent_hours = models.PositiveIntegerField(
        _("urgent target (hours)"),
        default=_default_urgent_hours,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("consultation turnaround target")
        verbose_name_plural = _("consultation turnaround targets")

    def __str__(self) -> str:
        return f"{self.institution}: {self.routine_hours} h / {self.urgent_hours} h"

    def hours_for(self, urgency: str) -> int:
        return self.urgent_hours if urgency == Urgency.URGENT else self.routine_hours
