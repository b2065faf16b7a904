"""The expert centre's queue and a requester's "my consultations" cost the same number of
queries whatever the number of consults (no query per row)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consults import services
from consults.selectors import centre_queue, my_agreement, my_consultations
from tests.consults.factories import ANSWER, answered, network, submit

pytestmark = pytest.mark.django_db


def _grow(net, count: int) -> None:
    """``count`` more consults of every kind: waiting, claimed, answered, urgent ones."""
    for index in range(count):
        consult = submit(net, urgency="urgent" if index % 2 else "routine")
        if index % 3 == 1:
            services.consult_claim(consult=consult, by=net["expert"])
        if index % 3 == 2:
            services.consult_claim(consult=consult, by=net["expert"])
            services.consult_answer(consult=consult, by=net["expert"], answer=dict(ANSWER))


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


@pytest.mark.parametrize(
    ("reader", "read", "expected"),
    [
        ("expert", lambda user: centre_queue(user), 2),  # the rows, the centres' targets
        ("county_trainee", lambda user: my_consultations(user), 2),  # the rows, their loops
        ("county_trainee", lambda user: my_agreement(user), 1),
    ],
    ids=["queue", "my-consultations", "my-agreement"],
)
def test_query_count_does_not_grow_with_the_consults(
    reader, read, expected, django_assert_num_queries
):
    net = network()
    answered(net)
    submit(net)
    user = net[reader]
    with django_assert_num_queries(expected):
        small = read(user)
    _grow(net, 9)
    with django_assert_num_queries(expected):
        large = read(user)
    assert len(large) > len(small) if isinstance(large, list) else large.overall.pairs > 1


def test_the_queue_puts_urgent_first_then_the_longest_waiting(later):
    net = network()
    routine_old = submit(net, now=later(hours=-30))
    urgent_new = submit(net, now=later(hours=-1), urgency="urgent")
    urgent_old = submit(net, now=later(hours=-30), urgency="urgent")
    routine_new = submit(net, now=later(hours=-2))
    answered(net)  # answered: not in the queue

    queue = centre_queue(net["expert"], now=later())
    assert [item.consult.pk for item in queue] == [
        urgent_old.pk,
        urgent_new.pk,
        routine_old.pk,
        routine_new.pk,
    ]
    # Default targets: urgent 24 h, routine 72 h.
    assert [item.overdue for item in queue] == [True, False, False, False]
    assert queue[0].consult.loop_count == len(net.loops)


def test_a_centres_own_targets_flag_what_is_overdue(later):
    from consults.models import CentreTurnaround

    net = network()
    CentreTurnaround.objects.create(institution=net.centre, routine_hours=4, urgent_hours=1)
    consult = submit(net, now=later(hours=-5))
    (item,) = centre_queue(net["expert"], now=later())
    assert (item.consult.pk, item.target_hours, item.overdue) == (consult.pk, 4, True)
    assert item.due_at == later(hours=-1)


def test_the_queue_is_the_centres_alone():
    net = network()
    submit(net)
    for role in ("county_instructor", "other_instructor", "centre_trainee"):
        assert centre_queue(net[role]) == []
    assert len(centre_queue(net["centre_director"])) == 1
    assert len(centre_queue(net["site_admin"])) == 1
