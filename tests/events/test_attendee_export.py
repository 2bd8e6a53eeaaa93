"""The attendee CSV at scale: 100,000 registrations on PostgreSQL (past its 65,535 bind
parameters, where an ``IN`` list of the registrants failed), streamed in chunks while the
database is read in batches, in the same memory as a small export."""

from __future__ import annotations

import tracemalloc

import pytest

from m100hub.events.models import Registration
from tests.support import bulk
from tests.support import event_factories as ef
from tests.support.environment import require_service
from tests.support.events import person

MANY = 100_000
#: what reading the whole export may hold at once (the old one held every registration,
#: person and line: hundreds of megabytes at this size)
PEAK_BYTES = 8 * 1024 * 1024


def register_many(event, n: int) -> None:
    """``n`` people registered for ``event`` (one by the service, the rest copied in SQL)."""
    first = ef.register(person(name="Participant 0"), event)
    bulk.people(first.user_id, n - 1, "participant")
    bulk.copies(Registration, first.id, n - 1, code="'c' || n", user_id=(
        "(SELECT id FROM users WHERE email = 'participant' || n || '@bulk.example.ro')"))


@pytest.mark.slow
def test_the_attendee_csv_streams_100000_registrations(client, db, login_as):
    require_service("PostgreSQL (TEST_DATABASE_URL)", db.engine.dialect.name == "postgresql")
    organiser = person("official")
    event = ef.event(organiser, capacity=None)
    register_many(event, MANY)
    login_as(user=organiser)

    response = client.get(f"/events/{event.id}/attendees.csv", buffered=False)

    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "Content-Length" not in response.headers
    tracemalloc.start()
    try:
        lines = chunks = 0
        last = b""
        for chunk in response.iter_encoded():
            lines, chunks, last = lines + chunk.count(b"\n"), chunks + 1, chunk or last
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        response.close()
    assert lines == MANY + 1  # the header and one line per registration
    assert chunks > MANY // 1000  # sent as it was written, not as one body
    assert last.decode().splitlines()[-1].startswith(f"participant {MANY - 1},,")
    assert peak < PEAK_BYTES, f"the export held {peak / 2**20:.1f} MiB at once"
