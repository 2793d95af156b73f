"""Statistics: anonymous daily counts, how each visit came about, who referred.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 11:24:06.338074

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stat_fold',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('folded_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('purged_before', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_fold'))
    )
    op.create_table('stat_appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('topics_key', sa.String(length=200), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('lead_days', sa.Integer(), nullable=False),
    sa.Column('cancel_lead_days', sa.Integer(), nullable=True),
    sa.Column('referred_by_agency_id', sa.Integer(), nullable=True),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_stat_appointment_agency_id_agency')),
    sa.ForeignKeyConstraint(['day_id'], ['consultation_day.id'], name=op.f('fk_stat_appointment_day_id_consultation_day'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_stat_appointment_location_id_location')),
    sa.ForeignKeyConstraint(['referred_by_agency_id'], ['agency.id'], name=op.f('fk_stat_appointment_referred_by_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_appointment'))
    )
    with op.batch_alter_table('stat_appointment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stat_appointment_day_id'), ['day_id'], unique=False)
        batch_op.create_index('ix_stat_appointment_on_location', ['on', 'location_id'], unique=False)

    op.create_table('stat_appointment_topic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('lead_days', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_stat_appointment_topic_agency_id_agency')),
    sa.ForeignKeyConstraint(['day_id'], ['consultation_day.id'], name=op.f('fk_stat_appointment_topic_day_id_consultation_day'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_stat_appointment_topic_location_id_location')),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_stat_appointment_topic_topic_id_topic'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_appointment_topic'))
    )
    with op.batch_alter_table('stat_appointment_topic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stat_appointment_topic_day_id'), ['day_id'], unique=False)
        batch_op.create_index('ix_stat_appointment_topic_on_location', ['on', 'location_id'], unique=False)

    op.create_table('stat_capacity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('offered_minutes', sa.Integer(), nullable=False),
    sa.Column('booked_minutes', sa.Integer(), nullable=False),
    sa.Column('slots', sa.Integer(), nullable=False),
    sa.Column('unused_slots', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_stat_capacity_agency_id_agency')),
    sa.ForeignKeyConstraint(['day_id'], ['consultation_day.id'], name=op.f('fk_stat_capacity_day_id_consultation_day'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_stat_capacity_location_id_location')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_capacity'))
    )
    with op.batch_alter_table('stat_capacity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stat_capacity_day_id'), ['day_id'], unique=False)
        batch_op.create_index('ix_stat_capacity_on_location', ['on', 'location_id'], unique=False)

    op.create_table('stat_stale_day',
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['day_id'], ['consultation_day.id'], name=op.f('fk_stat_stale_day_day_id_consultation_day'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('day_id', name=op.f('pk_stat_stale_day'))
    )
    op.create_table('stat_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('interpreter', sa.Boolean(), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('agencies', sa.SmallInteger(), nullable=False),
    sa.Column('agencies_key', sa.String(length=200), nullable=False),
    sa.Column('topics_key', sa.String(length=200), nullable=False),
    sa.Column('appointments', sa.SmallInteger(), nullable=False),
    sa.Column('site_minutes', sa.Integer(), nullable=False),
    sa.Column('wait_days', sa.Integer(), nullable=True),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['day_id'], ['consultation_day.id'], name=op.f('fk_stat_visit_day_id_consultation_day'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_stat_visit_location_id_location')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_visit'))
    )
    with op.batch_alter_table('stat_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stat_visit_day_id'), ['day_id'], unique=False)
        batch_op.create_index('ix_stat_visit_on_location', ['on', 'location_id'], unique=False)

    op.create_table('stat_visit_topic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('agencies_key', sa.String(length=200), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['day_id'], ['consultation_day.id'], name=op.f('fk_stat_visit_topic_day_id_consultation_day'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_stat_visit_topic_location_id_location')),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_stat_visit_topic_topic_id_topic'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_visit_topic'))
    )
    with op.batch_alter_table('stat_visit_topic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stat_visit_topic_day_id'), ['day_id'], unique=False)
        batch_op.create_index('ix_stat_visit_topic_on_location', ['on', 'location_id'], unique=False)

    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referred_by_agency_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_appointment_updated_dt'), ['updated_dt'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_appointment_referred_by_agency_id_agency'), 'agency', ['referred_by_agency_id'], ['id'])

    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.Enum('booked', 'walk_in', 'referral', 'waitlist', name='visitorigin', native_enum=False, create_constraint=True, length=20), server_default='booked', nullable=False))

    # Visits booked before: walk-ins and waiting-list offers are known; referrals are not.
    op.execute("UPDATE visit SET origin = 'walk_in' WHERE walk_in")
    op.execute("UPDATE visit SET origin = 'waitlist' WHERE waitlist_entry_id IS NOT NULL")



def downgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_visit_visitorigin'), type_='check')
        batch_op.drop_column('origin')

    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_appointment_referred_by_agency_id_agency'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_appointment_updated_dt'))
        batch_op.drop_column('referred_by_agency_id')

    with op.batch_alter_table('stat_visit_topic', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_visit_topic_on_location')
        batch_op.drop_index(batch_op.f('ix_stat_visit_topic_day_id'))

    op.drop_table('stat_visit_topic')
    with op.batch_alter_table('stat_visit', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_visit_on_location')
        batch_op.drop_index(batch_op.f('ix_stat_visit_day_id'))

    op.drop_table('stat_visit')
    op.drop_table('stat_stale_day')
    with op.batch_alter_table('stat_capacity', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_capacity_on_location')
        batch_op.drop_index(batch_op.f('ix_stat_capacity_day_id'))

    op.drop_table('stat_capacity')
    with op.batch_alter_table('stat_appointment_topic', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_appointment_topic_on_location')
        batch_op.drop_index(batch_op.f('ix_stat_appointment_topic_day_id'))

    op.drop_table('stat_appointment_topic')
    with op.batch_alter_table('stat_appointment', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_appointment_on_location')
        batch_op.drop_index(batch_op.f('ix_stat_appointment_day_id'))

    op.drop_table('stat_appointment')
    op.drop_table('stat_fold')
