"""Numbers that decide behaviour in consultations, overridable from Django settings."""

from __future__ import annotations

from django.conf import settings

# Hours from submission to answer a centre commits to when it has set no target of its own
# (``CentreTurnaround``): routine and urgent requests.
DEFAULT_TARGET_HOURS = {"routine": 72, "urgent": 24}
# Cohen's kappa is given only from this many readings with a category on both sides: below
# it the figure swings too much to say anything about a reader (percent agreement is given
# from the first pair).
KAPPA_MIN_PAIRS = 10


def default_target_hours() -> dict[str, int]:
    return dict(getattr(settings, "CONSULTS_DEFAULT_TARGET_HOURS", DEFAULT_TARGET_HOURS))


def kappa_min_pairs() -> int:
    return int(getattr(settings, "CONSULTS_KAPPA_MIN_PAIRS", KAPPA_MIN_PAIRS))


# At most this many loops in one request, and files uploaded with it.
MAX_LOOPS = 20
MAX_UPLOADS = 10
# Characters of free text: a question, an impression, a report — not a record archive.
MAX_TEXT = 5000

# Two wash-out onsets this close (seconds) count as the same finding in a comparison.
WASHOUT_ONSET_TOLERANCE_S = 15.0


def washout_onset_tolerance_s() -> float:
    return float(getattr(settings, "CONSULTS_WASHOUT_ONSET_TOLERANCE_S", WASHOUT_ONSET_TOLERANCE_S))
