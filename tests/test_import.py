"""Reading advisors' calendar exports: real exports, broken files and hostile details."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from consult.errors import DomainError
from consult.tours.importing import (
    MAX_BYTES,
    MAX_EVENTS,
    CalendarImportError,
    ParsedCalendar,
    SkippedEvent,
    parse_calendar,
)

FIXTURES = Path(__file__).parent / "fixtures" / "ics"
NOW = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)  # Friday 09:00 in Berlin
BERLIN = ZoneInfo("Europe/Berlin")

ALL_DAY = "This event has no start time (all-day event)."
NO_START = "This event has no start time."
NO_END = "This event has no end time."
NOT_AFTER_START = "This event does not end after it starts."
NOT_ONE_DAY = (
    "This event does not fit into one day: it ends on another day"
    " or lasts longer than %(hours)d hours."
)
CANCELLED = "This event is cancelled."
PAST = "This event is already over."
TOO_FAR = "This event is more than %(days)d days ahead."
NO_DATES = "This recurring event has no dates in the next %(days)d days."
TOO_FREQUENT = "This event repeats more than once a day."
BAD_RULE = "This recurring event uses a repeat rule that cannot be imported."

NOT_A_CALENDAR = (
    "This is not a calendar file. Please upload the .ics file that your calendar app exports."
)
NOT_UTF8 = "The file is not UTF-8 text. Please export the calendar again as an .ics file."
INCOMPLETE = "The file is incomplete. Please export the calendar again."
UNREADABLE = "The calendar file cannot be read. Please export the calendar again."


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse(data: bytes, **options: object) -> ParsedCalendar:
    options.setdefault("zone", "Europe/Berlin")
    options.setdefault("now", NOW)
    return parse_calendar(data, **options)  # type: ignore[arg-type]


def local(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%a %Y-%m-%d %H:%M")


def stops(parsed: ParsedCalendar) -> list[tuple[str, str, str]]:
    """Summary, local start and local end time of every imported event."""
    return [
        (event.summary, local(event.starts_dt), local(event.ends_dt)[-5:])
        for event in parsed.events
    ]


def reasons(parsed: ParsedCalendar) -> list[tuple[str, str, dict[str, object]]]:
    return [(skipped.summary, skipped.reason, skipped.params) for skipped in parsed.skipped]


def vevent(
    *lines: str,
    uid: str | None = "stop-1@beratung.example",
    start: str | None = "DTSTART;TZID=Europe/Berlin:20300312T090000",
    end: str | None = "DTEND;TZID=Europe/Berlin:20300312T120000",
    summary: str = "Beratung",
) -> str:
    head = [f"UID:{uid}"] if uid is not None else []
    times = [line for line in (start, end) if line is not None]
    return "\n".join(["BEGIN:VEVENT", *head, f"SUMMARY:{summary}", *times, *lines, "END:VEVENT"])


def ics(*components: str, head: tuple[str, ...] = ()) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//consult//tests//EN", *head]
    lines += [line for component in components for line in component.split("\n")]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def refused(data: bytes, **options: object) -> CalendarImportError:
    with pytest.raises(CalendarImportError) as caught:
        parse(data, **options)
    return caught.value


# Real exports -------------------------------------------------------------------


def test_outlook_export_gives_the_single_stop_and_the_weekly_series_without_its_exdate() -> None:
    data = fixture("outlook.ics")
    # What makes this an Outlook file must survive a checkout: CRLF and folded lines.
    assert data.count(b"\r\n") == data.count(b"\n")
    assert b"\r\n " in data

    parsed = parse(data)

    teuchern = ("Sprechstunde Teuchern", "15:30")
    assert stops(parsed) == [
        (teuchern[0], "Thu 2030-03-07 13:00", teuchern[1]),
        ("Beratung Hohenmölsen", "Tue 2030-03-12 09:00", "12:00"),
        (teuchern[0], "Thu 2030-03-14 13:00", teuchern[1]),
        (teuchern[0], "Thu 2030-03-21 13:00", teuchern[1]),
        (teuchern[0], "Thu 2030-03-28 13:00", teuchern[1]),
        # Summer time from 31 March: still 13:00 on the wall clock.
        (teuchern[0], "Thu 2030-04-04 13:00", teuchern[1]),
        (teuchern[0], "Thu 2030-04-11 13:00", teuchern[1]),
        # 18 April is an EXDATE (Maundy Thursday).
        (teuchern[0], "Thu 2030-04-25 13:00", teuchern[1]),
    ]
    single = parsed.events[1]
    assert single.key == (
        "040000008200E00074C5B7101A82E00800000000B0C1D2E3F4A5D601000000000000000010000000"
        "A1B2C3D4E5F60718293A4B5C6D7E8F90#20300312T080000Z"
    )
    assert single.starts_dt == datetime(2030, 3, 12, 8, 0, tzinfo=UTC)
    assert single.starts_dt.tzinfo is UTC
    assert single.location_text == (
        "Rathaus Hohenmölsen, Sitzungssaal im Erdgeschoss (barrierefreier Eingang über den Hof),"
        " Markt 1, 06679 Hohenmölsen"
    )
    assert single.geo is None
    assert [event.recurring for event in parsed.events] == [True, False, *[True] * 6]
    assert reasons(parsed) == [("Beratung Hohenmölsen (Februar)", PAST, {})]
    assert parsed.skipped[0].when == datetime(2030, 2, 20, 9, 0, tzinfo=BERLIN)


def test_google_export_keeps_the_weekly_series_at_10_local_across_the_change_to_summer_time() -> (
    None
):
    parsed = parse(fixture("google.ics"))

    droyssig = "Sprechstunde Droyßig"
    assert stops(parsed) == [
        ("Beratung Osterfeld", "Tue 2030-03-05 14:00", "16:00"),
        (droyssig, "Mon 2030-03-18 10:00", "12:00"),
        (droyssig, "Mon 2030-03-25 10:00", "12:00"),
        (droyssig, "Mon 2030-04-01 10:00", "12:00"),
        (droyssig, "Mon 2030-04-08 10:00", "12:00"),
    ]
    assert [event.key for event in parsed.events[1:3]] == [
        "3q7kdl2m9v0b1c4n8e6r5t2y1u@google.com#20300318T090000Z",
        "3q7kdl2m9v0b1c4n8e6r5t2y1u@google.com#20300325T090000Z",
    ]
    assert parsed.events[3].starts_dt == datetime(2030, 4, 1, 8, 0, tzinfo=UTC)
    assert reasons(parsed) == [
        ("Teamtag Naumburg", ALL_DAY, {}),
        ("Beratung Gutenborn", CANCELLED, {}),
    ]
    assert parsed.skipped[0].when == date(2030, 3, 20)


def test_without_x_wr_timezone_a_utc_series_keeps_its_utc_time_and_moves_locally() -> None:
    data = fixture("google.ics").replace(b"X-WR-TIMEZONE:Europe/Berlin\r\n", b"")

    series = [stop for stop in stops(parse(data)) if stop[0] == "Sprechstunde Droyßig"]

    # This is the drift that X-WR-TIMEZONE prevents in the test above.
    assert [stop[1] for stop in series] == [
        "Mon 2030-03-18 10:00",
        "Mon 2030-03-25 10:00",
        "Mon 2030-04-01 11:00",
        "Mon 2030-04-08 11:00",
    ]


def test_thunderbird_export_applies_count_the_moved_occurrence_geo_and_floating_time() -> None:
    parsed = parse(fixture("thunderbird.ics"))

    zeitz = "Beratung Zeitz"
    assert stops(parsed) == [
        ("Vorgespräch Elsteraue", "Wed 2030-03-06 14:00", "15:30"),
        (zeitz, "Wed 2030-03-13 09:30", "12:30"),
        (zeitz, "Wed 2030-03-20 09:30", "12:30"),
        ("Beratung Zeitz (verschoben)", "Thu 2030-03-28 13:00", "16:00"),
        (zeitz, "Wed 2030-04-03 09:30", "12:30"),
        (zeitz, "Wed 2030-04-10 09:30", "12:30"),
        (zeitz, "Wed 2030-04-17 09:30", "12:30"),
    ]
    moved = parsed.events[3]
    # The moved occurrence keeps the key of the slot it replaces (its RECURRENCE-ID).
    assert moved.key == "7c1e2f4a-3b5d-4e6f-8a9b-0c1d2e3f4a5b#20300327T083000Z"
    assert moved.location_text == "Bürgerhaus Zeitz, Altmarkt 1, 06712 Zeitz"
    assert moved.geo == (51.0478, 12.1383)
    assert all(event.recurring for event in parsed.events[1:])
    assert parsed.events[0].recurring is False
    assert parsed.events[0].geo is None
    assert parsed.skipped == ()


def test_floating_times_are_local_to_the_given_zone() -> None:
    parsed = parse(fixture("thunderbird.ics"), zone="Europe/London")

    elsteraue = parsed.events[0]
    assert elsteraue.summary == "Vorgespräch Elsteraue"
    assert elsteraue.starts_dt == datetime(2030, 3, 6, 14, 0, tzinfo=UTC)  # 14:00 in London
    assert local(parsed.events[1].starts_dt) == "Wed 2030-03-13 09:30"  # TZID wins


@pytest.mark.parametrize("name", ["outlook.ics", "google.ics", "thunderbird.ics"])
def test_keys_are_unique_and_the_same_on_every_parse(name: str) -> None:
    first, second = parse(fixture(name)), parse(fixture(name))

    keys = [event.key for event in first.events]
    assert keys == [event.key for event in second.events]
    assert len(set(keys)) == len(keys)
    assert first == second


def test_events_come_sorted_by_start_across_series() -> None:
    parsed = parse(fixture("outlook.ics"))

    starts = [event.starts_dt for event in parsed.events]
    assert starts == sorted(starts)


# Files that cannot be imported --------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.ics", "The file is empty."),
        ("not_calendar.txt", NOT_A_CALENDAR),
        ("login_page.html", NOT_A_CALENDAR),
        ("screenshot.png", NOT_A_CALENDAR),
        ("truncated.ics", INCOMPLETE),
    ],
)
def test_a_file_that_is_no_calendar_is_refused_with_a_message(name: str, message: str) -> None:
    error = refused(fixture(name))

    assert error.message == message
    assert error.params == {}
    assert isinstance(error, DomainError)


def test_a_file_of_exactly_max_bytes_is_read_and_one_byte_more_is_refused() -> None:
    base = ics(vevent())
    filler = b"X-FILLER:" + b"x" * (MAX_BYTES - len(base) - len(b"X-FILLER:\r\n")) + b"\r\n"
    data = base.replace(b"END:VCALENDAR", filler + b"END:VCALENDAR")
    assert len(data) == MAX_BYTES

    assert len(parse(data).events) == 1
    error = refused(data + b"\n")
    assert error.message == "The file is larger than %(max)d KB."
    assert error.params == {"max": 512}
    assert str(error) == "The file is larger than 512 KB."


def test_a_calendar_without_events_is_refused() -> None:
    todo = "BEGIN:VTODO\nUID:todo-1@x\nSUMMARY:Flyer drucken\nEND:VTODO"

    assert refused(ics(todo)).message == "The file contains no events."
    assert refused(ics()).message == "The file contains no events."


@pytest.mark.parametrize(("count", "allowed"), [(MAX_EVENTS, True), (MAX_EVENTS + 1, False)])
def test_at_most_max_events_after_expanding_the_series(count: int, allowed: bool) -> None:
    data = ics(vevent(f"RRULE:FREQ=DAILY;COUNT={count}"))

    if allowed:
        assert len(parse(data).events) == MAX_EVENTS
        return
    error = refused(data)
    assert error.message == (
        "The file has more than %(max)d events in the next year. Please export a shorter period."
    )
    assert error.params == {"max": 200}


def test_many_single_events_count_towards_max_events() -> None:
    events = [vevent(uid=f"stop-{n}@x") for n in range(MAX_EVENTS + 1)]

    assert refused(ics(*events)).params == {"max": MAX_EVENTS}


def test_text_in_another_encoding_than_utf8_is_refused() -> None:
    latin1 = ics(vevent(summary="Bürgerhaus")).decode().encode("latin-1")
    utf16 = ics(vevent()).decode().encode("utf-16")

    assert refused(latin1).message == NOT_UTF8
    assert refused(utf16).message == NOT_UTF8


@pytest.mark.parametrize(
    "data",
    [
        ics(vevent(), vevent(uid="stop-2@x")).replace(b"BEGIN:VEVENT", b"BEGIN:VEVENT\x00", 1),
        ics(vevent()) + ics(vevent(uid="second-calendar@x")),
        ics("BEGIN:VTIMEZONE\nTZID:Unfinished", vevent()),
    ],
    ids=["nul byte", "two calendars", "unterminated vtimezone"],
)
def test_damaged_calendar_files_are_refused(data: bytes) -> None:
    assert refused(data).message in (NOT_A_CALENDAR, UNREADABLE)


def test_a_file_that_parses_badly_gets_the_unreadable_message() -> None:
    assert refused(ics(vevent()) + ics(vevent(uid="second-calendar@x"))).message == UNREADABLE


# Events that are skipped --------------------------------------------------------


def test_an_event_without_dtstart_is_skipped() -> None:
    parsed = parse(fixture("no_dtstart.ics"))

    assert parsed.events == ()
    assert parsed.skipped == (SkippedEvent("Beratung Lützen (Zeit folgt)", None, NO_START),)


def test_an_event_whose_end_is_before_its_start_is_skipped() -> None:
    parsed = parse(fixture("end_before_start.ics"))

    assert parsed.events == ()
    assert reasons(parsed) == [("Beratung Weißenfels", NOT_AFTER_START, {})]
    assert parsed.skipped[0].when == datetime(2030, 3, 14, 12, 0, tzinfo=BERLIN)


def test_an_event_over_midnight_does_not_fit_into_one_day() -> None:
    parsed = parse(fixture("overnight.ics"))

    assert parsed.events == ()
    assert reasons(parsed) == [("Nachtfahrt nach Naumburg", NOT_ONE_DAY, {"hours": 12})]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("DTSTART;TZID=Europe/Berlin:20300312T090000", "DURATION:PT2H30M", ("09:00", "11:30")),
        ("DTSTART;TZID=Europe/Berlin:20300312T080000", "DURATION:PT12H", ("08:00", "20:00")),
        ("DTSTART;TZID=Europe/Berlin:20300312T200000", "DURATION:PT4H", ("20:00", "00:00")),
        ("DTSTART;TZID=Europe/Berlin:20300312T080000", "DURATION:PT12H1M", NOT_ONE_DAY),
        ("DTSTART;TZID=Europe/Berlin:20300312T090000", "DURATION:P1D", NOT_ONE_DAY),
        ("DTSTART;TZID=Europe/Berlin:20300312T090000", "DURATION:-PT1H", NOT_AFTER_START),
        ("DTSTART;TZID=Europe/Berlin:20300312T090000", None, NO_END),
        (
            "DTSTART;TZID=Europe/Berlin:20300312T090000",
            "DTEND;TZID=Europe/Berlin:20300312T090000",
            NOT_AFTER_START,
        ),
        ("DTSTART;TZID=Europe/Berlin:20300312T090000", "DTEND;VALUE=DATE:20300313", NO_END),
        ("DTSTART;TZID=Europe/Berlin:20300312T230000", "DTEND:20300313T000000Z", NOT_ONE_DAY),
        # Midnight in UTC lies inside the stop; the local day is what counts.
        (
            "DTSTART;TZID=Europe/Berlin:20300313T003000",
            "DTEND:20300313T000000Z",
            ("00:30", "01:00"),
        ),
        ("DTSTART;VALUE=DATE:20300312", "DTEND;VALUE=DATE:20300313", ALL_DAY),
        ("DTSTART:2030-03-12 09:00", "DTEND;TZID=Europe/Berlin:20300312T120000", NO_START),
        ("DTSTART;TZID=Europe/Berlin:20300312T090000", "DTEND:tomorrow", NO_END),
    ],
)
def test_start_end_and_duration_decide_whether_an_event_fits_into_one_day(
    start: str, end: str | None, expected: tuple[str, str] | str
) -> None:
    parsed = parse(ics(vevent(start=start, end=end)))

    if isinstance(expected, str):
        assert parsed.events == ()
        assert [skipped.reason for skipped in parsed.skipped] == [expected]
    else:
        assert parsed.skipped == ()
        assert [(local(e.starts_dt)[-5:], local(e.ends_dt)[-5:]) for e in parsed.events] == [
            expected
        ]


def test_past_running_and_far_future_events_relative_to_now() -> None:
    data = ics(
        vevent(
            uid="running@x",
            summary="Läuft schon",
            start="DTSTART;TZID=Europe/Berlin:20300301T083000",
            end="DTEND;TZID=Europe/Berlin:20300301T100000",
        ),
        vevent(
            uid="just-over@x",
            summary="Gerade vorbei",
            start="DTSTART;TZID=Europe/Berlin:20300301T070000",
            end="DTEND;TZID=Europe/Berlin:20300301T090000",
        ),
        vevent(
            uid="old-all-day@x",
            summary="Alter Teamtag",
            start="DTSTART;VALUE=DATE:20291205",
            end="DTEND;VALUE=DATE:20291206",
        ),
        vevent(
            uid="next-year@x",
            summary="Nächstes Jahr",
            start="DTSTART;TZID=Europe/Berlin:20310303T090000",
            end="DTEND;TZID=Europe/Berlin:20310303T120000",
        ),
    )

    parsed = parse(data)

    assert stops(parsed) == [("Läuft schon", "Fri 2030-03-01 08:30", "10:00")]
    assert reasons(parsed) == [
        ("Gerade vorbei", PAST, {}),
        ("Alter Teamtag", PAST, {}),
        ("Nächstes Jahr", TOO_FAR, {"days": 366}),
    ]


def test_the_horizon_limits_series_and_single_events() -> None:
    data = ics(
        vevent(
            "RRULE:FREQ=WEEKLY;BYDAY=MO",
            start="DTSTART;TZID=Europe/Berlin:20300304T090000",
            end="DTEND;TZID=Europe/Berlin:20300304T100000",
        ),
        vevent(
            uid="april@x",
            summary="April",
            start="DTSTART;TZID=Europe/Berlin:20300405T090000",
            end="DTEND;TZID=Europe/Berlin:20300405T100000",
        ),
    )

    year = parse(data)
    month = parse(data, horizon_days=30)

    assert len(year.events) == 53  # 52 Mondays up to 24 February 2031, plus April
    assert local(year.events[-1].starts_dt) == "Mon 2031-02-24 09:00"
    assert [local(e.starts_dt)[:14] for e in month.events] == [
        "Mon 2030-03-04",
        "Mon 2030-03-11",
        "Mon 2030-03-18",
        "Mon 2030-03-25",
    ]
    assert reasons(month) == [("April", TOO_FAR, {"days": 30})]


def test_a_series_that_has_ended_is_reported_once() -> None:
    data = ics(
        vevent(
            "RRULE:FREQ=WEEKLY;COUNT=3",
            start="DTSTART;TZID=Europe/Berlin:20300107T090000",
            end="DTEND;TZID=Europe/Berlin:20300107T100000",
            summary="Winterreihe",
        ),
    )

    parsed = parse(data)

    assert parsed.events == ()
    assert reasons(parsed) == [("Winterreihe", NO_DATES, {"days": 366})]


def test_a_cancelled_series_is_skipped_once_and_a_cancelled_occurrence_alone() -> None:
    series = vevent(
        "RRULE:FREQ=WEEKLY;COUNT=3",
        uid="weekly@x",
        summary="Woche",
        start="DTSTART;TZID=Europe/Berlin:20300304T090000",
        end="DTEND;TZID=Europe/Berlin:20300304T100000",
    )
    cancelled_day = vevent(
        "RECURRENCE-ID;TZID=Europe/Berlin:20300311T090000",
        "STATUS:CANCELLED",
        uid="weekly@x",
        summary="Woche fällt aus",
        start="DTSTART;TZID=Europe/Berlin:20300311T090000",
        end="DTEND;TZID=Europe/Berlin:20300311T100000",
    )
    cancelled_series = vevent(
        "RRULE:FREQ=DAILY", "STATUS:CANCELLED", uid="daily@x", summary="Täglich"
    )

    parsed = parse(ics(series, cancelled_day, cancelled_series))

    assert stops(parsed) == [
        ("Woche", "Mon 2030-03-04 09:00", "10:00"),
        ("Woche", "Mon 2030-03-18 09:00", "10:00"),
    ]
    assert reasons(parsed) == [("Woche fällt aus", CANCELLED, {}), ("Täglich", CANCELLED, {})]
    assert parsed.skipped[0].when == datetime(2030, 3, 11, 9, 0, tzinfo=BERLIN)


def test_a_changed_occurrence_that_cannot_be_imported_does_not_bring_back_the_original() -> None:
    series = vevent(
        "RRULE:FREQ=WEEKLY;COUNT=2",
        "RDATE;TZID=Europe/Berlin:20300306T140000",
        summary="Reihe",
        start="DTSTART;TZID=Europe/Berlin:20300304T090000",
        end="DTEND;TZID=Europe/Berlin:20300304T100000",
    )
    all_day_change = vevent(
        "RECURRENCE-ID;TZID=Europe/Berlin:20300311T090000",
        summary="Ganzer Tag",
        start="DTSTART;VALUE=DATE:20300311",
        end="DTEND;VALUE=DATE:20300312",
    )

    parsed = parse(ics(series, all_day_change))

    assert stops(parsed) == [
        ("Reihe", "Mon 2030-03-04 09:00", "10:00"),
        ("Reihe", "Wed 2030-03-06 14:00", "15:00"),  # the RDATE
    ]
    assert reasons(parsed) == [("Ganzer Tag", ALL_DAY, {})]


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("RRULE:FREQ=HOURLY;COUNT=5", TOO_FREQUENT),
        ("RRULE:FREQ=MINUTELY", TOO_FREQUENT),
        ("RRULE:FREQ=DAILY;BYHOUR=9,14", TOO_FREQUENT),
        ("RRULE:FREQ=SOMETIMES", BAD_RULE),
        ("RRULE:FREQ=WEEKLY;BYDAY=1MO", BAD_RULE),
        ("RRULE:FREQ=DAILY;BYMONTHDAY=1", BAD_RULE),
        ("RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3", BAD_RULE),
        ("RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=MO", BAD_RULE),
        ("RRULE:FREQ=WEEKLY;COUNT=3;UNTIL=20300401T000000Z", BAD_RULE),
        ("RRULE:FREQ=WEEKLY;X-NAME=1", BAD_RULE),
        ("EXDATE:not-a-date", BAD_RULE),
    ],
)
def test_repeat_rules_that_are_no_plan_of_tour_days_are_skipped(rule: str, reason: str) -> None:
    extra = [rule] if rule.startswith("RRULE") else ["RRULE:FREQ=WEEKLY", rule]

    parsed = parse(ics(vevent(*extra, summary="Regel")))

    assert parsed.events == ()
    assert reasons(parsed) == [("Regel", reason, {})]


def test_a_series_starting_before_1900_is_not_expanded() -> None:
    data = ics(
        vevent(
            "RRULE:FREQ=DAILY",
            start="DTSTART;TZID=Europe/Berlin:00010101T090000",
            end="DTEND;TZID=Europe/Berlin:00010101T100000",
        )
    )

    assert [skipped.reason for skipped in parse(data).skipped] == [BAD_RULE]


@pytest.mark.parametrize(
    ("rule", "days"),
    [
        ("RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=3", ["03-29", "04-26", "05-31"]),
        # Outlook's "last weekday of the month"
        (
            "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
            ["03-29", "04-30", "05-31"],
        ),
        ("RRULE:FREQ=MONTHLY;BYMONTHDAY=29;COUNT=2", ["03-29", "04-29"]),
        ("RRULE:FREQ=DAILY;BYDAY=MO,FR;UNTIL=20300405", ["03-29", "04-01", "04-05"]),
        ("RRULE:FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=29;COUNT=2", ["03-29", "09-29"]),
    ],
)
def test_monthly_daily_and_yearly_rules_that_calendar_apps_write_are_expanded(
    rule: str, days: list[str]
) -> None:
    data = ics(
        vevent(
            rule,
            start="DTSTART;TZID=Europe/Berlin:20300329T090000",
            end="DTEND;TZID=Europe/Berlin:20300329T100000",
        )
    )

    parsed = parse(data)

    assert [local(e.starts_dt)[9:] for e in parsed.events] == [f"{d} 09:00" for d in days]


# Time zones ---------------------------------------------------------------------


def test_a_windows_zone_name_works_without_its_vtimezone() -> None:
    data = ics(
        vevent(
            start="DTSTART;TZID=W. Europe Standard Time:20300412T090000",
            end="DTEND;TZID=W. Europe Standard Time:20300412T120000",
        )
    )

    assert stops(parse(data)) == [("Beratung", "Fri 2030-04-12 09:00", "12:00")]


def test_a_vtimezone_in_one_file_does_not_change_the_times_of_the_next_file() -> None:
    # icalendar keeps the zone of a VTIMEZONE with a non-IANA TZID for the whole
    # process, first definition wins. This TZID appears in no other test, so the
    # wrong definition would be the first one icalendar sees.
    wrong_definition = (
        "BEGIN:VTIMEZONE\nTZID:Romance Standard Time\nBEGIN:STANDARD\n"
        "DTSTART:16010101T000000\nTZOFFSETFROM:+0500\nTZOFFSETTO:+0500\nEND:STANDARD\n"
        "END:VTIMEZONE"
    )
    start = "DTSTART;TZID=Romance Standard Time:20300312T090000"
    end = "DTEND;TZID=Romance Standard Time:20300312T120000"

    first = parse(ics(wrong_definition, vevent(start=start, end=end)))
    second = parse(ics(vevent(start=start, end=end)))

    # Windows names are read from the tz database (Europe/Paris), never from the file.
    paris_nine = datetime(2030, 3, 12, 8, 0, tzinfo=UTC)
    assert first.events[0].starts_dt == paris_nine
    assert second.events[0].starts_dt == paris_nine


def custom_zone(offset: str) -> str:
    return (
        "BEGIN:VTIMEZONE\nTZID:Customized Time Zone\nBEGIN:STANDARD\n"
        f"DTSTART:16010101T000000\nTZOFFSETFROM:{offset}\nTZOFFSETTO:{offset}\n"
        "END:STANDARD\nEND:VTIMEZONE"
    )


def test_a_custom_zone_is_read_from_the_file_that_defines_it() -> None:
    start = "DTSTART;TZID=Customized Time Zone:20300312T090000"
    end = "DTEND;TZID=Customized Time Zone:20300312T100000"

    istanbul_like = parse(ics(custom_zone("+0300"), vevent(start=start, end=end)))
    berlin_like = parse(ics(custom_zone("+0100"), vevent(start=start, end=end)))

    assert istanbul_like.events[0].starts_dt == datetime(2030, 3, 12, 6, 0, tzinfo=UTC)
    assert berlin_like.events[0].starts_dt == datetime(2030, 3, 12, 8, 0, tzinfo=UTC)


def test_a_zone_named_only_in_x_lic_location_is_used() -> None:
    zone = "BEGIN:VTIMEZONE\nTZID:Mitteleuropa\nX-LIC-LOCATION:Europe/Berlin\nEND:VTIMEZONE"
    data = ics(
        zone,
        vevent(
            start="DTSTART;TZID=Mitteleuropa:20300412T090000",
            end="DTEND;TZID=Mitteleuropa:20300412T100000",
        ),
    )

    assert parse(data).events[0].starts_dt == datetime(2030, 4, 12, 7, 0, tzinfo=UTC)


def test_an_unknown_zone_without_definition_counts_as_local_time() -> None:
    data = ics(
        vevent(
            start="DTSTART;TZID=Mars/Olympus:20300312T090000",
            end="DTEND;TZID=Mars/Olympus:20300312T100000",
        )
    )

    assert stops(parse(data)) == [("Beratung", "Tue 2030-03-12 09:00", "10:00")]


def test_a_globally_unique_tzid_from_old_thunderbird_is_read_without_a_warning() -> None:
    tzid = "/mozilla.org/20070129_1/Europe/Berlin"
    data = ics(
        vevent(
            start=f"DTSTART;TZID={tzid}:20300412T090000", end=f"DTEND;TZID={tzid}:20300412T100000"
        )
    )

    # pytest turns warnings into errors, so this also proves the warning is kept in.
    assert parse(data).events[0].starts_dt == datetime(2030, 4, 12, 7, 0, tzinfo=UTC)


def test_an_unknown_x_wr_timezone_is_ignored() -> None:
    data = ics(
        vevent(start="DTSTART:20300312T080000Z", end="DTEND:20300312T090000Z"),
        head=("X-WR-TIMEZONE:Mars/Olympus",),
    )

    assert stops(parse(data)) == [("Beratung", "Tue 2030-03-12 09:00", "10:00")]


def test_a_floating_until_counts_in_the_local_zone_west_of_greenwich() -> None:
    data = ics(
        vevent(
            "RRULE:FREQ=WEEKLY;UNTIL=20300318T100000",
            start="DTSTART:20300304T100000",
            end="DTEND:20300304T110000",
        )
    )

    parsed = parse(data, zone="America/New_York")

    new_york = ZoneInfo("America/New_York")
    assert [e.starts_dt.astimezone(new_york).strftime("%m-%d %H:%M") for e in parsed.events] == [
        "03-04 10:00",
        "03-11 10:00",  # summer time in New York from 10 March
        "03-18 10:00",
    ]


# Untrusted content --------------------------------------------------------------


def test_texts_are_cleaned_and_cut() -> None:
    summary = "Beratung\\n\tZimmer\x07 2\u202e  \\, Eingang B" + "x" * 500
    location = "Bu\u0308rgerhaus   Zeitz" + " Altmarkt" * 100

    parsed = parse(ics(vevent(f"LOCATION:{location}", summary=summary)))

    event = parsed.events[0]
    assert event.summary.startswith("Beratung Zimmer 2 , Eingang Bxxx")
    assert len(event.summary) == 200
    assert event.summary.endswith("x…")
    assert event.location_text.startswith("Bürgerhaus Zeitz Altmarkt")  # composed ü
    assert len(event.location_text) <= 300
    assert event.location_text.endswith("…")


def test_a_fold_inside_a_multibyte_character_is_joined_before_decoding() -> None:
    data = ics(vevent(summary="Bürgerhaus")).replace("ü".encode(), b"\xc3\r\n \xbc")

    assert parse(data).events[0].summary == "Bürgerhaus"


def test_lf_line_endings_and_a_byte_order_mark_are_accepted() -> None:
    data = b"\xef\xbb\xbf" + ics(vevent()).replace(b"\r\n", b"\n")

    assert stops(parse(data)) == [("Beratung", "Tue 2030-03-12 09:00", "12:00")]


@pytest.mark.parametrize("geo", ["GEO:abc", "GEO:91;12", "GEO:51;181", "GEO:nan;12", "GEO:51"])
def test_an_invalid_geo_is_dropped(geo: str) -> None:
    assert parse(ics(vevent(geo))).events[0].geo is None


def test_events_without_uid_get_stable_distinct_keys() -> None:
    data = ics(
        vevent(uid=None, summary="Ohne UID"),
        vevent(uid=None, summary="Auch ohne UID"),
    )

    first, second = parse(data), parse(data)

    keys = [event.key for event in first.events]
    assert len(set(keys)) == 2
    assert all(key.startswith("no-uid-") for key in keys)
    assert keys == [event.key for event in second.events]


def test_a_uid_with_spaces_or_other_scripts_becomes_a_hash_in_the_key() -> None:
    parsed = parse(ics(vevent(uid="Termin für Zeitz")))

    uid_part, moment = parsed.events[0].key.rsplit("#", 1)
    assert uid_part.startswith("sha256-")
    assert moment == "20300312T080000Z"


def test_unknown_components_bad_lines_and_deep_nesting_do_not_stop_the_import() -> None:
    nested = "\n".join(["BEGIN:X-NEST"] * 3000 + ["END:X-NEST"] * 3000)
    data = ics(
        "BEGIN:VJOURNAL\nUID:j@x\nSUMMARY:Notiz\nEND:VJOURNAL",
        vevent("this line has no colon", nested, "X-ALT-DESC;FMTTYPE=text/html:<b>fett</b>"),
    )

    assert stops(parse(data)) == [("Beratung", "Tue 2030-03-12 09:00", "12:00")]


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_calendar(ics(vevent()), zone="Europe/Berlin", now=datetime(2030, 3, 1, 8, 0))
