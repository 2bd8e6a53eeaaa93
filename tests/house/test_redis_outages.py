"""Redis comes and goes: a web process starts while it is down and uses it once it is back,
no request fails when it dies, and while it is down the rate limits hold across processes.

Each test runs gunicorn web processes (the command `make serve` runs) on a redis-server of
its own, which it kills (SIGKILL, as a crash) and starts again on the same port.
"""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections import Counter

import kombu
import pytest
import redis
import requests

from tests.support import forum_factories as ff
from tests.support.factories import PASSWORD
from tests.support.live import csrf_token, sign_in

UA = "m100-outage-test"

#: confirmed people om0…om{n-1} and a thread of someone else's whose first post they like;
#: prints the thread's and the post's ids
PEOPLE_AND_A_THREAD = """
from sqlalchemy import select
from m100hub import create_app
from m100hub.accounts import services
from m100hub.database import commit
from m100hub.extensions import db
from m100hub.forums import services as forum
from m100hub.forums.models import Category

app = create_app()
with app.test_request_context(method="POST"):
    people = [services.create_user(f"Om {{i}}", f"om{{i}}@example.ro", {password!r}, "citizen")
              for i in range({n})]
    for person in people:
        services.confirm_email(person)
        services.record_acceptance(person)
    author = services.create_user("Autor", "autor@example.ro", {password!r}, "citizen")
    general = db.session.scalar(select(Category).where(Category.slug == "general"))
    thread, first = forum.create_thread(author, general, "Fără Redis", "Primul mesaj")
    commit()
    print(thread.id, first.id)
"""


def people_and_a_thread(stack, n: int) -> tuple[int, int]:
    thread_id, post_id = stack.python(PEOPLE_AND_A_THREAD.format(n=n, password=PASSWORD)).split()
    return int(thread_id), int(post_id)


def signed_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = UA
    sign_in(session, base, email, PASSWORD)
    return session


