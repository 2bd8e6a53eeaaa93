"""The library's CSV at a few thousand rows: streamed while the database is read in batches
(``util.csv_response``, as the attendee export), never held whole — nor filed whole by the
visitors' page cache."""

from __future__ import annotations

from sqlalchemy import insert, select

from m100hub.resources.models import Resource, ResourceSector
from m100hub.resources.queries import EXPORT_BATCH
from m100hub.util import CSV_CHUNK_ROWS
from tests.support import resources as rf

ROWS = 3_000


def _many(db) -> None:
    """``ROWS`` published items (one by the factory, the rest copied in bulk), two sectors
    each."""
    first = rf.item(title="Ghid 0", sectors=("energy",))
    db.session.execute(insert(Resource), [
        {"kind": first.kind, "title": f"Ghid {n}", "summary": "Un ghid.",
         "summary_html": "<p>Un ghid.</p>", "url": first.url, "language": first.language,
         "tags": "", "cost": "", "result": "", "result_html": "", "contact": "",
         "is_demo": False, "status": first.status, "search_text": f"ghid {n}",
         "updated_dt": first.updated_dt} for n in range(1, ROWS)])
    ids = db.session.scalars(select(Resource.id).where(Resource.id != first.id)).all()
    db.session.execute(insert(ResourceSector), [
        {"resource_id": ident, "sector": sector} for ident in [first.id, *ids]
        for sector in (("transport",) if ident == first.id else ("energy", "transport"))])
    db.session.commit()


def test_the_csv_streams_thousands_of_rows_in_batches(client, db, count_queries):
    _many(db)
    with count_queries() as counter:
        response = client.get("/resources.csv", buffered=False)
        assert response.status_code == 200 and response.is_streamed
        assert "Content-Length" not in response.headers
        chunks = response.iter_encoded()
        first = next(chunks)
        read_for_the_first_chunk = counter.count
        rest = b"".join(chunks)
        response.close()
    lines = (first + rest).decode().splitlines()
    assert len(lines) == ROWS + 1  # the header and one line per item
    assert first.count(b"\n") == CSV_CHUNK_ROWS + 1  # sent as written, not as one body
    newest = db.session.scalar(select(Resource.id).order_by(Resource.id.desc()).limit(1))
    assert lines[1].startswith(f"{newest},")
    assert lines[-1].split(",")[2] == "Ghid 0" and "energy;transport" in lines[-1]
    # each batch's sectors were read as that batch went out: the first chunk had read one
    batches = -(-ROWS // EXPORT_BATCH)
    assert read_for_the_first_chunk < counter.count
    assert counter.count <= read_for_the_first_chunk + batches, counter


def test_a_download_left_halfway_closes_its_cursor(client, db):
    _many(db)
    response = client.get("/resources.csv", buffered=False)
    next(response.iter_encoded())
    response.close()  # what the server does when the client goes away
    # the session and its connection are free for the next request: a whole export again
    again = client.get("/resources.csv")
    assert again.is_streamed and len(again.get_data(as_text=True).splitlines()) == ROWS + 1
