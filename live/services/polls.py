"""Polls on the image: the hosts open one (from the question bank or made on the spot),
participants answer while it is open (one answer each, changeable), the hosts close it (its
results are kept) and reveal the key when they choose.

Grading reuses the quiz scorer (``quizzes.scoring.score_response``): a poll's key has the shape
of a bank question's, and a hotspot click (normalised 0-1) is scored in the loop's pixels.

Public functions (keyword-only):
    poll_open(*, session, by, spec, now=None) -> LiveEvent
    poll_answer(*, session, by, poll, value, now=None) -> PollAnswer
    poll_close(*, session, by, now=None) -> LiveEvent
    poll_reveal(*, session, by, poll, now=None) -> LiveEvent
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from cases.geometry import ROI_KINDS, clean_geometry
from cineloops.models import CineLoop
from core.locking import lock
from live import conf, rights
from live.clock import epoch_ms
from live.models import Attendance, EventKind, LiveEvent, LiveSession, Poll, PollAnswer, PollKind
from live.services import state as room_state
from live.services.errors import LiveError
from live.services.events import locked_for_host, now_or, record
from quizzes.models import Question, QuestionKind
from quizzes.scoring import score_response

# Bank question kinds a poll can ask, and the poll kind each becomes.
BANK_KINDS = {
    QuestionKind.SINGLE: PollKind.CHOICE,
    QuestionKind.TRUE_FALSE: PollKind.CHOICE,
    QuestionKind.MULTIPLE: PollKind.CHOICE,
    QuestionKind.HOTSPOT: PollKind.HOTSPOT,
    QuestionKind.TIME_POINT: PollKind.TIME_POINT,
}


def poll_open(*, session: LiveSession, by, spec: Any, now: datetime | None = None) -> LiveEvent:
    """Open a poll on the loop shown (and its current frame): ``spec`` is ``{"question": id}``
    (a bank question ``by`` may see) or an on-the-spot poll (see ``live/PROTOCOL.md``)."""
    from live.selectors.polls import poll_public

    now = now_or(now)
    if not isinstance(spec, dict):
        raise LiveError("invalid", _("This poll cannot be opened."))
    with transaction.atomic():
        fresh = locked_for_host(session, by)
        state = fresh.state
        if state.get("poll"):
            raise LiveError("poll_open", _("Close the open poll first."))
        loop = state.get("loop")
        frame = room_state.frame_at(state, epoch_ms(now))
        if spec.get("frame") is not None and loop:
            frame = room_state.integer(spec["frame"], "frame")
            if not 0 <= frame < loop["frames"]:
                raise LiveError("invalid", _("This frame is not on the loop."))
        fields = _from_bank(spec, by, loop) if "question" in spec else _on_the_spot(spec, loop)
        if fields["kind"] != PollKind.CHOICE and not loop:
            raise LiveError("no_loop", _("No loop is shown yet."))
        poll = Poll.objects.create(
            session=fresh,
            loop_id=loop["id"] if loop else None,
            frame=frame if loop else None,
            opened_by=by,
            opened_at=now,
            **fields,
        )
        new_state = {**state, "poll": poll.pk}
        return record(
            fresh,
            kind=EventKind.POLL_OPEN,
            by=by,
            now=now,
            payload={"poll": poll_public(poll)},
            state=new_state,
        )


def _from_bank(spec: dict[str, Any], by, loop: dict[str, Any] | None) -> dict[str, Any]:
    question_id = room_state.integer(spec.get("question"), "question")
    question = (
        Question.objects.for_user(by)
        .filter(pk=question_id, kind__in=list(BANK_KINDS))
        .prefetch_related("options")
        .first()
    )
    if question is None:
        raise LiveError("invalid", _("This question cannot be asked as a poll."))
    kind = BANK_KINDS[question.kind]
    fields: dict[str, Any] = {
        "kind": kind,
        "question": question,
        "prompt": question.prompt.strip()[: conf.MAX_TEXT] or question.title,
        "multiple": question.kind == QuestionKind.MULTIPLE,
    }
    if kind == PollKind.CHOICE:
        options = list(question.options.all())
        fields["options"] = [{"id": o.pk, "text": o.text} for o in options]
        fields["key"] = {"options": [o.pk for o in options if o.is_correct]}
        return fields
    if not loop or question.loop_id != loop["id"]:
        raise LiveError("poll_wrong_loop", _("Show this question's loop first."))
    if kind == PollKind.HOTSPOT:
        fields["key"] = dict(question.answer)
    else:
        fields["key"] = {
            "time_s": question.answer.get("time_s"),
            "tolerance": question.tolerance or 0.0,
        }
    return fields


def _on_the_spot(spec: dict[str, Any], loop: dict[str, Any] | None) -> dict[str, Any]:
    kind = spec.get("kind")
    if kind not in PollKind.values:
        raise LiveError("invalid", _("Choose the kind of poll."))
    prompt = room_state.plain_text(spec.get("prompt"), "prompt", max_length=conf.MAX_TEXT)
    fields: dict[str, Any] = {"kind": kind, "prompt": prompt, "key": {}}
    key = spec.get("key")
    if kind == PollKind.CHOICE:
        texts = spec.get("options")
        if not isinstance(texts, list) or not 2 <= len(texts) <= conf.get("MAX_POLL_OPTIONS"):
            raise LiveError("invalid", _("A choice poll needs 2 to 10 options."))
        fields["options"] = [
            {"id": n, "text": room_state.plain_text(text, "options", max_length=200)}
            for n, text in enumerate(texts, start=1)
        ]
        multiple = spec.get("multiple", False)
        if not isinstance(multiple, bool):
            raise LiveError(
                "invalid", _("“%(field)s” has a value the room cannot use.") % {"field": "multiple"}
            )
        fields["multiple"] = multiple
        if key is not None:
            fields["key"] = {"options": _choice(key, fields["options"], multiple, "key")}
    elif kind == PollKind.HOTSPOT and key is not None and loop:
        if not isinstance(key, dict) or key.get("kind") not in ROI_KINDS:
            raise LiveError("invalid", _("The key region is an ellipse or a polygon."))
        size = (loop["columns"], loop["rows"]) if loop.get("columns") else None
        try:
            geometry = clean_geometry(key["kind"], key.get("geometry"), size)
        except ValidationError as error:
            raise LiveError("invalid", error.messages[0]) from error
        fields["key"] = {"kind": key["kind"], "geometry": geometry}
    elif kind == PollKind.TIME_POINT and key is not None and loop:
        if not isinstance(key, dict):
            raise LiveError("invalid", _("The key is a time on the loop."))
        time_s = _time(key.get("time_s"), loop)
        tolerance = room_state.number(key.get("tolerance", 0), "tolerance")
        if not 0 <= tolerance <= duration_s(loop):
            raise LiveError("invalid", _("The tolerance must fit the loop."))
        fields["key"] = {"time_s": time_s, "tolerance": tolerance}
    return fields


def duration_s(loop: dict[str, Any]) -> float:
    return loop["frames"] / loop["fps"] if loop.get("fps") else 0.0


def _time(value: Any, loop: dict[str, Any]) -> float:
    time_s = room_state.number(value, "time_s")
    if not 0 <= time_s <= duration_s(loop):
        raise LiveError("invalid", _("This time is not on the loop."))
    return round(time_s, 3)


def _choice(value: Any, options: list[dict[str, Any]], multiple: bool, field: str) -> list[int]:
    ids = {option["id"] for option in options}
    if (
        not isinstance(value, list)
        or not value
        or any(isinstance(v, bool) or not isinstance(v, int) or v not in ids for v in value)
        or len(set(value)) != len(value)
        or (not multiple and len(value) != 1)
    ):
        raise LiveError("invalid", _("Choose among the poll's options."))
    return sorted(value)


# --- answering -------------------------------------------------------------------------------


def _open_poll(session: LiveSession, poll_id: Any) -> Poll:
    poll_id = room_state.integer(poll_id, "poll")
    poll = Poll.objects.filter(pk=poll_id, session=session).select_related("loop").first()
    if poll is None:
        raise LiveError("invalid", _("This poll is not in this session."))
    if not poll.is_open:
        raise LiveError("poll_closed", _("This poll is closed."))
    return poll


def clean_answer(poll: Poll, value: Any) -> dict[str, Any]:
    """The answer's value, checked against the poll (see ``PollAnswer``)."""
    if not isinstance(value, dict):
        raise LiveError("invalid", _("This answer does not fit the poll."))
    if poll.kind == PollKind.CHOICE:
        return {"options": _choice(value.get("options"), poll.options, poll.multiple, "options")}
    if poll.kind == PollKind.HOTSPOT:
        return {
            "x": room_state.unit(value.get("x"), "x"),
            "y": room_state.unit(value.get("y"), "y"),
        }
    loop = poll.loop
    descriptor = {"frames": loop.frames or 0, "fps": loop.fps or 0} if loop else {"frames": 0}
    return {"time_s": _time(value.get("time_s"), descriptor)}


