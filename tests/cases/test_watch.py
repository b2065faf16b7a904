"""Watch time from player heartbeats: real playback counts, a big claimed number does not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import CaseWatch
from tests.cases.factories import CaseFactory, ReadyLoopFactory
from tests.factories import api_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_loops(hospital):
    """A case with loops of 30 s and 10 s: 36 s of real playback make it reviewed."""
    loops = [ReadyLoopFactory(institution=hospital, duration_s=d) for d in (30.0, 10.0)]
    return CaseFactory(institution=hospital, loops=loops), loops


def beat(case, user, loop, played, at, position=0.0):
    return services.watch_heartbeat(
        case=case, user=user, loop_id=loop.pk, played_s=played, position_s=position, now=at
    )


def test_real_playback_makes_a_case_reviewed(trainee, two_loops):
    case, (long, short) = two_loops
    start = timezone.now()
    state = None
    for n in range(1, 7):  # 30 s of the long loop in 5 s beats
        state = beat(case, trainee, long, 5.0, start + timedelta(seconds=5 * n), 5.0 * n)
    assert (state.watched_s, state.required_s, state.reviewed) == (30.0, 36.0, False)
    for n in range(7, 9):
        state = beat(case, trainee, short, 5.0, start + timedelta(seconds=5 * n))
    assert state.watched_s == 40.0 and state.reviewed is True
    watch = CaseWatch.objects.get(user=trainee, case=case)
    assert watch.reviewed_at is not None and watch.positions == {
        str(long.pk): 30.0,
        str(short.pk): 0.0,
    }


def test_one_big_claim_is_capped_by_the_clock(trainee, two_loops):
    case, (long, short) = two_loops
    now = timezone.now()

    first = beat(case, trainee, long, 1000.0, now)  # no previous beat: at most 10 s
    second = beat(case, trainee, short, 1000.0, now + timedelta(seconds=3))  # 3 s + 2 s slack

    assert first.watched_s == 10.0
    assert second.watched_s == 15.0 and not second.reviewed


def test_parallel_tabs_cannot_double_the_time(trainee, two_loops):
    case, (long, _short) = two_loops
    now = timezone.now()
    beat(case, trainee, long, 5.0, now)
    later = now + timedelta(seconds=5)

    beat(case, trainee, long, 5.0, later)
    state = beat(case, trainee, long, 5.0, later)  # a second tab, same instant

    assert state.watched_s == 5.0 + 5.0 + 2.0  # the second beat earns only the tolerance


def test_replaying_one_loop_counts_at_most_its_duration(trainee, two_loops):
    case, (_long, short) = two_loops
    now = timezone.now()
    state = None
    for n in range(20):  # 100 s on the 10 s loop
        state = beat(case, trainee, short, 5.0, now + timedelta(seconds=5 * n))
    assert state.watched_s == 10.0 and not state.reviewed


def test_a_long_pause_does_not_credit_the_pause(trainee, two_loops):
    case, (long, _short) = two_loops
    now = timezone.now()
    beat(case, trainee, long, 5.0, now)
    state = beat(case, trainee, long, 5.0, now + timedelta(hours=1))  # played 5 s after a pause
    assert state.watched_s == 10.0


def test_reviewed_stays_reviewed_and_is_per_user(trainee, two_loops, hospital):
    from tests.factories import TraineeFactory

    case, (long, short) = two_loops
    now = timezone.now()
    for n, loop in enumerate([long] * 6 + [short] * 2):
        beat(case, trainee, loop, 5.0, now + timedelta(seconds=5 * (n + 1)))
    other = TraineeFactory(institution=hospital)

    assert services.watch_state(case=case, user=trainee).reviewed is True
    assert services.watch_state(case=case, user=other).reviewed is False


def test_the_watch_endpoint(trainee, two_loops, hospital):
    case, (long, _short) = two_loops
    api = api_for(trainee)
    url = f"/api/v1/cases/{case.pk}/watch/"

    response = api.post(url, {"loop": long.pk, "played_s": 4.5, "position_s": 4.5}, format="json")

    assert response.status_code == 200
    assert response.json() == {"watched_s": 4.5, "required_s": 36.0, "reviewed": False}
    outsider = ReadyLoopFactory(institution=hospital)
    assert (
        api.post(
            url, {"loop": outsider.pk, "played_s": 1, "position_s": 0}, format="json"
        ).status_code
        == 400
    )
    assert (
        api.post(url, {"loop": long.pk, "played_s": -1, "position_s": 0}, format="json").status_code
        == 400
    )
    assert (
        api.post(
            url, {"loop": long.pk, "played_s": "NaN", "position_s": 0}, format="json"
        ).status_code
        == 400
    )
