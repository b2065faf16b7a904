# ruff: noqa: RUF001 -- Chinese punctuation
"""The live teaching demo: ``instructor`` of the expert centre taught the network two days ago
on the demo cases, and teaches again tomorrow.

The finished session is made through the real services (``live.services``), its events spread
over twenty minutes: the trainees join, the host shows a loop, plays, pauses, steps frames,
points and draws, reveals the case's annotations, opens a hotspot poll on the frame that
several trainees answer, closes and reveals it, switches to the second case's loop, takes
questions (up-voted, one answered) and ends — so its replay holds events of each kind and its
attendance counts towards "live teaching hours". The session of tomorrow carries an agenda of
the same cases and a conference link. No loop is added: the demo cases' loops are reused.
No e-mail is sent (``core.mail.muted``). Run by ``load_demo_data`` last (``demo.loaders``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.models import Annotation, Case, CaseLoop
from cineloops.models import CineLoop
from core.mail import muted
from demo.allowed import ensure_allowed
from live import services
from live.models import LiveSession
from live.services.scheduling import showable_cases

HOST = "instructor"
TRAINEES = ("trainee", "demo-trainee-1", "demo-trainee-2", "county-instructor")
CONFERENCE = "https://meet.example.org/ceus-live-demo"

FINISHED = {
    "title_en": "Arterial phase patterns: rim or non-rim?",
    "title_zh_hans": "动脉期增强模式：环状还是非环状？",
    "description_en": "A walk through two liver nodules, with a poll on the image.",
    "description_zh_hans": "两例肝脏结节的动态讲解，并在图像上进行投票。",
}
TOMORROW = {
    "title_en": "Wash-out timing in practice",
    "title_zh_hans": "廓清时间的实践判读",
    "description_en": "Late-phase wash-out: when it counts and how to time it.",
    "description_zh_hans": "延迟期廓清：何时有意义，如何计时。",
}
QUESTIONS = (
    ("demo-trainee-1", "How do you tell rim enhancement from a thin capsule?"),
    ("trainee", "Does the mechanical index change what we see in the arterial phase?"),
)


def _demo_cases(host: User) -> list[Case]:
    """Published demo cases the host may show, each with a playable loop (at most two)."""
    playable = CineLoop.objects.filter(status=CineLoop.Status.READY, frames__gt=1, fps__gt=0)
    with_loops = CaseLoop.objects.filter(loop__in=playable).values("case_id")
    return list(showable_cases(host).filter(pk__in=with_loops).order_by("pk")[:2])


def _first_loop(case: Case) -> CineLoop:
    link = (
        CaseLoop.objects.filter(case=case, loop__status=CineLoop.Status.READY, loop__fps__gt=0)
        .select_related("loop")
        .order_by("order", "pk")
        .first()
    )
    assert link is not None  # _demo_cases chose cases with one
    return link.loop


def load_demo_live(*, now: datetime | None = None) -> str:
    """Create the live teaching demo; returns a line for the console. Adds nothing when any
    session exists, or the demo instructor or the demo cases are missing."""
    ensure_allowed()
    if LiveSession.objects.exists():
        return "Live sessions already exist: demo live sessions not loaded."
    host = User.objects.filter(username=HOST, institution__isnull=False).first()
    if host is None:
        return "Demo instructor missing: demo live sessions not loaded."
    cases = _demo_cases(host)
    if not cases:
        return "No demo case to show: demo live sessions not loaded."
    trainees = list(User.objects.filter(username__in=TRAINEES).order_by("username"))
    now = now or timezone.now()
    with muted(), transaction.atomic():
        finished = _finished(host, trainees, cases, now - timedelta(days=2))
        tomorrow = (now + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
        upcoming = services.session_create(
            by=host,
            starts_at=tomorrow,
            planned_end=tomorrow + timedelta(hours=1),
            conference_url=CONFERENCE,
            agenda=[{"case": case.pk} for case in cases],
            **TOMORROW,
        )
    return (
        f"Demo live sessions loaded: #{finished.pk} finished with its replay "
        f"({finished.events.count()} events), #{upcoming.pk} tomorrow ({HOST} hosts)."
    )


def _finished(host: User, trainees: list[User], cases: list[Case], t0: datetime) -> LiveSession:
    session = services.session_create(
        by=host,
        starts_at=t0,
        planned_end=t0 + timedelta(minutes=30),
        conference_url=CONFERENCE,
        agenda=[{"case": case.pk} for case in cases],
        **FINISHED,
    )

    def at(seconds: float) -> datetime:
        return t0 + timedelta(seconds=seconds)

    def act(seconds: float, **action) -> None:
        services.apply_host_action(session=session, by=host, action=action, now=at(seconds))

    services.session_start(session=session, by=host, now=at(0))
    services.attendance_join(session=session, user=host, now=at(0))
    for n, trainee in enumerate(trainees):
        services.attendance_join(session=session, user=trainee, now=at(20 + 15 * n))
    loop = _first_loop(cases[0])
    act(60, action="loop", loop=loop.pk)
    act(75, action="play", frame=0)
    act(105, action="pause", frame=min(loop.frames - 1, int(loop.fps * 30)))
    act(120, action="step", frames=5)
    act(130, action="step", frames=-2)
    for k, (x, y) in enumerate(((0.45, 0.5), (0.5, 0.52), (0.55, 0.5), (0.52, 0.46))):
        act(140 + k, action="pointer", x=x, y=y)
    act(150, action="draw", points=[[0.4, 0.45], [0.48, 0.42], [0.56, 0.47], [0.5, 0.55]])
    for k, annotation in enumerate(Annotation.objects.filter(case=cases[0], loop=loop)[:3]):
        act(170 + 10 * k, action="reveal", annotation=annotation.pk)
    _hotspot_poll(session, host, trainees, loop, at)
    act(480, action="clear")
    act(490, action="rate", rate=0.5)
    act(500, action="play", frame=0)
    act(560, action="ab", ab=[0, max(1, loop.frames // 3)])
    act(620, action="ab", ab=None)
    second = _first_loop(cases[-1])
    act(660, action="loop", loop=second.pk)
    act(680, action="play", frame=0)
    act(760, action="seek", frame=second.frames // 2)
    act(770, action="pause", frame=second.frames // 2)
    _questions(session, host, trainees, at)
    for n, trainee in enumerate(trainees):
        services.attendance_leave(session=session, user=trainee, visible=True, now=at(1150 + n))
    services.session_end(session=session, by=host, now=at(1200))
    session.refresh_from_db()
    return session


def _hotspot_poll(session, host, trainees, loop: CineLoop, at) -> None:
    columns, rows = loop.columns or 640, loop.rows or 480
    spec = {
        "kind": "hotspot",
        "prompt": "Click the lesion's arterial rim.",
        "key": {
            "kind": "ellipse",
            "geometry": {"cx": columns / 2, "cy": rows / 2, "rx": columns / 8, "ry": rows / 8},
        },
    }
    poll = services.poll_open(session=session, by=host, spec=spec, now=at(240))
    poll_id = poll.payload["poll"]["id"]
    clicks = ((0.5, 0.5), (0.53, 0.47), (0.48, 0.55), (0.2, 0.3))
    for n, (trainee, (x, y)) in enumerate(zip(trainees, clicks, strict=False)):
        services.poll_answer(
            session=session, by=trainee, poll=poll_id, value={"x": x, "y": y}, now=at(260 + 9 * n)
        )
    services.poll_close(session=session, by=host, now=at(330))
    services.poll_reveal(session=session, by=host, poll=poll_id, now=at(345))


def _questions(session, host, trainees, at) -> None:
    people = {t.username: t for t in trainees}
    asked = []
    for n, (username, text) in enumerate(QUESTIONS):
        if username in people:
            event = services.question_ask(
                session=session, by=people[username], text=text, now=at(800 + 40 * n)
            )
            asked.append(event.payload["question"]["id"])
    for question in asked:
        for trainee in trainees:
            try:
                services.question_upvote(session=session, by=trainee, question=question)
            except services.LiveError:  # the asker cannot up-vote their own question
                continue
    if asked:
        services.question_answered(session=session, by=host, question=asked[0], now=at(900))
