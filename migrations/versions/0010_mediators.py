"""Language mediators: the mediator role, their languages, towns and shifts; who accompanies a visit.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-04 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('advisor', 'frontdesk', 'coordinator', 'admin')"
ROLES_AFTER = "role IN ('advisor', 'frontdesk', 'coordinator', 'admin', 'mediator')"


def upgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_staff_user_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_staff_user_role'), ROLES_AFTER)
        batch_op.add_column(sa.Column('languages', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column('towns', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))

    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mediator_wanted', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('mediator_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_visit_mediator_id'), ['mediator_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_visit_mediator_id_staff_user'), 'staff_user', ['mediator_id'], ['id'])

    with op.batch_alter_table('stat_visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mediator', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('mediator_shift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mediator_id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('starts_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_dt > starts_dt', name=op.f('ck_mediator_shift_hours')),
    sa.ForeignKeyConstraint(['day_id'], ['consultation_day.id'], name=op.f('fk_mediator_shift_day_id_consultation_day'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mediator_id'], ['staff_user.id'], name=op.f('fk_mediator_shift_mediator_id_staff_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediator_shift')),
    sa.UniqueConstraint('mediator_id', 'day_id', name=op.f('uq_mediator_shift_mediator_id_day_id'))
    )
    with op.batch_alter_table('mediator_shift', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediator_shift_day_id'), ['day_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mediator_shift_mediator_id'), ['mediator_id'], unique=False)


def downgrade():
    with op.batch_alter_table('mediator_shift', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediator_shift_mediator_id'))
        batch_op.drop_index(batch_op.f('ix_mediator_shift_day_id'))
    op.drop_table('mediator_shift')

    with op.batch_alter_table('stat_visit', schema=None) as batch_op:
        batch_op.drop_column('mediator')

    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_visit_mediator_id_staff_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_visit_mediator_id'))
        batch_op.drop_column('mediator_id')
        batch_op.drop_column('mediator_wanted')

    op.execute("DELETE FROM staff_user WHERE role = 'mediator'")
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('towns')
        batch_op.drop_column('languages')
        batch_op.drop_constraint(op.f('ck_staff_user_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_staff_user_role'), ROLES_BEFORE)
