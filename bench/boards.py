"""Live boards under load: 500 Socket.IO clients (WebSocket transport) on one board, spread
over two web processes (gunicorn gthread, as `make serve`) sharing Redis as the message
queue; card moves sent through the first process.

(a) steady: RATE moves per second for SECONDS seconds; for each change, the time from
    sending it until every client has it (p50/p95/p99 ms), and per delivery;
(b) sustained: WRITERS writers move cards back to back for SECONDS seconds: changes per
    second that reached every client;
and the same two against a bare python-socketio broadcast server (bench/boards_bare.py,
same topology, no database) in the same run: the ceiling. Prints one JSON line.
Clients run in LISTENER_PROCESSES processes of their own (threads: python-socketio's
client), each reporting when it received each version; one clock (this machine).
Aim (issue 13): p95 < 150 ms, p99 < 300 ms, sustained >= half the bare server's.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from common import BIN, ROOT, free_port, scratch_app, sessions, wait_until_up

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "500"))
RATE = float(os.environ.get("BENCH_RATE", "20"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WRITERS = int(os.environ.get("BENCH_WRITERS", "4"))
LISTENER_PROCESSES = int(os.environ.get("BENCH_LISTENER_PROCESSES", "2"))
THREADS = int(os.environ.get("BENCH_WEB_THREADS", str(CLIENTS // 2 + 50)))
AGENT = "m100-bench"
HERE = Path(__file__).parent


def seed(app) -> tuple[int, list[int], list[int], int]:
    """A public board on a workshop with 3 columns and 30 cards; (board, columns, cards,
    facilitator id)."""
    from m100hub.boards import cards, services
    from m100hub.boards.models import BoardAccess
    from m100hub.boards.queries import columns
    from m100hub.extensions import db
    from tests.support import event_factories as ef
    from tests.support import factories

    with app.test_request_context():
        organiser = factories.person("admin")  # confirmed, terms accepted
        event = ef.event(organiser=organiser, city_slug=None)
        board = services.create_board(event, organiser, "Bench", BoardAccess.PUBLIC,
                                      "challenges", 5, False)
        column_ids = [c.id for c in columns(board.id)]
        card_ids = [cards.add_card(board.id, organiser, column_ids[n % 3], f"Card {n}",
                                   "yellow", f"seed-{n}")["data"]["card"]["id"]
                    for n in range(30)]
        db.session.commit()
        return board.id, column_ids, card_ids, organiser.id


def serve(stack: ExitStack, target: str, env: dict) -> str:
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "1", "--worker-class", "gthread", "--threads",
         str(THREADS), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", target],
        cwd=ROOT, env=env)
    stack.callback(lambda: stop(process))
    wait_until_up(port) if target == "wsgi:app" else time.sleep(3)
    return f"http://127.0.0.1:{port}"


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:  # WebSockets still open: gunicorn waits for them
        process.kill()
        process.wait()


LISTENER = r'''
import json, sys, threading, time
import socketio
urls, board, count = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
CONNECTING = 25
received = {}
lock = threading.Lock()
clients = []
def make(url):
    client = socketio.Client(reconnection=False)
    mine = {}
    def on_change(change):
        mine[change["version"]] = time.time()
    with lock:
        received[id(client)] = mine
    client.on("change", on_change, namespace="/boards")
    client.connect(url, namespaces=["/boards"], transports=["websocket"], wait_timeout=30,
                   headers={"User-Agent": "m100-bench"})
    assert client.call("join", {"board": board}, namespace="/boards", timeout=30)["ok"]
    clients.append(client)
from concurrent.futures import ThreadPoolExecutor
with ThreadPoolExecutor(CONNECTING) as pool:
    list(pool.map(make, [urls[n % len(urls)] for n in range(count)]))
print("READY", flush=True)
sys.stdin.readline()
time.sleep(2)
for c in clients:  # first: no change arrives while the times are written out
    c.disconnect()
print(json.dumps([{str(v): t for v, t in r.items()} for r in received.values()]), flush=True)
'''


def listeners(urls: list[str], board: int) -> list[subprocess.Popen]:
    per = CLIENTS // LISTENER_PROCESSES
    made = []
    for n in range(LISTENER_PROCESSES):
        process = subprocess.Popen(
            [sys.executable, "-c", LISTENER, json.dumps(urls[n % 2:] + urls[:n % 2]),
             str(board), str(per)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        made.append(process)
    for process in made:
        assert process.stdout.readline().strip() == "READY"
    return made


def collect(processes) -> list[dict[int, float]]:
    results = []
    for process in processes:
        process.stdin.write("\n")
        process.stdin.flush()
        results.extend({int(v): t for v, t in r.items()}
                       for r in json.loads(process.stdout.readline()))
        process.wait(timeout=60)
    return results


def writer(url: str, cookie: tuple[str, str] | None):
    import socketio

    client = socketio.Client(reconnection=False)
    headers = {"User-Agent": AGENT}
    if cookie:
        headers["Cookie"] = f"{cookie[0]}={cookie[1]}"
    client.connect(url, namespaces=["/boards"], transports=["websocket"], headers=headers,
                   wait_timeout=30)
    return client


def moves(client, board: int, columns: list[int], cards: list[int], n: int, seq: int) -> dict:
    return {"board": board, "card": cards[n % len(cards)], "column": columns[n % 3],
            "after": None, "seq": seq}


def steady(client, board, columns, cards) -> dict[int, float]:
    """RATE moves a second; version → when it was sent."""
    sent: dict[int, float] = {}
    total = int(RATE * SECONDS)
    start = time.time()
    for n in range(total):
        time.sleep(max(0.0, start + n / RATE - time.time()))
        at = time.time()
        answer = client.call("card.move", moves(client, board, columns, cards, n, 10**6 + n),
                             namespace="/boards", timeout=30)
        if answer.get("ok"):
            sent[answer["version"]] = at
        elif n == 0:
            print("refused:", answer, file=sys.stderr)
    return sent


def sustained(clients, board, columns, cards) -> tuple[dict[int, float], float]:
    sent: dict[int, float] = {}
    lock = threading.Lock()
    stop = time.time() + SECONDS

    def run(k, client):
        n = 0
        while time.time() < stop:
            at = time.time()
            answer = client.call("card.move", moves(client, board, columns, cards, n * WRITERS
                                                    + k, 2 * 10**6 + n * WRITERS + k),
                                 namespace="/boards", timeout=30)
            n += 1
            if answer.get("ok"):
                with lock:
                    sent[answer["version"]] = at
    threads = [threading.Thread(target=run, args=(k, c)) for k, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sent, SECONDS


def figures(sent: dict[int, float], received: list[dict[int, float]]) -> dict:
    everyone, each = [], []
    complete = 0
    for version, at in sent.items():
        times = [r[version] for r in received if version in r]
        each.extend(t - at for t in times)
        if len(times) == len(received):
            complete += 1
            everyone.append(max(times) - at)

    def pct(values, p):
        values = sorted(values)
        return round(values[min(len(values) - 1, int(len(values) * p))] * 1000, 1) \
            if values else None
    return {"changes": len(sent), "reached_everyone": complete,
            "all_p50_ms": pct(everyone, 0.5), "all_p95_ms": pct(everyone, 0.95),
            "all_p99_ms": pct(everyone, 0.99),
            "delivery_p50_ms": round(statistics.median(each) * 1000, 1) if each else None}


def run(target: str, env: dict, board, columns, cards, cookie) -> dict:
    with ExitStack() as stack:
        urls = [serve(stack, target, env), serve(stack, target, env)]
        watching = listeners(urls, board)  # the same clients watch both phases
        one = writer(urls[0], cookie)
        steady_sent = steady(one, board, columns, cards)
        many = [writer(urls[0], cookie) for _ in range(WRITERS)]
        burst_sent, seconds = sustained(many, board, columns, cards)
        received = collect(watching)
        steady_received = burst_received = received
        for client in [one, *many]:
            client.disconnect()
    burst = figures(burst_sent, burst_received)
    burst["changes_per_s"] = round(burst["reached_everyone"] / seconds, 1)
    return {"steady": figures(steady_sent, steady_received), "sustained": burst}


def main() -> None:
    app, env, _url = scratch_app()
    if env["USE_REDIS"] != "1":
        raise SystemExit("bench/boards.py needs Redis (BENCH_REDIS_URL): the two processes "
                         "share it as the Socket.IO message queue")
    board, columns, cards, organiser = seed(app)
    cookie_value = sessions(app, [organiser], AGENT)[0][0]
    cookie = (app.config["SESSION_COOKIE_NAME"], cookie_value)
    env = {**env, "WEB_THREADS": str(THREADS), "PYTHONPATH": str(HERE)}
    hub = run("wsgi:app", env, board, columns, cards, cookie)
    bare = run("boards_bare:app", env, board, columns, cards, None)
    ratio = (round(hub["sustained"]["changes_per_s"] / bare["sustained"]["changes_per_s"], 3)
             if bare["sustained"]["changes_per_s"] else None)
    print(json.dumps({"clients": CLIENTS, "processes": 2, "rate_per_s": RATE,
                      "seconds": SECONDS, "writers": WRITERS, "hub": hub, "bare": bare,
                      "sustained_ratio_to_bare": ratio}))


if __name__ == "__main__":
    main()
