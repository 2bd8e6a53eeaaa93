"""Live boards under load: N Socket.IO clients (WebSocket transport) on one board, spread
over two web processes sharing Redis as the Socket.IO message queue, each started with the
production command (`gunicorn --config gunicorn.conf.py`, threading mode, as `make serve`);
card moves sent through the first process.

(a) steady: RATE moves a second for SECONDS seconds, for each RATE of BENCH_RATE (e.g.
    "5,10,20"; spread over writers, each within the hub's per-connection limit of
    sockets.RATE events a second); for each change, the time
    from sending it until every client has it (p50/p95/p99 ms), and per delivery;
(b) sustained: WRITERS writers move cards as fast as each may (the per-connection limit)
    for SECONDS seconds: changes per second that reached every client;
and the same two against a bare python-socketio broadcast server (bench/boards_bare.py,
same command, same topology, no database) in the same run: the ceiling. One JSON line per
client count (BENCH_CLIENTS: "20,100,500"), with the load average before and after.

The clients run in listener processes of their own (bench/boards_listener.mjs: Node with
socket.io-client, the client browsers use; 500 threaded python-socketio clients spent more CPU
receiving than the servers spent sending, so on two cores the load generator itself was the
bottleneck), each reporting when it received each version; one clock (this machine). They
connect in waves (BENCH_WAVE at a time, a pause between), each retried with generous
timeouts: on a loaded machine 500 joins at once made joins time out.
Aim (issue 13): p95 < 150 ms, p99 < 300 ms, sustained >= half the bare server's.

Measured 2026-12-07 (BENCH_CLIENTS=500 BENCH_RATE=5,10,20, load 1.8 before the run): the hub
p95 58 / 58 / 62 ms and p99 80 / 68 / 76 ms at 5 / 10 / 20 changes a second (bare: p95 51 /
45 / 46 ms); flat out 27.6 changes a second reached every client, 0.586 of the bare server's
47.1. Before WebSockets declined compression and the listeners were Node, the same run gave
p95 7.9 s at 20 a second (hub) and 15.8 s (bare).
"""

from __future__ import annotations

import http.client
import json
import math
import os
import statistics
import subprocess
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from common import BIN, ROOT, free_port, scratch_app, sessions

SIZES = [int(n) for n in os.environ.get("BENCH_CLIENTS", "20,100,500").split(",")]
#: steady rates (moves a second), each measured in turn on the same joined clients
RATES = [float(r) for r in os.environ.get("BENCH_RATE", "20").split(",")]
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WRITERS = int(os.environ.get("BENCH_WRITERS", "16"))
#: per writer connection, under the hub's limit (sockets.RATE: 10 a second)
WRITER_RATE = float(os.environ.get("BENCH_WRITER_RATE", "8"))
WAVE = int(os.environ.get("BENCH_WAVE", "20"))
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


def serve(stack: ExitStack, target: str, env: dict, threads: int) -> str:
    """One web process as `make serve` starts it (gunicorn.conf.py), on a port of its own."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--log-level", "warning",
         target], cwd=ROOT, env={**env, "PORT": str(port), "WEB_THREADS": str(threads)})
    stack.callback(lambda: stop(process))
    socket_io_up(port)
    return f"http://127.0.0.1:{port}"


def socket_io_up(port: int, timeout: float = 60.0) -> None:
    """Until the process answers a Socket.IO handshake (the hub and the bare server alike)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/socket.io/?EIO=4&transport=polling",
                               headers={"User-Agent": AGENT})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no Socket.IO server on port {port}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:  # WebSockets still open: gunicorn waits for them
        process.kill()
        process.wait()


LISTENER = HERE / "boards_listener.mjs"
#: clients per listener process (Node's socket.io-client: one event loop holds hundreds)
PER_LISTENER = 250


