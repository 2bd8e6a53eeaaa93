"""Boards: a group of cards has a name (kept on the card the group is stacked on)

Revision ID: 0021_boards
Revises: 0020_experts
Create Date: 2026-12-06 21:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_boards'
down_revision = '0020_experts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('board_cards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_title', sa.String(length=100), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('board_cards', schema=None) as batch_op:
        batch_op.drop_column('group_title')
