"""What a message says: subject, text and HTML for e-mail, a short text for SMS.

Rendered when the message is sent, from the visit as it is then, in the person's
language with the German text below it (as the confirmation page shows both). Messages
never contain case notes. Needs a request context for `CONSULT_BASE_URL` (the delivery
worker opens one), so that `url_for` builds the links people open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from consult.i18n import format_day, format_local_moment, format_local_time, text_direction
from consult.messages.mail import Attachment
from consult.messages.sms import count_segments
from consult.models import (
    Appointment,
    AppointmentStatus,
    Localized,
    Message,
    MessageKind,
    Visit,
)
from consult.visit_calendar import visit_ics

# Kinds whose message carries the visit's times as an invitation (METHOD:REQUEST).
INVITING = frozenset(
    {
        MessageKind.BOOKED,
        MessageKind.MOVED,
        MessageKind.REPLANNED,
        MessageKind.REFERRAL,
        MessageKind.REMINDER,
    }
)
# Kinds that offer a held time: the person may come, so they learn what to bring.
OFFERING = frozenset({MessageKind.OFFER, MessageKind.OFFER_EXPIRING})

MAX_SMS_SEGMENTS = 2


@dataclass(frozen=True)
class Part:
    """The message in one language."""

    language: str
    direction: str
    subject: str
    lines: tuple[str, ...]
    timeline: tuple[str, ...]
    place: tuple[Localized, ...]
    bring_heading: str
    bring: tuple[tuple[str, Localized], ...]  # topic name, what to bring for it
    link_text: str
    stop_text: str


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    text: str
    html: str
    sms: str
    attachments: tuple[Attachment, ...]


# Each kind's subject from the date of the visit and, for offers, the time they run out;
# the text is looked up when called, in the locale then in force.
_SUBJECTS: dict[MessageKind, Callable[[str, str], str]] = {
    MessageKind.BOOKED: lambda d, _u: _("Your visit on %(date)s is booked", date=d),
    MessageKind.MOVED: lambda d, _u: _("Your visit has been moved to %(date)s", date=d),
    MessageKind.CANCELLED: lambda d, _u: _("Your visit on %(date)s is cancelled", date=d),
    MessageKind.APPOINTMENT_CANCELLED: lambda d, _u: _(
        "One appointment of your visit on %(date)s is cancelled", date=d
    ),
    MessageKind.DAY_CANCELLED: lambda d, _u: _(
        "The consultation day on %(date)s is cancelled", date=d
    ),
    MessageKind.REPLANNED: lambda d, _u: _("New times for your visit on %(date)s", date=d),
    MessageKind.REFERRAL: lambda d, _u: _("A new appointment for you on %(date)s", date=d),
    MessageKind.REMINDER: lambda d, _u: _("Reminder: your visit on %(date)s", date=d),
    MessageKind.OFFER: lambda d, u: _(
        "A time for you on %(date)s: please answer by %(until)s", date=d, until=u
    ),
    MessageKind.OFFER_EXPIRING: lambda d, u: _(
        "Your time on %(date)s is held only until %(until)s", date=d, until=u
    ),
}


def _until(visit: Visit) -> str:
    """When the offer of this visit runs out, in the person's words ("" if none)."""
    if visit.offer_expires_dt is None:
        return ""
    return format_local_moment(visit.offer_expires_dt, visit.day.location.timezone)


def render(message: Message, visit: Visit, *, sender: str) -> Rendered:
    """The message about `visit`, ready for its channel."""
    languages = [message.language] + (["de"] if message.language != "de" else [])
    parts = [_part(message, visit, language) for language in languages]
    # A family's messages name the group's one reference, the lead's.
    link = url_for("public.visit", reference=visit.group[0].reference, _external=True)
    text = "\n\n— Deutsch —\n\n".join(_plain(part, link) for part in parts)
    html = render_template("messages/mail.html", parts=parts, link=link)
    sms = _sms(message, visit, link)
    attachments = _attachments(message, visit, sender)
    return Rendered(message.language, parts[0].subject, text, html, sms, attachments)


def _sms(message: Message, visit: Visit, link: str) -> str:
    """At most two segments: the subject, the first time and the place, and the link."""
    day = visit.day
    first = min((a.starts_dt for a in visit.appointments), default=None)
    with force_locale(message.language):
        subject = _SUBJECTS[message.kind](format_day(day.date, "short"), _until(visit))
        time = format_local_time(first, day.location.timezone) if first else ""
    for text in (
        f"{subject}, {time}, {day.location.name}. {link}",
        f"{subject}, {time}. {link}",
        f"{subject}. {link}",
    ):
        if count_segments(text).count <= MAX_SMS_SEGMENTS:
            return text
    return link


