"""People and the hospitals they work in."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Institution(models.Model):
    """A hospital or clinic in the teaching network."""

    class Level(models.TextChoices):
        EXPERT_CENTRE = "expert_centre", _("Tertiary expert centre")
        CITY = "city", _("City hospital")
        COUNTY = "county", _("County hospital")
        TOWNSHIP = "township", _("Township clinic")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    region = models.CharField(_("region"), max_length=100, help_text=_("Province or city."))
    # A hospital with one instructor cannot review its own cases: it names the centres whose
    # instructors may review them (see ``cases.reviewers``).
    reviewed_by = models.ManyToManyField(
        "self",
        verbose_name=_("reviewing institutions"),
        symmetrical=False,
        blank=True,
        related_name="reviews_for",
        help_text=_(
            "Institutions outside this one (e.g. its expert centre) whose instructors may "
            "review this institution's cases before they are published."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return self.name


# Offered first, before the alphabetical rest: most users are in China, and the rest pick
# from ~600 zones starting at Africa/Abidjan.
CHINA_TIME_ZONE = "Asia/Shanghai"


def _timezone_choices() -> list[tuple[str, str]]:
    first = list(dict.fromkeys([settings.TIME_ZONE, CHINA_TIME_ZONE]))
    rest = sorted(zoneinfo.available_timezones() - set(first))
    return [(name, name) for name in first + rest]


class User(AbstractUser):
    """A platform account; each has exactly one role and, except site admins, an institution."""

    class Role(models.TextChoices):
        TRAINEE = "trainee", _("Trainee")
        INSTRUCTOR = "instructor", _("Instructor")
        DIRECTOR = "director", _("Programme director")
        SITE_ADMIN = "site_admin", _("Site administrator")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.TRAINEE)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, choices=_timezone_choices, blank=True
    )
    # Slow or metered links: the players' Auto quality stays at the lowest rendition.
    data_saver = models.BooleanField(_("data saver"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_site_admin(self) -> bool:
        return self.is_superuser or self.role == self.Role.SITE_ADMIN

    @property
    def is_instructor(self) -> bool:
        return self.role == self.Role.INSTRUCTOR

    @property
    def is_director(self) -> bool:
        return self.role == self.Role.DIRECTOR

    @property
    def can_author(self) -> bool:
        """Instructors author content for their institution; site admins for any."""
        return self.is_site_admin or (self.is_instructor and self.institution_id is not None)
