"""Handles stored in lower case, checked by the database (as e-mail addresses are)

Revision ID: 0006_handle_lower_case
Revises: 0005_thread_links
Create Date: 2026-11-29 01:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006_handle_lower_case'
down_revision = '0005_thread_links'
branch_labels = None
depends_on = None


def upgrade():
    # handles were always made in lower case; any other would now break the check
    op.execute("UPDATE users SET handle = lower(handle) WHERE handle <> lower(handle)")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_users_handle_lower_case'),
                                         'handle = lower(handle)')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_handle_lower_case'), type_='check')