def _part(message: Message, visit: Visit, language: str) -> Part:
    day = visit.day
    zone = day.location.timezone
    with force_locale(language):
        subject = _SUBJECTS[message.kind](format_day(day.date), _until(visit))
        lines = []
        reason = message.params.get("reason")
        if reason:
            lines.append(_("Reason: %(reason)s", reason=reason))
        if visit.group_lead is not None:
            lines.append(_("This message is about %(name)s.", name=visit.name or visit.reference))
        lines += _family_lines(message, visit)
        shown = _shown_appointments(message, visit)
        timeline = tuple(
            " ".join(
                part
                for part in (
                    f"{format_local_time(a.starts_dt, zone)}–{format_local_time(a.ends_dt, zone)}",
                    a.agency.name,
                    _("Room %(room)s", room=a.room) if a.room else "",
                    _("(cancelled)") if a.status is AppointmentStatus.CANCELLED else "",
                )
                if part
            )
            for a in shown
        )
        address = Localized(day.location.address, language)
        place = tuple(p for p in (address, day.location.directions_in(language)) if p)
        bring = ()
        if message.kind in INVITING or message.kind in OFFERING:
            bring = tuple(
                (topic.name_in(language), text)
                for topic in visit.topics
                if (text := topic.bring_in(language))
            )
        if message.kind in OFFERING:
            lines.append(
                _(
                    "A time became free on a day you were waiting for, and we hold it for you "
                    "until %(until)s. Open your visit to book it or to say no; then it goes to "
                    "the next person.",
                    until=_until(visit),
                )
            )
        lines.append(_("Booking reference: %(reference)s", reference=visit.group[0].reference))
        if message.kind in INVITING:
            lines.append(_("Please come 10 minutes before your first appointment."))
        return Part(
            language=language,
            direction=text_direction(language),
            subject=subject,
            lines=tuple(lines),
            timeline=timeline,
            place=place,
            bring_heading=_("What to bring"),
            bring=bring,
            link_text=_("See, move or cancel your visit:"),
            stop_text=_(
                "You do not want these messages any more? Open your visit and choose "
                "\u201cNo more messages\u201d."
            ),
        )


def _family_lines(message: Message, visit: Visit) -> list[str]:
    """For a family's visit, "name: times" for every person (the lead's contact hears for all)."""
    if len(visit.group) == 1 or message.kind is MessageKind.APPOINTMENT_CANCELLED:
        return []
    zone = visit.day.location.timezone
    lines = [_("Everybody in this visit:")]
    for person in visit.group:
        times = ", ".join(
            f"{format_local_time(a.starts_dt, zone)} {a.agency.name}"
            for a in _shown_appointments(message, person)
        )
        lines.append(f"{person.name or person.reference}: {times}".rstrip(": "))
    return lines


def _shown_appointments(message: Message, visit: Visit) -> Sequence[Appointment]:
    if message.kind is MessageKind.APPOINTMENT_CANCELLED:
        return [a for a in visit.appointments if a.id == message.params.get("appointment")]
    if message.kind in (MessageKind.CANCELLED, MessageKind.DAY_CANCELLED):
        return sorted(visit.appointments, key=lambda a: a.starts_dt)
    return sorted(visit.active_appointments, key=lambda a: a.starts_dt)


def _plain(part: Part, link: str) -> str:
    bring = [f"{part.bring_heading}:"] + [f"- {name}: {text}" for name, text in part.bring]
    blocks = [
        part.subject,
        "\n".join(part.timeline),
        "\n".join(str(p) for p in part.place),
        "\n".join(bring) if part.bring else "",
        "\n".join(part.lines),
    ]
    blocks += [f"{part.link_text}\n{link}", part.stop_text]
    return "\n\n".join(block for block in blocks if block)


def _attachments(message: Message, visit: Visit, sender: str) -> tuple[Attachment, ...]:
    """An invitation with the times booked, and a cancellation of the times given up."""
    attachments = []
    if message.kind in INVITING and visit.active_appointments:
        data = visit_ics(visit, visit.active_appointments, method="REQUEST", organizer=sender)
        attachments.append(Attachment("invite.ics", "text/calendar; method=REQUEST", data))
    if message.kind is not MessageKind.REMINDER:
        shown = _shown_appointments(message, visit)
        if message.kind in INVITING:  # a move gives up the times it leaves
            shown = visit.appointments
        cancelled = [a for a in shown if a.status is AppointmentStatus.CANCELLED]
        if cancelled:
            data = visit_ics(visit, cancelled, method="CANCEL", organizer=sender)
            attachments.append(Attachment("cancel.ics", "text/calendar; method=CANCEL", data))
    return tuple(attachments)
