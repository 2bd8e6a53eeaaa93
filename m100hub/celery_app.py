"""Celery wired into the Flask app (the Flask docs' pattern): tasks run in the app context."""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask, current_app

from .features import Registry

#: task modules of the shared layer; features name theirs in their ``Feature.tasks``
SHARED_TASK_MODULES = ["m100hub.mail", "m100hub.submissions"]
#: periodic tasks of the shared layer; features declare theirs in their ``Feature.beat``
SHARED_BEAT = {"submission-keys-expire": {"task": "submissions.expire", "schedule": 3600.0}}


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
            "task_acks_late": True,
            "worker_prefetch_multiplier": 1,
            "broker_connection_retry_on_startup": True,
            "timezone": "UTC",
            "beat_schedule": {**SHARED_BEAT, **registry.beat_schedule()},
            "imports": [*SHARED_TASK_MODULES, *registry.task_modules()],
        }
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def tasks_run_in_process() -> bool:
    """Whether tasks run where they are sent (no Redis: eager) rather than in a worker."""
    return bool(current_app.extensions["celery"].conf.task_always_eager)


def enqueue(task, *args) -> None:
    """Send ``task`` through this app's Celery (eager without Redis, queued with it)."""
    current_app.extensions["celery"].tasks[task.name].delay(*args)
