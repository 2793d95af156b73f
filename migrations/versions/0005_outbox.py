"""The outbox of messages to people, and a visit's wish for no more messages.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 04:17:19.978596

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('booked', 'moved', 'cancelled', 'appointment_cancelled', 'day_cancelled', 'replanned', 'referral', 'reminder', 'offer', 'offer_expiring', name='messagekind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('channel', sa.Enum('email', 'sms', name='channel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('waitlist_entry_id', sa.Integer(), nullable=True),
    sa.Column('day_id', sa.Integer(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=160), nullable=False),
    sa.Column('due_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', 'dropped', name='messagestatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_dt', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['day_id'], ['consultation_day.id'], name=op.f('fk_message_day_id_consultation_day')),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_message_visit_id_visit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['waitlist_entry_id'], ['waitlist_entry.id'], name=op.f('fk_message_waitlist_entry_id_waitlist_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_message_dedupe_key'))
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_day_id'), ['day_id'], unique=False)
        batch_op.create_index('ix_message_due', ['status', 'due_dt'], unique=False)
        batch_op.create_index('ix_message_recipient_sent', ['recipient', 'sent_dt'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_visit_id'), ['visit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_waitlist_entry_id'), ['waitlist_entry_id'], unique=False)

    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('messages_stopped', sa.Boolean(), server_default=sa.false(), nullable=False)
        )



def downgrade():
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_column('messages_stopped')

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_waitlist_entry_id'))
        batch_op.drop_index(batch_op.f('ix_message_visit_id'))
        batch_op.drop_index('ix_message_recipient_sent')
        batch_op.drop_index('ix_message_due')
        batch_op.drop_index(batch_op.f('ix_message_day_id'))

    op.drop_table('message')
