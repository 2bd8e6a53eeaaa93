"""Celery wired into the Flask app (the Flask docs' pattern): tasks run in the app context."""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

#: periodic tasks; features add entries here as they arrive
BEAT_SCHEDULE: dict = {
    "consultation-announcements": {"task": "consultations.announce_phases", "schedule": 300.0},
    "event-reminders": {"task": "events.send_reminders", "schedule": 300.0},
}


def celery_init_app(app: Flask) -> Celery:
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
            "beat_schedule": BEAT_SCHEDULE,
            "imports": ["m100hub.mail", "m100hub.accounts.services",
                        "m100hub.consultations.tasks", "m100hub.events.tasks"],
        }
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def enqueue(task, *args) -> None:
    """Send ``task`` through this app's Celery (eager without Redis, queued with it)."""
    from flask import current_app

    current_app.extensions["celery"].tasks[task.name].delay(*args)
