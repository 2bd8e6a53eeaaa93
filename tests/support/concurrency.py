"""Work released at once in many threads, each in a writing request of its own, on an app
whose database the test owns (a scratch database: the threads commit)."""

from __future__ import annotations

import threading

from m100hub.extensions import db

THREADS = 20


def run_at_once(app, work, n: int = THREADS) -> list[str]:
    """``work(i)`` in n threads released together, each in a writing request of its own."""
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def one(i: int) -> None:
        with app.test_request_context(method="POST"):
            barrier.wait()
            try:
                outcomes.append(work(i))
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 (the outcome is what the test checks)
                db.session.rollback()
                outcomes.append(type(exc).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
