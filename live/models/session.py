"""A live teaching session: who runs it, who may join, when, and its agenda of cases and loops.

States: scheduled → live → ended, or cancelled before it starts (``TRANSITIONS``). The room's
authoritative state (``state``, a JSON object described in ``live/PROTOCOL.md``) and its
sequence number ``seq`` live on the session row: every change locks the row, applies the
change, bumps ``seq`` and records a ``LiveEvent`` (``live.services.room``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    LIVE = "live", _("Live")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class Audience(models.TextChoices):
    NETWORK = "network", _("The whole teaching network")
    INSTITUTIONS = "institutions", _("Chosen institutions")
    COHORTS = "cohorts", _("Chosen cohorts")
    CONSULT = "consult", _("The consultation's requester and experts")


TRANSITIONS: dict[str, frozenset[str]] = {
    SessionStatus.SCHEDULED: frozenset({SessionStatus.LIVE, SessionStatus.CANCELLED}),
    SessionStatus.LIVE: frozenset({SessionStatus.ENDED}),
    SessionStatus.ENDED: frozenset(),
    SessionStatus.CANCELLED: frozenset(),
}
# Sessions a client may connect to (the room) and whose agenda loops the audience sees.
OPEN_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.LIVE)


class LiveSessionQuerySet(models.QuerySet):
    def for_audience(self, user) -> LiveSessionQuerySet:
        """Sessions ``user`` may join or replay (``live.rights.audience_q``), any status."""
        from live.rights import audience_q

        return self.filter(audience_q(user))

    def upcoming(self, now) -> LiveSessionQuerySet:
        """Scheduled or live sessions not yet past their planned end, soonest first."""
        return self.filter(status__in=OPEN_STATUSES, planned_end__gt=now).order_by(
            "starts_at", "pk"
        )

    def ended(self) -> LiveSessionQuerySet:
        return self.filter(status=SessionStatus.ENDED)


class LiveSession(models.Model):
    Status = SessionStatus
    Audience = Audience

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    institution = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="live_sessions",
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("host"),
        on_delete=models.PROTECT,
        related_name="live_sessions_hosted",
    )
    co_hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-hosts"),
        blank=True,
        related_name="live_sessions_cohosted",
    )
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.NETWORK
    )
    institutions = models.ManyToManyField(
        "accounts.Institution",
        verbose_name=_("audience institutions"),
        blank=True,
        related_name="+",
    )
    cohorts = models.ManyToManyField(
        "courses.Cohort", verbose_name=_("audience cohorts"), blank=True, related_name="+"
    )
    consult = models.ForeignKey(
        "consults.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="live_sessions",
    )
    starts_at = models.DateTimeField(_("starts"))
    planned_end = models.DateTimeField(_("planned end"))
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    conference_url = models.URLField(
        _("conference link"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The conferencing tool the session's sound goes through (optional)."),
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    state = models.JSONField(_("room state"), default=dict, blank=True)
    seq = models.PositiveBigIntegerField(_("sequence number"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LiveSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        indexes = [models.Index(fields=["status", "starts_at"], name="live_status_starts")]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gt=F("starts_at")), name="live_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_live(self) -> bool:
        return self.status == SessionStatus.LIVE

    def host_ids(self) -> set[int]:
        """The host and co-hosts (one query)."""
        return {self.host_id, *self.co_hosts.values_list("pk", flat=True)}


class AgendaItem(models.Model):
    """One entry of the agenda, in order: a case (its loops may be shown) or a single loop."""

    session = models.ForeignKey(
        LiveSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="agenda"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    loop = models.ForeignKey(
        "cineloops.CineLoop",
        verbose_name=_("cine loop"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["session_id", "order", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(loop__isnull=False), name="live_agenda_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.order}"