def listeners(urls: list[str], board: int, clients: int) -> tuple[list[subprocess.Popen], int]:
    """Node processes of ``clients`` joined clients (at most PER_LISTENER each), half on each
    server; and how many connection attempts failed and were retried."""
    count = max(1, math.ceil(clients / PER_LISTENER))
    made = []
    for n in range(count):
        share = clients // count + (1 if n < clients % count else 0)
        made.append(subprocess.Popen(
            ["node", str(LISTENER), json.dumps(urls[n % 2:] + urls[:n % 2]),
             str(board), str(share), str(WAVE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True))
    retried = 0
    for process in made:
        line = process.stdout.readline().split()
        if not line or line[0] != "READY":
            raise RuntimeError(f"a listener process failed (clients: {clients})")
        retried += int(line[1])
    return made, retried


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
                   wait_timeout=60)
    return client


def write(clients, board, columns, cards, per_writer: float, first_seq: int
          ) -> tuple[dict[int, float], int]:
    """Every writer moves cards at ``per_writer`` a second (0: back to back) for SECONDS;
    version → when it was sent, and how many moves were refused."""
    sent: dict[int, float] = {}
    refused = [0]
    lock = threading.Lock()
    start = time.time() + 0.5

    def run(k, client):
        n = 0
        offset = k / (per_writer * len(clients)) if per_writer else 0.0
        while True:
            due = start + offset + (n / per_writer if per_writer else 0.0)
            if due >= start + SECONDS or time.time() >= start + SECONDS:
                return
            time.sleep(max(0.0, due - time.time()))
            index = n * len(clients) + k
            at = time.time()
            answer = client.call("card.move", {
                "board": board, "card": cards[index % len(cards)], "column": columns[index % 3],
                "after": None, "seq": first_seq + index}, namespace="/boards", timeout=60)
            n += 1
            with lock:
                if answer.get("ok"):
                    sent[answer["version"]] = at
                else:
                    refused[0] += 1
    threads = [threading.Thread(target=run, args=(k, c)) for k, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sent, refused[0]


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


def run(target: str, env: dict, clients: int, board, columns, cards, cookie) -> dict:
    threads = clients // 2 + WRITERS + 50  # a WebSocket holds a thread (threading mode)
    with ExitStack() as stack:
        urls = [serve(stack, target, env, threads), serve(stack, target, env, threads)]
        joined_at = time.time()
        watching, retried = listeners(urls, board, clients)
        join_seconds = time.time() - joined_at
        steady_writers = [writer(urls[0], cookie)
                          for _ in range(math.ceil(max(RATES) / WRITER_RATE))]
        steadies = []
        for n, rate in enumerate(RATES):
            used = steady_writers[:math.ceil(rate / WRITER_RATE)]
            steadies.append((rate, write(used, board, columns, cards, rate / len(used),
                                         (n + 1) * 10**6)))
            time.sleep(2)
        many = [writer(urls[0], cookie) for _ in range(WRITERS)]
        burst_sent, burst_refused = write(many, board, columns, cards, WRITER_RATE, 10**9)
        received = collect(watching)
        for client in [*steady_writers, *many]:
            client.disconnect()
    steady = {f"{rate:g}": {**figures(sent, received), "refused": refused}
              for rate, (sent, refused) in steadies}
    burst = {**figures(burst_sent, received), "refused": burst_refused}
    burst["changes_per_s"] = round(burst["reached_everyone"] / SECONDS, 1)
    return {"join_s": round(join_seconds, 1), "join_retries": retried, "steady": steady,
            "sustained": burst}


def load() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def main() -> None:
    app, env, _url = scratch_app()
    if env["USE_REDIS"] != "1":
        raise SystemExit("bench/boards.py needs Redis (BENCH_REDIS_URL): the two processes "
                         "share it as the Socket.IO message queue")
    board, columns, cards, organiser = seed(app)
    cookie_value = sessions(app, [organiser], AGENT)[0][0]
    cookie = (app.config["SESSION_COOKIE_NAME"], cookie_value)
    env = {**env, "PYTHONPATH": str(HERE)}
    for clients in SIZES:
        before = load()
        hub = run("wsgi:app", env, clients, board, columns, cards, cookie)
        bare = run("boards_bare:app", env, clients, board, columns, cards, None)
        ratio = (round(hub["sustained"]["changes_per_s"] / bare["sustained"]["changes_per_s"],
                       3) if bare["sustained"]["changes_per_s"] else None)
        print(json.dumps({"clients": clients, "processes": 2, "rates_per_s": RATES,
                          "seconds": SECONDS, "writers": WRITERS, "writer_rate": WRITER_RATE,
                          "sustained_cap_per_s": WRITERS * WRITER_RATE, "hub": hub,
                          "bare": bare, "sustained_ratio_to_bare": ratio,
                          "loadavg_before": before, "loadavg_after": load()}), flush=True)


if __name__ == "__main__":
    main()
