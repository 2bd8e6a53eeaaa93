"""Fan-out: a reply in a thread with many followers writes one event row in the request; the
Celery task (eager here) writes everyone's notification in batches, exactly once however often
it runs, and pushes each follower's badge once; the sweep sends on an event whose task was
lost. Two concurrent runs on a database of their own: tests/notifications/test_fanout_race.py;
a real worker: test_fanout_live.py."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from m100hub.extensions import socketio
from m100hub.forums.models import THREAD_FOLLOWS, Subscription
from m100hub.notifications import fanout
from m100hub.notifications.models import Notification, NotificationEvent
from tests.support import bulk, factories
from tests.support import forum_factories as ff

#: more than two batches of the fan-out
FOLLOWERS = 1_200


@pytest.fixture
def pushes(monkeypatch) -> Counter:
    """The rooms Socket.IO was asked to tell of a notification, with how often."""
    rooms: Counter = Counter()

    def emit(event, data=None, to=None, **kwargs):
        if event == "notification":
            rooms.update(to if isinstance(to, list) else [to])

    monkeypatch.setattr(socketio, "emit", emit)
    return rooms


@pytest.fixture
def lost_tasks(monkeypatch) -> list:
    """Fan-outs go to a worker (as with Redis), and the queued tasks go nowhere (the message
    lost, Redis gone, the worker killed); the list holds them."""
    lost: list = []
    monkeypatch.setattr(fanout, "tasks_run_in_process", lambda: False)
    monkeypatch.setattr(fanout, "enqueue", lambda task, *args: lost.append((task.name, *args)))
    return lost


def followed_thread(db, n: int = FOLLOWERS):
    """A thread by its author, followed by ``n`` more people; (thread, follower ids)."""
    author = factories.user()
    thread = ff.thread(author)
    followers = bulk.followers(thread.id, factories.user().id, n, "urmaritor")
    db.session.commit()
    return thread, [author.id, *followers]


def replies_told(db, thread) -> list[int]:
    """Recipients of reply notifications about the thread, one entry per row."""
    return list(db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "forum_reply", Notification.payload["thread_id"].as_integer()
        == thread.id).order_by(Notification.recipient_id)))


def the_event(db) -> NotificationEvent:
    return db.session.scalars(select(NotificationEvent).where(
        NotificationEvent.kind == "forum_reply").order_by(NotificationEvent.id.desc())).first()


def test_a_reply_writes_one_event_and_the_task_tells_each_follower_once(
        client, db, login_as, lost_tasks, pushes):
    thread, followers = followed_thread(db)
    replier = login_as("citizen")

    response = client.post(f"/forums/t/{thread.id}/reply", data={"body": "Un răspuns."})

    assert response.status_code == 303
    event = the_event(db)
    assert (event.audience, event.audience_id) == ("forum_thread_followers", thread.id)
    assert event.fanned_out_dt is None and event.actor_id == replier.id
    assert replies_told(db, thread) == []  # nothing written for the followers in the request
    assert lost_tasks[-1] == ("notifications.fan_out", event.id)
    assert pushes == Counter()

    assert fanout.fan_out(event.id) == len(followers)

    assert replies_told(db, thread) == sorted(followers)  # the replier not among them
    assert pushes == Counter({f"user:{person}": 1 for person in followers})
    db.session.refresh(event)
    assert event.fanned_out_dt is not None and event.fanned_out_to == max(followers)
    # run again (a redelivered task, a sweep): nothing doubles, nobody is pushed twice
    assert fanout.fan_out(event.id) == 0
    event.fanned_out_dt, event.fanned_out_to = None, 0  # even from the start
    db.session.commit()
    assert fanout.fan_out(event.id) == 0
    assert replies_told(db, thread) == sorted(followers)
    assert set(pushes.values()) == {1}


def test_the_rows_carry_the_event_and_the_mentioned_are_told_once(client, db, login_as):
    thread, followers = followed_thread(db, 3)
    mentioned = factories.user(handle="ana.urmaritoare")
    THREAD_FOLLOWS.follow(mentioned.id, thread.id)
    db.session.commit()
    login_as("citizen")

    client.post(f"/forums/t/{thread.id}/reply", data={"body": "Ce zici, @ana.urmaritoare?"})

    event = the_event(db)
    rows = list(db.session.scalars(select(Notification).where(Notification.event_id == event.id)))
    assert sorted(n.recipient_id for n in rows) == sorted(followers)
    assert {(n.kind, n.target_type, n.actor_id, n.created_dt) for n in rows} == {
        ("forum_reply", "forum_posts", event.actor_id, event.created_dt)}
    told = db.session.scalars(select(Notification.kind).where(
        Notification.recipient_id == mentioned.id)).all()
    assert told == ["forum_mention"]  # the mention, not the reply as well


def test_one_named_recipient_is_written_in_the_request(db, count_queries):
    from m100hub.notifications.services import notify

    person, org = factories.user(), factories.organisation()
    payload = {"org": org.name, "slug": org.slug, "reason": ""}

    with count_queries() as counted:
        assert notify([person], "membership_verified", org, payload=payload) == 1

    # the event, the recipients' preferences for the kind, and the row: no task, no sweep
    assert len(counted.statements) == 3
    event = db.session.scalar(select(NotificationEvent).where(
        NotificationEvent.kind == "membership_verified"))
    assert event.fanned_out_dt is not None and event.audience is None


def test_the_sweep_sends_on_an_event_whose_task_was_lost(
        client, db, login_as, lost_tasks, monkeypatch):
    thread, followers = followed_thread(db, 600)
    login_as("citizen")
    client.post(f"/forums/t/{thread.id}/reply", data={"body": "Pierdut pe drum."})
    event = the_event(db)
    assert replies_told(db, thread) == []
    monkeypatch.undo()  # Redis is back: the sweep's tasks run (eagerly here)

    assert fanout.sweep() == 0  # a task queued a moment ago is still given its chance
    db.session.execute(update(NotificationEvent).where(NotificationEvent.id == event.id)
                       .values(created_dt=event.created_dt - timedelta(minutes=2)))
    db.session.commit()

    assert fanout.sweep() == 1
    assert replies_told(db, thread) == sorted(followers)
    assert fanout.sweep() == 0  # done: not sent again
    assert replies_told(db, thread) == sorted(followers)


def test_a_worker_killed_mid_way_leaves_the_rest_to_the_next_run(client, db, login_as,
                                                                  lost_tasks):
    thread, followers = followed_thread(db)
    login_as("citizen")
    client.post(f"/forums/t/{thread.id}/reply", data={"body": "Pe jumătate."})
    event = the_event(db)

    first = fanout.fan_out_batch(event.id)  # one batch committed, then the worker died

    assert first == sorted(followers)[:fanout.BATCH_SIZE]
    assert fanout.fan_out(event.id) == len(followers) - len(first)
    assert replies_told(db, thread) == sorted(followers)


def test_followers_see_the_badge_count_and_get_a_live_push(client, db, login_as, pushes):
    thread, _ = followed_thread(db, 2)
    follower = factories.user(locale="en")
    THREAD_FOLLOWS.follow(follower.id, thread.id)
    db.session.commit()
    login_as("citizen")

    client.post(f"/forums/t/{thread.id}/reply", data={"body": "Vezi insigna."})

    assert pushes[f"user:{follower.id}"] == 1
    login_as(user=follower)
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<span class="badge" data-badge>1</span>', page)
    assert db.session.scalar(select(func.count()).select_from(NotificationEvent).where(
        NotificationEvent.fanned_out_dt.is_(None))) == 0


def test_people_who_stopped_following_are_not_told(client, db, login_as, lost_tasks):
    thread, followers = followed_thread(db, 5)
    login_as("citizen")
    client.post(f"/forums/t/{thread.id}/reply", data={"body": "Cine mai urmărește?"})
    leaving = db.session.get(Subscription, db.session.scalar(select(Subscription.id).where(
        Subscription.user_id == followers[-1], Subscription.thread_id == thread.id)))
    db.session.delete(leaving)
    db.session.commit()

    fanout.fan_out(the_event(db).id)

    assert replies_told(db, thread) == sorted(followers[:-1])


def test_the_sweep_runs_every_minute_from_beat(app):
    entry = app.extensions["celery"].conf.beat_schedule["notifications-sweep"]
    assert entry == {"task": "notifications.sweep", "schedule": 60.0}
    assert "notifications.fan_out" in app.extensions["celery"].tasks


def test_the_task_is_queued_only_once_the_event_is_committed(db, monkeypatch):
    """A worker must find the event it is sent: the task leaves after the outermost commit,
    not at a SAVEPOINT's release in the same request (a first reply's follow once took one,
    and the worker, finding no event yet, fanned out to nobody)."""
    from m100hub.forums import services

    found: list = []

    def enqueue(task, event_id):
        found.append(event_id)

    thread, _ = followed_thread(db, 3)
    replier = factories.user()
    monkeypatch.setattr(fanout, "tasks_run_in_process", lambda: False)
    monkeypatch.setattr(fanout, "enqueue", enqueue)

    services.reply(replier, thread.id, "Primul meu răspuns.")
    with db.session.begin_nested():  # more work of the same request, in a SAVEPOINT
        THREAD_FOLLOWS.follow(factories.user().id, thread.id)

    assert found == []  # not sent at the SAVEPOINT's release: the worker would find nothing
    db.session.commit()
    assert found == [the_event(db).id]
