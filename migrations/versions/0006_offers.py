"""Seats held for waiting-list offers, and the days a person passed on.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 05:00:45.047024

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offer_expires_dt', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('waitlist_entry_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_visit_waitlist_entry_id'), ['waitlist_entry_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_visit_waitlist_entry_id_waitlist_entry'), 'waitlist_entry', ['waitlist_entry_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('waitlist_entry', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('passed_day_ids', sa.JSON(), server_default='[]', nullable=False)
        )



def downgrade():
    with op.batch_alter_table('waitlist_entry', schema=None) as batch_op:
        batch_op.drop_column('passed_day_ids')

    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_visit_waitlist_entry_id_waitlist_entry'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_visit_waitlist_entry_id'))
        batch_op.drop_column('waitlist_entry_id')
        batch_op.drop_column('offer_expires_dt')

