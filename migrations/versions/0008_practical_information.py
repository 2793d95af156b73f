"""Practical information: parking and door opening per location, what to bring per topic.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 12:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Each is language -> text; existing rows start with none ('{}').
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parking', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
        batch_op.add_column(sa.Column('opening', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))

    with op.batch_alter_table('topic', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bring', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))


def downgrade():
    with op.batch_alter_table('topic', schema=None) as batch_op:
        batch_op.drop_column('bring')

    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_column('opening')
        batch_op.drop_column('parking')
