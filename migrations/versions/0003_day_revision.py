"""Consultation days count their revisions, so the planner can cache a day's free times.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 10:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultation_day', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('revision', sa.BigInteger(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('consultation_day', schema=None) as batch_op:
        batch_op.drop_column('revision')
