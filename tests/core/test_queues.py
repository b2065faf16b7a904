"""Queues by resource: each task's message lands on the queue meant for it.

Messages are published for real (kombu's in-memory transport, the app's own router and
producer) and read back from the queues, so what is checked is where a worker consuming
``-Q cine`` or ``-Q light`` would find them. ``tests/core/test_serve.py`` shows the two queues
served by two workers, the light one answering while the cine one is busy.
"""

import pytest
from django.conf import settings

from training.celery import app as celery_app
from training.tasks import CINE, LIGHT, QUEUES

from .test_tasks import PLATFORM_TASKS

# Where each task of the platform is meant to run. A new task is added here on purpose.
INTENDED = {
    "cases.tic_compute": LIGHT,
    "cases.curves_requeue_pending": LIGHT,
    "certification.evaluate_user": LIGHT,
    "certification.nightly": LIGHT,
    "cineloops.loop_process": CINE,
    "cineloops.loop_make_renditions": CINE,
    "cineloops.sweep": LIGHT,
    "cineloops.upload_finish": LIGHT,
    "cineloops.uploads_delete_expired": LIGHT,
    "consults.event_notify": LIGHT,
    "consults.notify_pending": LIGHT,
    "core.ping": LIGHT,
    "core.record_heartbeat": LIGHT,
    "live.send_reminders": LIGHT,
    "quizzes.submit_overdue_attempts": LIGHT,
}
# The keyword-only primary keys of those that take some (checked when the message is sent).
ARGUMENTS = {
    "cases.tic_compute": {"annotation_pk": 1},
    "certification.evaluate_user": {"user_pk": 1},
    "cineloops.loop_process": {"loop_pk": 1},
    "cineloops.loop_make_renditions": {"loop_pk": 1},
    "cineloops.upload_finish": {"upload_pk": "0b6e3a52-5a3e-4d8c-9d0e-2f1c1a9e7b10"},
    "consults.event_notify": {"event_pk": 1},
    "core.record_heartbeat": {"token": "t"},
}


@pytest.fixture
def broker():
    """A connection to a private in-memory broker, and what each queue holds."""
    with celery_app.connection_for_write("memory://") as connection:
        producer = celery_app.amqp.Producer(connection)

        def drain() -> dict[str, list[str]]:
            held: dict[str, list[str]] = {}
            for name in (*QUEUES, "celery"):
                queue = connection.SimpleQueue(name)
                while True:
                    try:
                        message = queue.get(block=False)
                    except queue.Empty:
                        break
                    held.setdefault(name, []).append(message.headers["task"])
                    message.ack()
                queue.close()
            return held

        yield producer, drain
        drain()


def test_every_task_has_an_intended_queue():
    assert sorted(task.name for task in PLATFORM_TASKS) == sorted(INTENDED)


@pytest.mark.parametrize("task", PLATFORM_TASKS, ids=lambda t: t.name)
def test_a_task_sent_lands_on_its_queue(task, broker):
    producer, drain = broker

    task.apply_async(kwargs=ARGUMENTS.get(task.name, {}), producer=producer)

    assert drain() == {INTENDED[task.name]: [task.name]}


@pytest.mark.parametrize("name", sorted(INTENDED))
def test_a_task_sent_by_name_lands_on_its_queue_too(name, broker):
    """What a process that never imported the task (a beat, ``send_task``) relies on."""
    producer, drain = broker

    celery_app.send_task(name, kwargs={}, producer=producer)

    assert drain() == {INTENDED[name]: [name]}


def test_an_unknown_task_goes_to_the_light_queue_not_to_one_nobody_consumes(broker):
    producer, drain = broker

    celery_app.send_task("nobody.declared_this", producer=producer)

    assert drain() == {LIGHT: ["nobody.declared_this"]}


def test_the_periodic_tasks_are_light_work():
    """A sweep or a deadline never waits behind a cine loop."""
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled and scheduled <= set(INTENDED)
    assert {INTENDED[name] for name in scheduled} == {LIGHT}


def test_a_worker_started_without_queues_consumes_both():
    """``celery -A training worker`` with no -Q (the CI's real worker, a single-machine
    deployment) consumes every declared queue."""
    # The configured queues, not ``app.amqp.queues``: sending to an undeclared queue (as the
    # worker-loss tests do) adds it there at run time.
    assert sorted(queue.name for queue in celery_app.conf.task_queues) == sorted(QUEUES)