def grade(poll: Poll, value: dict[str, Any]) -> bool | None:
    """Whether ``value`` matches the poll's key (None without a key), by the quiz scorer."""
    if not poll.key:
        return None
    if poll.kind == PollKind.CHOICE:
        key = set(poll.key.get("options", []))
        options = [SimpleNamespace(pk=o["id"], is_correct=o["id"] in key) for o in poll.options]
        kind = QuestionKind.MULTIPLE if poll.multiple else QuestionKind.SINGLE
        response: dict[str, Any] = (
            {"options": value["options"]} if poll.multiple else {"option": value["options"][0]}
        )
        question = _Scorable(kind, {}, None, options)
        return bool(score_response(question, response).correct)
    loop: CineLoop | None = poll.loop
    if poll.kind == PollKind.HOTSPOT:
        if loop is None or not loop.columns or not loop.rows:
            return None
        response = {"x": value["x"] * loop.columns, "y": value["y"] * loop.rows}
        question = _Scorable(QuestionKind.HOTSPOT, poll.key, None, [])
        return bool(score_response(question, response, regions=loop.regions).correct)
    question = _Scorable(QuestionKind.TIME_POINT, poll.key, poll.key.get("tolerance"), [])
    return bool(score_response(question, {"time_s": value["time_s"]}).correct)


