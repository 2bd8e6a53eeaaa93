"""Images: uploaded pictures in two WebP sizes, and the image of cities, events,
consultations (a cover) and people (an avatar)

Revision ID: 0014_images
Revises: 0012_moderation_notices
Create Date: 2026-12-06 15:30:00

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0014_images'
down_revision = '0012_moderation_notices'
branch_labels = None
depends_on = None

OWNERS = ('cities', 'events', 'consultations', 'users')


def upgrade():
    op.create_table(
        'images',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('alt', sa.String(length=250), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('small_width', sa.Integer(), nullable=False),
        sa.Column('small_height', sa.Integer(), nullable=False),
        sa.Column('large', sa.LargeBinary(), nullable=False),
        sa.Column('small', sa.LargeBinary(), nullable=False),
        sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_images')),
    )
    op.create_index(op.f('ix_images_digest'), 'images', ['digest'], unique=False)
    for table in OWNERS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('image_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_image_id_images'), 'images',
                                        ['image_id'], ['id'], ondelete='SET NULL')


def downgrade():
    for table in OWNERS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_image_id_images'),
                                     type_='foreignkey')
            batch_op.drop_column('image_id')
    op.drop_index(op.f('ix_images_digest'), table_name='images')
    op.drop_table('images')
