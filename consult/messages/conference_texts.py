"""What a message about a case conference says to an advisor: when, where, which agencies.

Never the person's name, topics or notes: only "case conference", the time, the room
or the meeting link, and the agencies. In the advisor's own language.
"""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from consult.conferences.calendar import conference_event
from consult.errors import N_
from consult.i18n import format_day, format_local_time, text_direction
from consult.ical import build_calendar
from consult.messages.mail import Attachment
from consult.messages.texts import Rendered
from consult.models import CaseConference, ConferenceStatus, Message, MessageKind


def zone_of(conference: CaseConference) -> str:
    """The time zone the conference is shown in: that of the visit's location."""
    return conference.visit.day.location.timezone


def why_not(message: Message) -> str:
    """Why this conference message must not go out (any more), or "" if it may."""
    conference = message.conference
    if conference is None or message.recipient is None:
        return N_("The case conference was deleted.")
    if (
        message.kind is MessageKind.CONFERENCE_INVITED
        and conference.status is ConferenceStatus.CANCELLED
    ):
        return N_("The case conference was cancelled meanwhile.")
    return ""


def render_conference(message: Message, conference: CaseConference, *, sender: str) -> Rendered:
    """The invitation or cancellation, in the recipient's language, with its calendar file.

    The file is an invitation (METHOD:REQUEST), or a cancellation (METHOD:CANCEL) under
    the same UID, so that a calendar app adds the event and later removes it.
    """
    zone = zone_of(conference)
    link = url_for("conferences.show", conference_id=conference.id, _external=True)
    with force_locale(message.language):
        local = conference.starts_dt.astimezone(ZoneInfo(zone)).date()
        day = format_day(local)
        if message.kind is MessageKind.CONFERENCE_CANCELLED:
            subject = _("Case conference on %(date)s is cancelled", date=day)
        else:
            subject = _("Invitation to a case conference on %(date)s", date=day)
        times = f"{format_local_time(conference.starts_dt, zone)}–" + format_local_time(
            conference.ends_dt, zone
        )
        lines = [
            _("Case conference"),
            _("Time: %(time)s", time=times),
            _("Meeting link: %(link)s", link=conference.meeting_link)
            if conference.meeting_link
            else _("Room %(room)s", room=conference.room)
            if conference.room
            else "",
            _("Agencies: %(agencies)s", agencies=", ".join(a.name for a in conference.agencies)),
        ]
        reason = message.params.get("reason")
        if reason:
            lines.append(_("Reason: %(reason)s", reason=reason))
        lines = [line for line in lines if line]
        link_text = _("Open the case conference:")
        event = replace(conference_event(conference), organizer=sender)
        name = _("Case conference")
    cancelled = message.kind is MessageKind.CONFERENCE_CANCELLED
    if cancelled:
        event = replace(event, status="CANCELLED")
    method = "CANCEL" if cancelled else "REQUEST"
    data = build_calendar([event], name=name, tz=zone, method=method)
    filename = "cancel.ics" if cancelled else "invite.ics"
    attachment = Attachment(filename, f"text/calendar; method={method}", data)
    text = "\n".join([subject, "", *lines, "", f"{link_text}\n{link}"])
    html = render_template(
        "messages/conference.html",
        language=message.language,
        direction=text_direction(message.language),
        subject=subject,
        lines=lines,
        link_text=link_text,
        link=link,
    )
    return Rendered(message.language, subject, text, html, f"{subject}. {link}", (attachment,))
