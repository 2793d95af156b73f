"""Accounts count their sessions, audit entries name the kind of actor, bookings keep
their idempotency key.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_version', sa.Integer(), server_default='1', nullable=False)
        )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('actor_kind', sa.String(length=10), server_default='staff', nullable=False)
        )
        batch_op.create_index('ix_audit_log_actor_id', ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_log_object', ['object_type', 'object_id'], unique=False)
    op.execute("UPDATE audit_log SET actor_kind = 'system' WHERE actor_id IS NULL")
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('idempotency_digest', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_visit_idempotency_key', ['idempotency_key'])


def downgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_constraint('uq_visit_idempotency_key', type_='unique')
        batch_op.drop_column('idempotency_digest')
        batch_op.drop_column('idempotency_key')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_object')
        batch_op.drop_index('ix_audit_log_actor_id')
        batch_op.drop_column('actor_kind')
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
