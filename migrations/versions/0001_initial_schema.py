"""Initial schema: the whole domain model.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 02:38:33.916189

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('short_name', sa.String(length=40), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('website', sa.String(length=200), nullable=False),
    sa.Column('color', sa.String(length=7), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency')),
    sa.UniqueConstraint('slug', name=op.f('uq_agency_slug'))
    )
    op.create_table('client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('erased_dt', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client'))
    )
    op.create_table('location',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('street', sa.String(length=120), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('town', sa.String(length=80), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('timezone', sa.String(length=40), nullable=False),
    sa.Column('changeover_minutes', sa.Integer(), nullable=False),
    sa.Column('accessibility_notes', sa.JSON(), nullable=False),
    sa.Column('directions', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('feed_token', sa.String(length=64), nullable=False),
    sa.CheckConstraint('changeover_minutes BETWEEN 0 AND 60', name=op.f('ck_location_changeover')),
    sa.CheckConstraint('latitude BETWEEN -90 AND 90', name=op.f('ck_location_latitude')),
    sa.CheckConstraint('longitude BETWEEN -180 AND 180', name=op.f('ck_location_longitude')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location')),
    sa.UniqueConstraint('feed_token', name=op.f('uq_location_feed_token')),
    sa.UniqueConstraint('slug', name=op.f('uq_location_slug'))
    )
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_location_town'), ['town'], unique=False)

    op.create_table('topic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('icon', sa.String(length=16), nullable=False),
    sa.Column('phase', sa.SmallInteger(), nullable=False),
    sa.Column('default_minutes', sa.Integer(), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('explanations', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('default_minutes BETWEEN 5 AND 240', name=op.f('ck_topic_default_minutes')),
    sa.CheckConstraint('phase BETWEEN 1 AND 5', name=op.f('ck_topic_phase')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic')),
    sa.UniqueConstraint('slug', name=op.f('uq_topic_slug'))
    )
    op.create_table('day_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('exceptions', sa.JSON(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_day_series_location_id_location')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day_series'))
    )
    op.create_table('staff_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('advisor', 'frontdesk', 'coordinator', 'admin', name='role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('feed_token', sa.String(length=64), nullable=False),
    sa.Column('feed_shows_names', sa.Boolean(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_dt', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role != 'advisor' OR agency_id IS NOT NULL", name=op.f('ck_staff_user_advisor_agency')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_staff_user_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_user')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_user_email')),
    sa.UniqueConstraint('feed_token', name=op.f('uq_staff_user_feed_token'))
    )
    op.create_table('topic_agency',
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_topic_agency_agency_id_agency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_topic_agency_topic_id_topic'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('topic_id', 'agency_id', name=op.f('pk_topic_agency'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_user.id'], name=op.f('fk_audit_log_actor_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at_dt'), ['at_dt'], unique=False)

    op.create_table('consultation_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('joint', 'mobile', name='daykind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'cancelled', name='daystatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=500), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_consultation_day_location_id_location')),
    sa.ForeignKeyConstraint(['series_id'], ['day_series.id'], name=op.f('fk_consultation_day_series_id_day_series')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_day'))
    )
    with op.batch_alter_table('consultation_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_day_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_day_location_id'), ['location_id'], unique=False)

    op.create_table('staff_location',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_staff_location_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], name=op.f('fk_staff_location_staff_id_staff_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_id', 'location_id', name=op.f('pk_staff_location'))
    )
    op.create_table('tour',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('advisor_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'cancelled', name='tourstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['advisor_id'], ['staff_user.id'], name=op.f('fk_tour_advisor_id_staff_user')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_tour_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tour'))
    )
    op.create_table('consultation_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('advisor_id', sa.Integer(), nullable=True),
    sa.Column('starts_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('desks', sa.Integer(), nullable=False),
    sa.Column('rooms', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('interpreter_available', sa.Boolean(), nullable=False),
    sa.Column('breaks', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'withdrawn', name='sessionstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('desks BETWEEN 1 AND 50', name=op.f('ck_consultation_session_desks')),
    sa.CheckConstraint('ends_dt > starts_dt', name=op.f('ck_consultation_session_window')),
    sa.CheckConstraint('slot_minutes BETWEEN 5 AND 240', name=op.f('ck_consultation_session_slot_minutes')),
    sa.ForeignKeyConstraint(['advisor_id'], ['staff_user.id'], name=op.f('fk_consultation_session_advisor_id_staff_user')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_consultation_session_agency_id_agency')),
    sa.ForeignKeyConstraint(['day_id'], ['consultation_day.id'], name=op.f('fk_consultation_session_day_id_consultation_day'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_session'))
    )
    with op.batch_alter_table('consultation_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_session_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_session_day_id'), ['day_id'], unique=False)

    op.create_table('day_invitation',
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_day_invitation_agency_id_agency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['day_id'], ['consultation_day.id'], name=op.f('fk_day_invitation_day_id_consultation_day'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('day_id', 'agency_id', name=op.f('pk_day_invitation'))
    )
    op.create_table('tour_stop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['day_id'], ['consultation_day.id'], name=op.f('fk_tour_stop_day_id_consultation_day')),
    sa.ForeignKeyConstraint(['tour_id'], ['tour.id'], name=op.f('fk_tour_stop_tour_id_tour'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tour_stop')),
    sa.UniqueConstraint('day_id', name=op.f('uq_tour_stop_day_id'))
    )
    with op.batch_alter_table('tour_stop', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tour_stop_tour_id'), ['tour_id'], unique=False)

    op.create_table('visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=14), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('interpreter_wanted', sa.Boolean(), nullable=False),
    sa.Column('walk_in', sa.Boolean(), nullable=False),
    sa.Column('ticket', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('booked', 'cancelled', name='visitstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('cancel_reason', sa.String(length=500), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('erased_dt', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_visit_client_id_client')),
    sa.ForeignKeyConstraint(['day_id'], ['consultation_day.id'], name=op.f('fk_visit_day_id_consultation_day')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit')),
    sa.UniqueConstraint('day_id', 'ticket', name=op.f('uq_visit_day_id_ticket')),
    sa.UniqueConstraint('reference', name=op.f('uq_visit_reference'))
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_day_id'), ['day_id'], unique=False)

    op.create_table('waitlist_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('town', sa.String(length=80), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('day_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('waiting', 'offered', 'booked', 'expired', 'withdrawn', name='waitliststatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('offered_day_id', sa.Integer(), nullable=True),
    sa.Column('offer_expires_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('erased_dt', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['day_id'], ['consultation_day.id'], name=op.f('fk_waitlist_entry_day_id_consultation_day')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_waitlist_entry_location_id_location')),
    sa.ForeignKeyConstraint(['offered_day_id'], ['consultation_day.id'], name=op.f('fk_waitlist_entry_offered_day_id_consultation_day')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entry'))
    )
    with op.batch_alter_table('waitlist_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlist_entry_town'), ['town'], unique=False)

    op.create_table('appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('starts_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('desk', sa.Integer(), nullable=False),
    sa.Column('room', sa.String(length=60), nullable=False),
    sa.Column('status', sa.Enum('booked', 'checked_in', 'in_consultation', 'done', 'cancelled', 'no_show', name='appointmentstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('cancel_reason', sa.String(length=500), nullable=False),
    sa.Column('checked_in_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('called_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_dt > starts_dt', name=op.f('ck_appointment_interval')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_appointment_agency_id_agency')),
    sa.ForeignKeyConstraint(['session_id'], ['consultation_session.id'], name=op.f('fk_appointment_session_id_consultation_session')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_appointment_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment'))
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_starts_dt'), ['starts_dt'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_visit_id'), ['visit_id'], unique=False)

    op.create_table('case_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('is_handover', sa.Boolean(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('visit_id IS NOT NULL OR client_id IS NOT NULL', name=op.f('ck_case_note_subject')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_case_note_agency_id_agency')),
    sa.ForeignKeyConstraint(['author_id'], ['staff_user.id'], name=op.f('fk_case_note_author_id_staff_user')),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_case_note_client_id_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_case_note_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_note'))
    )
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_note_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_note_visit_id'), ['visit_id'], unique=False)

    op.create_table('consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('wording', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('recorded_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_user.id'], name=op.f('fk_consent_recorded_by_id_staff_user')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_consent_visit_id_visit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['staff_user.id'], name=op.f('fk_consent_withdrawn_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent'))
    )
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_visit_id'), ['visit_id'], unique=False)

    op.create_table('session_topic',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['consultation_session.id'], name=op.f('fk_session_topic_session_id_consultation_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_session_topic_topic_id_topic'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'topic_id', name=op.f('pk_session_topic'))
    )
    op.create_table('slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('starts_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_slot_capacity')),
    sa.CheckConstraint('ends_dt > starts_dt', name=op.f('ck_slot_interval')),
    sa.ForeignKeyConstraint(['session_id'], ['consultation_session.id'], name=op.f('fk_slot_session_id_consultation_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slot')),
    sa.UniqueConstraint('session_id', 'starts_dt', name=op.f('uq_slot_session_id_starts_dt'))
    )
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slot_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_slot_starts_dt'), ['starts_dt'], unique=False)

    op.create_table('visit_topic',
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_visit_topic_topic_id_topic'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_visit_topic_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_id', 'topic_id', name=op.f('pk_visit_topic'))
    )
    op.create_table('waitlist_topic',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['waitlist_entry.id'], name=op.f('fk_waitlist_topic_entry_id_waitlist_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_waitlist_topic_topic_id_topic'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', 'topic_id', name=op.f('pk_waitlist_topic'))
    )
    op.create_table('appointment_topic',
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_appointment_topic_appointment_id_appointment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_appointment_topic_topic_id_topic'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('appointment_id', 'topic_id', name=op.f('pk_appointment_topic'))
    )
    op.create_table('seat',
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('desk', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('desk >= 1', name=op.f('ck_seat_desk')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_seat_appointment_id_appointment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], name=op.f('fk_seat_slot_id_slot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('slot_id', 'desk', name=op.f('pk_seat'))
    )
    with op.batch_alter_table('seat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seat_appointment_id'), ['appointment_id'], unique=False)



def downgrade():
    with op.batch_alter_table('seat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seat_appointment_id'))

    op.drop_table('seat')
    op.drop_table('appointment_topic')
    op.drop_table('waitlist_topic')
    op.drop_table('visit_topic')
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slot_starts_dt'))
        batch_op.drop_index(batch_op.f('ix_slot_session_id'))

    op.drop_table('slot')
    op.drop_table('session_topic')
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_visit_id'))

    op.drop_table('consent')
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_note_visit_id'))
        batch_op.drop_index(batch_op.f('ix_case_note_client_id'))

    op.drop_table('case_note')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_visit_id'))
        batch_op.drop_index(batch_op.f('ix_appointment_starts_dt'))
        batch_op.drop_index(batch_op.f('ix_appointment_session_id'))
        batch_op.drop_index(batch_op.f('ix_appointment_agency_id'))

    op.drop_table('appointment')
    with op.batch_alter_table('waitlist_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waitlist_entry_town'))

    op.drop_table('waitlist_entry')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_day_id'))

    op.drop_table('visit')
    with op.batch_alter_table('tour_stop', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tour_stop_tour_id'))

    op.drop_table('tour_stop')
    op.drop_table('day_invitation')
    with op.batch_alter_table('consultation_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_session_day_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_session_agency_id'))

    op.drop_table('consultation_session')
    op.drop_table('tour')
    op.drop_table('staff_location')
    with op.batch_alter_table('consultation_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_day_location_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_day_date'))

    op.drop_table('consultation_day')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at_dt'))

    op.drop_table('audit_log')
    op.drop_table('topic_agency')
    op.drop_table('staff_user')
    op.drop_table('day_series')
    op.drop_table('topic')
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_location_town'))

    op.drop_table('location')
    op.drop_table('client')
    op.drop_table('agency')
