"""Celery wired into the Flask app (the Flask docs' pattern): tasks run in the app context."""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask, current_app

from .features import Registry

#: task modules of the shared layer; features name theirs in their ``Feature.tasks``
SHARED_TASK_MODULES = ["m100hub.mail", "m100hub.submissions"]
#: periodic tasks of the shared layer; features declare theirs in their ``Feature.beat``
SHARED_BEAT = {"submission-keys-expire": {"task": "submissions.expire", "schedule": 3600.0}}
#: the broker hands an unacknowledged task to another worker after this long (seconds). With
#: late acknowledgement a task is acknowledged when it ends, so this must exceed the longest
#: task (a mail batch: 100 messages, a digest batch, a fan-out) or a task still running would
#: be delivered a second time. Redis's default is an hour: a killed worker's tasks came back
#: an hour late. Nothing depends on this redelivery for e-mail: the tasks are idempotent and
#: the outbox's sweep delivers a lost task's rows once their claim (MAIL_CLAIM_SECONDS) runs
#: out.
VISIBILITY_TIMEOUT = 15 * 60
#: tasks a worker takes from Redis ahead, per pool process (unacknowledged until each ends,
#: with late acknowledgement). One left a process idle between two tasks while the worker
#: fetched the next (a round trip to Redis and the hand-over to the process): a beat's
#: thousands of digest tasks ran ~40% idle. Four keep each process fed; a worker killed
#: holds at most four per process, which come back after VISIBILITY_TIMEOUT — sooner through
#: the beat (digest runs not done after digests.RETRY_AFTER) and the outbox's sweep (e-mail
#: whose claim ran out): every task is idempotent, nothing is lost or done twice.
PREFETCH = 4


def celery_init_app(app: Flask, registry: Registry) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    eager = not app.config["USE_REDIS"]
    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(
        {
            "broker_url": app.config["REDIS_URL"],
            "result_backend": None,
            "task_ignore_result": True,
            "task_default_queue": app.config["CELERY_QUEUE"],
            "task_always_eager": eager,
            "task_eager_propagates": True,
            # acknowledge a task when it has finished, not when it is taken: a worker that
            # dies mid-task (SIGKILL, OOM, power) leaves it on the broker to be run again;
            # every task is idempotent, so a second run does no work twice
            "task_acks_late": True,
            # … and when a pool process dies under a task, give the task back (requeue)
            # rather than acknowledge it as failed: Celery acknowledges it otherwise
            "task_reject_on_worker_lost": True,
            # see PREFETCH
            "worker_prefetch_multiplier": PREFETCH,
            # see VISIBILITY_TIMEOUT
            "broker_transport_options": {"visibility_timeout": VISIBILITY_TIMEOUT},
            "broker_connection_retry_on_startup": True,
            "timezone": "UTC",
            "beat_schedule": {
                **SHARED_BEAT,
                # e-mail whose task was lost (Redis down, a worker killed), or due again
                "mail-sweep": {"task": "mail.sweep",
                               "schedule": float(app.config["MAIL_SWEEP_SECONDS"])},
                **_schedules_in_seconds(registry.beat_schedule(), app.config),
            },
            "imports": [*SHARED_TASK_MODULES, *registry.task_modules()],
        }
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def _schedules_in_seconds(beat: dict[str, dict], config) -> dict[str, dict]:
    """A beat entry's schedule is seconds, or the name of a setting that holds them (a
    period the tests shorten, as MAIL_SWEEP_SECONDS)."""
    return {name: {**entry, "schedule": float(config[entry["schedule"]])}
            if isinstance(entry["schedule"], str) else entry for name, entry in beat.items()}


def tasks_run_in_process() -> bool:
    """Whether tasks run where they are sent (no Redis: eager) rather than in a worker."""
    return bool(current_app.extensions["celery"].conf.task_always_eager)


def enqueue(task, *args) -> None:
    """Send ``task`` through this app's Celery (eager without Redis, queued with it)."""
    current_app.extensions["celery"].tasks[task.name].delay(*args)