@dataclass
class _Scorable:
    """What ``score_response`` reads of a question."""

    kind: str
    answer: dict[str, Any]
    tolerance: float | None
    choices: list[Any]
    partial_credit: bool = False
    pk: None = None

    @property
    def options(self) -> SimpleNamespace:
        return SimpleNamespace(all=lambda: self.choices)


def poll_answer(
    *, session: LiveSession, by, poll: Any, value: Any, now: datetime | None = None
) -> PollAnswer:
    """Store ``by``'s answer to the open poll (replacing their earlier one): participants only,
    not the hosts."""
    now = now_or(now)
    fresh = LiveSession.objects.get(pk=session.pk)
    if fresh.status != fresh.Status.LIVE:
        raise LiveError("not_live", _("The session is not running."))
    if not rights.may_join(by, fresh):
        raise LiveError("forbidden", _("You are not in this session's audience."))
    if rights.is_host(by, fresh):
        raise LiveError("forbidden", _("Hosts do not answer their own polls."))
    with transaction.atomic():
        target = _open_poll(fresh, poll)
        target = lock(target, of=("self",), select_related=("loop",))
        if not target.is_open:
            raise LiveError("poll_closed", _("This poll is closed."))
        cleaned = clean_answer(target, value)
        correct = grade(target, cleaned)
        try:
            with transaction.atomic():
                answer, created = PollAnswer.objects.get_or_create(
                    poll=target,
                    user=by,
                    defaults={
                        "value": cleaned,
                        "correct": correct,
                        "answered_at": now,
                        "updated_at": now,
                    },
                )
        except IntegrityError:  # the same user's two sockets at once: the other one won
            answer, created = PollAnswer.objects.get(poll=target, user=by), False
        if created:
            Attendance.objects.filter(session=fresh, user=by).update(
                poll_answers=F("poll_answers") + 1
            )
        else:
            answer.value, answer.correct, answer.updated_at = cleaned, correct, now
            answer.save(update_fields=["value", "correct", "updated_at"])
    return answer


# --- closing and revealing -------------------------------------------------------------------


def close_open_poll(session: LiveSession, *, by, now: datetime) -> LiveEvent | None:
    """Close the locked ``session``'s open poll, keeping its results (also used on ending)."""
    from live.selectors.polls import poll_results

    poll_id = session.state.get("poll")
    if not poll_id:
        return None
    poll = lock(Poll, poll_id, of=("self",), select_related=("loop",))
    poll.closed_at = poll.closed_at or now
    poll.results = poll_results(poll)
    poll.save(update_fields=["closed_at", "results"])
    state = {**session.state, "poll": None}
    return record(
        session,
        kind=EventKind.POLL_CLOSE,
        by=by,
        now=now,
        payload={"poll": poll.pk, "results": poll.results},
        state=state,
    )


def poll_close(*, session: LiveSession, by, now: datetime | None = None) -> LiveEvent:
    now = now_or(now)
    with transaction.atomic():
        fresh = locked_for_host(session, by)
        event = close_open_poll(fresh, by=by, now=now)
        if event is None:
            raise LiveError("poll_closed", _("No poll is open."))
    return event


def poll_reveal(*, session: LiveSession, by, poll: Any, now: datetime | None = None) -> LiveEvent:
    """Show everyone the key of a closed poll (it closes first if still open), with how many
    answered right."""
    now = now_or(now)
    poll_id = room_state.integer(poll, "poll")
    with transaction.atomic():
        fresh = locked_for_host(session, by)
        if fresh.state.get("poll") == poll_id:
            close_open_poll(fresh, by=by, now=now)
        target = lock(Poll, poll_id, session=fresh, missing_ok=True)
        if target is None:
            raise LiveError("invalid", _("This poll is not in this session."))
        if not target.key:
            raise LiveError("invalid", _("This poll has no answer to reveal."))
        target.revealed_at = target.revealed_at or now
        target.save(update_fields=["revealed_at"])
        correct = target.answers.filter(correct=True).count()
        return record(
            fresh,
            kind=EventKind.POLL_REVEAL,
            by=by,
            now=now,
            payload={
                "poll": target.pk,
                "key": target.key,
                "correct": correct,
                "results": target.results,
            },
        )
