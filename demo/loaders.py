"""What ``load_demo_data`` runs after the courses (``demo.courses.load_demo_data``): one
loader per domain, each in its own transactions, returning a line for the console.

The order is what each needs of the ones before: the quizzes ask about the demo cases; the
certification programme counts the course, the cases, the exam and its past attempts; the
consultations need the demo trainee and instructor (their teaching case comes after the
demo cases, which load only into a library without cases); the live sessions teach the demo
cases.
"""

from __future__ import annotations

from collections.abc import Callable

from demo.allowed import ensure_allowed
from demo.cases import load_demo_cases
from demo.certification import load_demo_certification
from demo.consults import load_demo_consults
from demo.live import load_demo_live
from demo.quizzes import load_demo_quizzes


def _load_demo_cases() -> str:
    created = load_demo_cases()
    return "Demo cases loaded." if created else "Cases already exist: demo cases not loaded."


LOADERS: tuple[Callable[[], str], ...] = (
    _load_demo_cases,
    load_demo_quizzes,
    load_demo_certification,
    load_demo_live,
    load_demo_consults,
)


def run_demo_loaders() -> list[str]:
    ensure_allowed()
    return [loader() for loader in LOADERS]
