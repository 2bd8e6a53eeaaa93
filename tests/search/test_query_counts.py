"""The hub's search asks the same number of SQL queries whatever the data: every kind, at
two sizes (the count per kind, the page of results, their cities). Run with ``-s`` to see
the figures."""

from __future__ import annotations

from m100hub.extensions import db as _db
from tests.support import consultation_factories as cfa
from tests.support import event_factories as evf
from tests.support import experts as ef
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support import resources as rf

#: what was measured (no slack to grow into)
BOUND = 4


def _every_kind(n: int) -> None:
    for i in range(n):
        consultation = cfa.consultation(title=f"Clădiri publice {i}", sectors=["buildings"])
        cfa.proposal(consultation, title=f"Panouri pe clădiri {i}")
        evf.event(title=f"Atelier despre clădiri {i}", sectors=["buildings"])
        ff.thread(title=f"Renovarea clădirilor {i}")
        ef.expertise_request(title=f"Audit pentru clădiri {i}")
        ef.profile(factories.user(), headline=f"Consultanță pentru clădiri {i}")
        rf.item(title=f"Ghid pentru clădiri {i}")
        rf.call(title=f"Renovarea clădirilor publice {i}")


def test_the_search_page_at_two_sizes(measure, db):
    _every_kind(1)
    small = measure("/search?q=cladiri", "<mark>", 8)
    _every_kind(5)
    large = measure("/search?q=cladiri", "<mark>", 8)  # a full page of the 48
    print(f"\n[queries] search: {small.count} at 8 results, {large.count} at 48")
    assert large.count == small.count, f"grows with data:\n{small!r}\n---\n{large!r}"
    assert large.count <= BOUND, repr(large)
    _db.session.commit()
