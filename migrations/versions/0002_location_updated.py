"""Locations record when they last changed, so calendar feeds notice a new address.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 11:05:00.000000

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=True))

    # Existing locations count as changed now: every feed is sent afresh once.
    location = sa.table('location', sa.column('updated_dt', sa.DateTime(timezone=True)))
    op.execute(location.update().values(updated_dt=datetime.now(UTC)))

    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.alter_column(
            'updated_dt', existing_type=sa.DateTime(timezone=True), nullable=False
        )


def downgrade():
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_column('updated_dt')
