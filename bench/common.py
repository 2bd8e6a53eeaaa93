"""Benchmark helpers: a scratch database, gunicorn on loopback, a small load generator.

Figures drift on a shared machine; every benchmark measures the minimal Flask page in the
same run and reports ratios.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_database_url(tmp: Path) -> str:
    """BENCH_DATABASE_URL, or a scratch PostgreSQL database when PostgreSQL answers, or SQLite."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    from sqlalchemy import create_engine, text

    base = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    try:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS m100_bench"))
            conn.execute(text("CREATE DATABASE m100_bench"))
        admin.dispose()
        return base.rsplit("/", 1)[0] + "/m100_bench"
    except Exception:  # noqa: BLE001 (no PostgreSQL here: fall back to SQLite)
        return f"sqlite:///{tmp / 'bench.sqlite3'}"


def bench_env(database_url: str) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "USE_REDIS": "0",
            "SECRET_KEY": "bench-secret", "RATELIMIT_ENABLED": "0", "FLASK_APP": "wsgi.py"}


@contextmanager
def gunicorn(target: str, env: dict, workers: int = 2, threads: int = 4):
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", "gthread",
         "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         target], cwd=ROOT, env=env)
    try:
        wait_until_up(port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_until_up(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start")


def load_samples(port: int, path: str, seconds: float,
                 concurrency: int = 8) -> tuple[list[float], float, int]:
    """Keep-alive GETs from ``concurrency`` threads for ``seconds``: (the successful requests'
    latencies, the seconds taken, the failed requests)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept-Language": "ro"})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            if ok:
                mine.append(time.perf_counter() - started)
            else:
                with lock:
                    errors += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.monotonic() - began, errors


def latency_figures(latencies: list[float], elapsed: float) -> dict:
    """Requests/s over ``elapsed`` seconds, and p50/p99 (ms) of the successful requests."""
    latencies = sorted(latencies)
    return {
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2) if latencies else None,
    }


def migrate(env: dict) -> None:
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)


def query_counts(app, pages: dict[str, str]) -> dict[str, int]:
    """SQL statements each page makes (name → path), through the app's test client: with the
    page caches empty, and (``<name>_cached``) asked again at once — what an anonymous reader
    of a cached page costs."""
    from sqlalchemy import event

    from m100hub.extensions import db
    from m100hub.page_cache import pages_cache

    with app.app_context():
        engine = db.engine
    client, statements, counts = app.test_client(), [], {}

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for name, path in pages.items():
            pages_cache.clear()
            statements.clear()
            assert client.get(path).status_code == 200, path
            counts[name] = len(statements)
            statements.clear()
            assert client.get(path).status_code == 200, path
            counts[f"{name}_cached"] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counts


def scratch_app():
    """(app, env, database url): a migrated scratch database and an app on it."""
    import tempfile

    url = bench_database_url(Path(tempfile.mkdtemp(prefix="m100-bench-")))
    env = bench_env(url)
    os.environ.update({k: v for k, v in env.items() if k != "FLASK_APP"})
    migrate(env)
    from m100hub import create_app

    return create_app(), env, url


def analyse(database_url: str) -> None:
    """The planner's statistics after the bulk load, as autovacuum would gather them in a
    running installation (else PostgreSQL plans for tables it believes empty)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


#: how many alternations of the minimal page and a page of the hub make one measure
ROUNDS = 5


def against_minimal(env: dict, pages: dict[str, str], seconds: float) -> dict:
    """Each page of the hub against the minimal Flask page, both served the same way and
    measured in alternation (ROUNDS short rounds of each), so that a change in the shared
    machine's speed during the run weighs on both sides of the ratio alike."""
    analyse(env["DATABASE_URL"])
    minimal_env = {**env, "PYTHONPATH": str(Path(__file__).parent)}
    results, baseline = {}, ([], 0.0, 0)
    with gunicorn("minimal_app:app", minimal_env) as minimal, gunicorn("wsgi:app", env) as hub:
        for name, path in pages.items():
            sides = {"minimal": ([], 0.0, 0), name: ([], 0.0, 0)}
            for _ in range(ROUNDS):
                for side, port, address in (("minimal", minimal, "/"), (name, hub, path)):
                    latencies, elapsed, errors = load_samples(port, address, seconds / ROUNDS)
                    before = sides[side]
                    sides[side] = (before[0] + latencies, before[1] + elapsed,
                                   before[2] + errors)
            figures = {**latency_figures(*sides[name][:2]), "errors": sides[name][2]}
            versus = latency_figures(*sides["minimal"][:2])
            figures["minimal_requests_per_s"] = versus["requests_per_s"]
            figures["ratio_to_minimal"] = round(
                figures["requests_per_s"] / versus["requests_per_s"], 3)
            results[name] = figures
            baseline = tuple(a + b for a, b in zip(baseline, sides["minimal"], strict=True))
    results["minimal"] = {**latency_figures(*baseline[:2]), "errors": baseline[2]}
    return {"minimal": results.pop("minimal"), **results}


def wrk(port: int, path: str, seconds: float, headers: dict[str, str] | None = None,
        threads: int = 2, connections: int = 8) -> dict:
    """Throughput and latency from wrk (Debian's package: a load generator in C, so that the
    client is not the bottleneck on two cores): requests/s, p50/p99 in ms, non-2xx answers."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(int(seconds), 1)}s",
               "--latency", "-H", "Accept-Language: ro"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True,
                         text=True, check=True).stdout
    figures = {"requests_per_s": float(_wrk_field(out, r"Requests/sec:\s+([\d.]+)")),
               "p50_ms": _wrk_ms(_wrk_field(out, r"\s50%\s+([\d.]+\w+)")),
               "p99_ms": _wrk_ms(_wrk_field(out, r"\s99%\s+([\d.]+\w+)"))}
    bad = _wrk_field(out, r"Non-2xx or 3xx responses:\s+(\d+)", "0")
    figures["errors"] = int(bad)
    return figures


def _wrk_field(out: str, pattern: str, default: str | None = None) -> str:
    found = re.search(pattern, out)
    if found is None:
        if default is not None:
            return default
        raise RuntimeError(f"wrk printed no {pattern!r}:\n{out}")
    return found.group(1)


def _wrk_ms(value: str) -> float:
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
    number = value.rstrip("usm")
    return round(float(number) * units[value[len(number):]], 2)
