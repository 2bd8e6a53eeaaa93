"""``python -m m100hub.devserver``: what ``make run`` serves.

The hub with Socket.IO on http://127.0.0.1:5000 and, when Redis answers, a Celery worker with
beat beside it; without Redis, tasks run in-process and the console says so.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

from . import create_app
from .extensions import socketio


def start_worker(app) -> subprocess.Popen | None:
    if not app.config["USE_REDIS"]:
        print("Redis does not answer at REDIS_URL: this one process runs without it (tasks "
              "inside it, rate limits in memory); restart `make run` once Redis runs.",
              flush=True)
        return None
    print(f"Redis answers at {app.config['REDIS_URL']}: starting a Celery worker with beat.",
          flush=True)
    schedule = os.path.join(app.instance_path, "celerybeat-schedule")
    return subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "celery", "-A", "celery_worker", "worker", "--beat",
         "--loglevel=INFO", "--concurrency=2", "--schedule", schedule],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def redis_answers() -> bool:
    """Whether Redis answers at REDIS_URL now: the one place that asks before deciding.
    ``make seed`` and ``make run`` (unless USE_REDIS says) use Redis when it answers, and
    else run without it — one process, tasks inside it, no worker (a laptop without Redis).
    Every other process uses Redis unless told (create_app) and reconnects when it returns."""
    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except (redis.RedisError, OSError, ValueError):
        return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    parser.add_argument("--redis-answers", action="store_true",
                        help="print 1 when Redis answers at REDIS_URL, else 0, and exit")
    args = parser.parse_args(argv)
    if args.redis_answers:
        print(int(redis_answers()))
        return
    app = create_app({} if os.environ.get("USE_REDIS") is not None
                     else {"USE_REDIS": redis_answers()})
    # End through the ``finally`` below on SIGTERM too, so the worker never outlives us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    worker = start_worker(app)
    print(f"M100 Hub on http://{args.host}:{args.port}/", flush=True)
    try:
        socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True,
                     use_reloader=False)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=20)


if __name__ == "__main__":
    main()
