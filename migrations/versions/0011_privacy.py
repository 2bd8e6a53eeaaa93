"""Privacy: which terms and privacy notice each person accepted, and when; ballots and reports
outlive their author's account (unlinked, still counted)

Revision ID: 0011_privacy
Revises: 0010_consultation_close
Create Date: 2026-12-06 14:40:00

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0011_privacy'
down_revision = '0010_consultation_close'
branch_labels = None
depends_on = None


def _person_key(table: str, nullable: bool, ondelete: str) -> None:
    """The table's person column made (not) nullable, its foreign key deleting as said."""
    name = f'fk_{table}_{"user" if table != "reports" else "reporter"}_id_users'
    column = 'reporter_id' if table == 'reports' else 'user_id'
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(name, type_='foreignkey')
        batch_op.alter_column(column, existing_type=sa.Integer(), nullable=nullable)
        batch_op.create_foreign_key(name, 'users', [column], ['id'], ondelete=ondelete)


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms_version', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('terms_accepted_dt', m100hub.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('privacy_version', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('privacy_accepted_dt', m100hub.database.UTCDateTime(timezone=True), nullable=True))
    _person_key('consultation_ballots', True, 'SET NULL')
    _person_key('reports', True, 'SET NULL')


def downgrade():
    # ballots and reports of deleted accounts have nobody to belong to any more
    op.execute('DELETE FROM consultation_ballots WHERE user_id IS NULL')
    op.execute('DELETE FROM reports WHERE reporter_id IS NULL')
    _person_key('reports', False, 'CASCADE')
    _person_key('consultation_ballots', False, 'CASCADE')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('privacy_accepted_dt')
        batch_op.drop_column('privacy_version')
        batch_op.drop_column('terms_accepted_dt')
        batch_op.drop_column('terms_version')
