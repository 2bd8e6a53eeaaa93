"""The hub's search as index lookups: consultations, proposals, events, cities and forum
threads keep their text folded in ``search_text`` (back-filled here), and every searched
``search_text`` gets a GIN text-search index on PostgreSQL (m100hub.folding.word_starts)

Revision ID: 0023_search
Revises: 0022_digests
Create Date: 2026-12-06 21:30:00

"""
from alembic import op
import sqlalchemy as sa

from m100hub.folding import search_index_sql, searchable


# revision identifiers, used by Alembic.
revision = '0023_search'
down_revision = '0022_digests'
branch_labels = None
depends_on = None


#: table → the columns folded into its new search_text (as the models' ``search_fields``)
FOLDED = {
    "cities": ("name", "county", "summary"),
    "consultations": ("title", "summary", "body"),
    "consultation_proposals": ("title", "body"),
    "events": ("title", "description"),
    "forum_threads": ("title",),
}
#: tables whose search_text was there before, now indexed too
INDEXED_BEFORE = ("expert_profiles", "expertise_requests")
#: rows folded per round trip
BATCH = 1000


def _index_name(table: str) -> str:
    return f"ix_search_{table}"


def _back_fill(table: str, columns: tuple[str, ...]) -> None:
    bind = op.get_bind()
    rows = sa.table(table, sa.column("id"), sa.column("search_text"),
                    *(sa.column(name) for name in columns))
    last = 0
    while True:
        batch = bind.execute(sa.select(rows.c.id, *(rows.c[name] for name in columns))
                             .where(rows.c.id > last).order_by(rows.c.id).limit(BATCH)).all()
        if not batch:
            return
        bind.execute(rows.update().where(rows.c.id == sa.bindparam("row_id"))
                     .values(search_text=sa.bindparam("folded")),
                     [{"row_id": row[0], "folded": searchable(*row[1:])} for row in batch])
        last = batch[-1][0]


def upgrade():
    for table, columns in FOLDED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='',
                                          nullable=False))
        _back_fill(table, columns)
    if op.get_bind().dialect.name == "postgresql":
        for table in (*FOLDED, *INDEXED_BEFORE):
            op.execute(search_index_sql(_index_name(table), table))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in (*FOLDED, *INDEXED_BEFORE):
            op.execute(f"DROP INDEX IF EXISTS {_index_name(table)}")
    for table in reversed(FOLDED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('search_text')
