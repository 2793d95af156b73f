"""Case conferences: the conference, its agencies, its desks, its messages; purpose of a consent.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 15:52:02.945345

"""
from alembic import op
import sqlalchemy as sa

KINDS = (
    "'booked', 'moved', 'cancelled', 'appointment_cancelled', 'day_cancelled', 'replanned', "
    "'referral', 'reminder', 'offer', 'offer_expiring'"
)
CONFERENCE_KINDS = ", 'conference_invited', 'conference_cancelled'"


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_conference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'cancelled', 'held', name='conferencestatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('mode', sa.Enum('on_site', 'online', name='conferencemode', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=True),
    sa.Column('starts_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('room', sa.String(length=60), nullable=False),
    sa.Column('meeting_link', sa.String(length=500), nullable=True),
    sa.Column('consent_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('outcome_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=500), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(mode = 'online' AND meeting_link IS NOT NULL) OR (mode = 'on_site' AND day_id IS NOT NULL)", name=op.f('ck_case_conference_place')),
    sa.CheckConstraint('ends_dt > starts_dt', name=op.f('ck_case_conference_interval')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_case_conference_agency_id_agency')),
    sa.ForeignKeyConstraint(['consent_id'], ['consent.id'], name=op.f('fk_case_conference_consent_id_consent')),
    sa.ForeignKeyConstraint(['day_id'], ['consultation_day.id'], name=op.f('fk_case_conference_day_id_consultation_day')),
    sa.ForeignKeyConstraint(['outcome_by_id'], ['staff_user.id'], name=op.f('fk_case_conference_outcome_by_id_staff_user')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['staff_user.id'], name=op.f('fk_case_conference_proposed_by_id_staff_user')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_case_conference_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_conference'))
    )
    with op.batch_alter_table('case_conference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_conference_consent_id'), ['consent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_conference_day_id'), ['day_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_conference_starts_dt'), ['starts_dt'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_conference_visit_id'), ['visit_id'], unique=False)

    op.create_table('conference_agency',
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_conference_agency_agency_id_agency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conference_id'], ['case_conference.id'], name=op.f('fk_conference_agency_conference_id_case_conference'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conference_id', 'agency_id', name=op.f('pk_conference_agency'))
    )
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=20), server_default='share', nullable=False))

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conference_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_message_conference_id'), ['conference_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_message_conference_id_case_conference'), 'case_conference', ['conference_id'], ['id'], ondelete='CASCADE')
        # The kinds are a CHECK constraint (a portable enum): two new ones.
        batch_op.drop_constraint(op.f('ck_message_messagekind'), type_='check')
        batch_op.create_check_constraint('messagekind', sa.text(f"kind IN ({KINDS}{CONFERENCE_KINDS})"))

    with op.batch_alter_table('seat', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conference_id', sa.Integer(), nullable=True))
        batch_op.alter_column('appointment_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_seat_conference_id'), ['conference_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_seat_conference_id_case_conference'), 'case_conference', ['conference_id'], ['id'], ondelete='CASCADE')
        # A seat is held by an appointment or by a conference, never both, never neither.
        batch_op.create_check_constraint('holder', sa.text('(appointment_id IS NULL) != (conference_id IS NULL)'))



def downgrade():
    # Conference desks and messages have no place in the older schema.
    op.execute("DELETE FROM seat WHERE conference_id IS NOT NULL")
    op.execute("DELETE FROM message WHERE conference_id IS NOT NULL")
    with op.batch_alter_table('seat', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_seat_holder'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_seat_conference_id_case_conference'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_seat_conference_id'))
        batch_op.alter_column('appointment_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('conference_id')

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_message_messagekind'), type_='check')
        batch_op.create_check_constraint('messagekind', sa.text(f"kind IN ({KINDS})"))
        batch_op.drop_constraint(batch_op.f('fk_message_conference_id_case_conference'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_message_conference_id'))
        batch_op.drop_column('conference_id')

    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_column('purpose')

    op.drop_table('conference_agency')
    with op.batch_alter_table('case_conference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_conference_visit_id'))
        batch_op.drop_index(batch_op.f('ix_case_conference_starts_dt'))
        batch_op.drop_index(batch_op.f('ix_case_conference_day_id'))
        batch_op.drop_index(batch_op.f('ix_case_conference_consent_id'))

    op.drop_table('case_conference')
