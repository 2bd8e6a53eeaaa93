"""Celery wired into the Flask app (the Flask docs' pattern): tasks run in the app context."""

from __future__ import annotations

from urllib.parse import urlsplit

from celery import Celery, Task
from flask import Flask, current_app
from kombu.transport import redis

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


class _Channel(redis.Channel):
    """kombu's Redis channel, which keeps the address it was opened with.

    When the worker loses Redis with a task delivered and not yet acknowledged (late ack: a
    task running or prefetched), Celery releases the broken connection and closes it again.
    By the second close kombu has let go of the connection, and the channel, giving its
    unacknowledged tasks back to Redis, looks up the address on it: an AttributeError
    (kombu 5.7; celery/kombu#582, celery/celery#10205), not a connection error, so the
    worker died for good and no task ran after Redis returned (a test run's e-mail was never
    sent). With the address kept, every late call of the channel is a Redis command like any
    other: giving the tasks back fails with a connection error, which the close ignores (they
    stay in Redis's unacked hash, and a worker's sweep puts them back in the queue after
    VISIBILITY_TIMEOUT), and a task that ends once Redis is back is acknowledged through a
    connection of the channel's own (not run a second time; closed with the channel's
    garbage)."""

    def _connparams(self, asynchronous=False):
        kept = self.__dict__.setdefault("_kept_connparams", {})
        if not kept:  # both kinds at the first call, while the connection is there
            for kind in (False, True):
                kept[kind] = super()._connparams(asynchronous=kind)
        return dict(kept[asynchronous])


class RedisTransport(redis.Transport):
    """The redis:// broker, with channels that outlive their connection (_Channel)."""

    Channel = _Channel


def _broker_transport(url: str) -> str | None:
    """This module's transport for a redis:// broker; None leaves any other scheme (rediss://,
    sentinel://: kombu's own, which set up TLS or the sentinels) to kombu."""
    return f"{__name__}:RedisTransport" if urlsplit(url).scheme == "redis" else None


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
            # see _Channel: the worker survives Redis dying under a task it has not acknowledged
            "broker_transport": _broker_transport(app.config["REDIS_URL"]),
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