def wait_for(condition, timeout: float, step: float = 0.1) -> float:
    """Seconds until ``condition()`` held (fails after ``timeout``)."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"not within {timeout} s"
        time.sleep(step)
    return time.monotonic() - started


def status(url: str) -> int:
    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return 0


@pytest.mark.slow
def test_a_production_web_process_starts_while_redis_is_down_and_uses_it_once_back(
        own_redis, hub_on_own_redis):
    own_redis.kill()
    stack = hub_on_own_redis(
        ready="/healthz", M100_ENV="production", BASE_URL="https://hub.example.ro",
        ALLOW_SQLITE_IN_PRODUCTION="1", ANONYMOUS_PAGE_SECONDS="2")
    web = stack.processes[-1]
    for page in ("/", "/forums", "/cities"):
        assert status(stack.url + page) == 200, page
    not_ready = requests.get(f"{stack.url}/readyz", timeout=10)
    assert not_ready.status_code == 503
    assert not_ready.json()["checks"]["redis"].startswith("unreachable")
    assert not_ready.json()["checks"]["database"] == "ok"
    assert web.poll() is None, "gunicorn's master ended"

    own_redis.start()
    seconds = wait_for(lambda: status(f"{stack.url}/readyz") == 200, timeout=15)
    print(f"ready {seconds:.1f} s after Redis returned")
    store = redis.Redis.from_url(own_redis.url)
    prefix = stack.env()["CACHE_KEY_PREFIX"]
    # the page cache tries Redis again a few seconds after it failed, and files pages there
    wait_for(lambda: status(f"{stack.url}/cities") == 200
             and any(store.scan_iter(match=f"{prefix}*")), timeout=15, step=0.5)
    assert web.poll() is None


@pytest.mark.slow
def test_no_request_fails_when_redis_dies_under_a_burst_of_likes(own_redis, hub_on_own_redis):
    people = 30
    stack = hub_on_own_redis()
    thread_id, post_id = people_and_a_thread(stack, people)
    sessions = [signed_in(stack.url, f"om{i}@example.ro") for i in range(people)]
    tokens = [csrf_token(s.get(f"{stack.url}/forums/t/{thread_id}").text) for s in sessions]
    for session in sessions:  # gunicorn closes idle connections after 2 s: open fresh ones
        session.close()
    answers: list[tuple[float, int]] = []
    stop = threading.Event()

    def like_and_unlike(i: int) -> None:
        n = 0
        while not stop.is_set():
            action = "unlike" if n % 2 else "like"
            try:
                code = sessions[i].post(f"{stack.url}/forums/p/{post_id}/{action}",
                                        data={"csrf_token": tokens[i]}, allow_redirects=False,
                                        timeout=30).status_code
            except requests.RequestException:
                code = 0
            answers.append((time.monotonic(), code))
            n += 1

    threads = [threading.Thread(target=like_and_unlike, args=(i,)) for i in range(people)]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: len(answers) >= people, timeout=120)  # the burst is under way
        # as a Redis that dies does: it stalls (requests wait on it together), then is gone
        own_redis.process.send_signal(signal.SIGSTOP)
        time.sleep(0.4)
        killed = time.monotonic()
        own_redis.kill()
        wait_for(lambda: sum(at > killed for at, _ in answers) >= 2 * people, timeout=120)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    before = Counter(code for at, code in answers if at < killed)
    after = Counter(code for at, code in answers if at >= killed)
    print(f"before the kill {dict(before)}, after {dict(after)}")
    assert before[303] and after[303], "the burst did not span the kill"
    failed = {code: n for code, n in (before + after).items() if code >= 500 or code == 0}
    assert failed == {}, f"requests failed: {failed}"
    assert set(before + after) <= {303, 429}


@pytest.mark.slow
def test_while_redis_is_down_two_processes_together_allow_no_more_than_the_limit(
        own_redis, hub_on_own_redis):
    stack = hub_on_own_redis(processes=2, WEB_PROCESSES="2", RATE_LIMIT_REACT="30 per minute")
    thread_id, post_id = people_and_a_thread(stack, 1)
    sessions = [signed_in(url, "om0@example.ro") for url in stack.web_urls]
    tokens = [csrf_token(s.get(f"{url}/forums/t/{thread_id}").text)
              for s, url in zip(sessions, stack.web_urls, strict=True)]
    own_redis.kill()

    answers = Counter()
    for n in range(60):  # a like and an unlike on each process by turns
        which = (n // 2) % 2
        answers[sessions[which].post(
            f"{stack.web_urls[which]}/forums/p/{post_id}/{'unlike' if n % 2 else 'like'}",
            data={"csrf_token": tokens[which]}, allow_redirects=False, timeout=15
        ).status_code] += 1
    allowed = sum(n for code, n in answers.items() if code != 429)
    print(f"while Redis is down: {allowed} of 60 allowed against a limit of 30 with 2 "
          f"processes ({dict(answers)})")
    assert allowed == 30 and answers[429] == 30
    assert set(answers) <= {303, 409, 429}  # 409: liked already (after a refused unlike)


@pytest.mark.parametrize(("limit", "processes", "allowed"), [
    ("7 per minute", 3, 2),   # rounded down: 3 processes allow 6 of 7 at most
    ("2 per minute", 3, 0),   # a share of nothing: refused until Redis answers
    ("5 per minute", 1, 5),   # one process: the limit itself
])
def test_a_process_counting_alone_allows_its_share_of_each_limit(
        make_app, db, login_as, limit, processes, allowed):
    """Without Redis (here not in use; above, down) each process counts alone: its share."""
    hub = make_app(USE_REDIS=False, WEB_PROCESSES=processes, RATE_LIMIT_REACT=limit)
    client = hub.test_client()
    post = ff.opening_post(ff.thread())
    db.session.commit()
    login_as("citizen", client_=client)
    codes = [client.post(f"/forums/p/{post.id}/{'unlike' if n % 2 else 'like'}").status_code
             for n in range(allowed + 2)]
    assert codes == [303] * allowed + [429, 429]


def test_a_channel_whose_connection_was_let_go_still_gives_its_tasks_back(redis_url):
    """The worker's plight when Redis dies under a task it has not acknowledged (the live
    test: tests/mail/test_outbox_live.py): Celery collects the lost connection, whose first
    close of the channel fails on the dead Redis, so kombu lets go of the connection with the
    channel still open (as here); Celery then closes it, and the channel gives the task back
    to Redis. kombu's own channel has lost Redis's address by then (an AttributeError, which
    ended the worker); the hub's has kept it."""
    from kombu import Connection

    from m100hub.celery_app import _broker_transport

    assert _broker_transport("rediss://redis.example.ro:6380/0") is None  # kombu's own: TLS
    name = f"let-go-{uuid.uuid4().hex[:8]}"
    connection = Connection(redis_url, transport=_broker_transport(redis_url))
    queue = kombu.Queue(name, kombu.Exchange(name), name, channel=connection.default_channel)
    queue.declare()
    kombu.Producer(connection.default_channel).publish(
        {"n": 1}, exchange=queue.exchange, routing_key=name)
    assert queue.get() is not None  # delivered, not acknowledged: in Redis's unacked hash
    connection._do_close_transport()  # how collect() ends
    connection.close()
    again = Connection(redis_url)
    try:
        back = kombu.Queue(name, kombu.Exchange(name), name, channel=again.default_channel)
        message = back.get()
        assert message is not None and message.payload == {"n": 1}
        message.ack()
        back.delete()
    finally:
        again.close()
