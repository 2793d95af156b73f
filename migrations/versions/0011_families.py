"""One visit for a family: member visits point to the lead's, companions to a shared appointment.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-04 15:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_lead_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_visit_group_lead_id'), ['group_lead_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_visit_group_lead_id_visit'), 'visit', ['group_lead_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shared_with_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_appointment_shared_with_id'), ['shared_with_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_appointment_shared_with_id_appointment'), 'appointment', ['shared_with_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_appointment_shared_with_id_appointment'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_appointment_shared_with_id'))
        batch_op.drop_column('shared_with_id')

    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_visit_group_lead_id_visit'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_visit_group_lead_id'))
        batch_op.drop_column('group_lead_id')
