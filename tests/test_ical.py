"""The iCalendar builder, read back by icalendar and, independently, by vobject."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
import vobject.icalendar
from icalendar import Calendar

from consult.ical import CalendarEvent, build_calendar

BERLIN = ZoneInfo("Europe/Berlin")
STAMP = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
TRICKY = "Beratung, Aufenthalt; Arbeit\nZimmer 2\\3, Eingang B;\nEnde"


def event(uid: str = "appointment-1@consult", **changes: Any) -> CalendarEvent:
    starts = changes.pop("starts_dt", datetime(2026, 3, 27, 9, 0, tzinfo=BERLIN))
    fields: dict[str, Any] = {
        "uid": uid,
        "starts_dt": starts,
        "ends_dt": starts + timedelta(minutes=30),
        "summary": "Termin",
    }
    fields.update(changes)
    return CalendarEvent(**fields)


def build(events: Iterable[CalendarEvent], **options: Any) -> bytes:
    options.setdefault("name", "Beratungstag")
    options.setdefault("stamp", STAMP)
    return build_calendar(events, **options)


def read_icalendar(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def read_vobject(data: bytes) -> Any:
    # vobject keeps the first VTIMEZONE it saw per TZID for the whole process; forget
    # them so each test reads times through the VTIMEZONE of the calendar under test.
    registry = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [tzid for tzid in registry if tzid != "UTC"]:
        del registry[tzid]
    return vobject.readOne(data.decode("utf-8"))


def vobject_events(calendar: Any) -> list[Any]:
    return list(calendar.contents.get("vevent", []))


def test_events_are_all_there_sorted_by_start_then_uid() -> None:
    later = datetime(2026, 3, 27, 11, 0, tzinfo=BERLIN)
    events = [
        event("c@consult", starts_dt=later),
        event("b@consult"),
        event("a@consult"),
    ]

    data = build(events)

    expected = ["a@consult", "b@consult", "c@consult"]
    assert [str(e["UID"]) for e in read_icalendar(data).walk("VEVENT")] == expected
    assert [e.uid.value for e in vobject_events(read_vobject(data))] == expected


def test_text_with_commas_semicolons_newlines_and_backslashes_round_trips() -> None:
    data = build(
        [
            event(
                summary=TRICKY,
                description=TRICKY + "\n\nhttps://example.org/v/ABC?x=1,2",
                location="Rathaus, Marktplatz 1; 2. OG\n10115 Berlin",
            )
        ]
    )

    ical = read_icalendar(data).walk("VEVENT")[0]
    assert str(ical["SUMMARY"]) == TRICKY
    assert str(ical["DESCRIPTION"]) == TRICKY + "\n\nhttps://example.org/v/ABC?x=1,2"
    assert str(ical["LOCATION"]) == "Rathaus, Marktplatz 1; 2. OG\n10115 Berlin"
    vevent = vobject_events(read_vobject(data))[0]
    assert vevent.summary.value == TRICKY
    assert vevent.description.value == TRICKY + "\n\nhttps://example.org/v/ABC?x=1,2"
    assert vevent.location.value == "Rathaus, Marktplatz 1; 2. OG\n10115 Berlin"
    assert b"SUMMARY:Beratung\\, Aufenthalt\\; Arbeit\\nZimmer 2\\\\3" in data


def test_non_ascii_text_round_trips_and_lines_fold_at_75_octets() -> None:
    arabic = "موعد مع مكتب الهجرة، الغرفة ٣ — يرجى إحضار جواز السفر وشهادة الميلاد"
    ukrainian = "Консультація щодо дозволу на проживання; кімната 3, вхід Б"
    german = "Größere Übersicht: Ärztliche Bescheinigung für die Ausländerbehörde"
    data = build([event(summary=arabic, description=ukrainian, location=german)])

    ical = read_icalendar(data).walk("VEVENT")[0]
    assert (str(ical["SUMMARY"]), str(ical["DESCRIPTION"]), str(ical["LOCATION"])) == (
        arabic,
        ukrainian,
        german,
    )
    vevent = vobject_events(read_vobject(data))[0]
    assert (vevent.summary.value, vevent.description.value, vevent.location.value) == (
        arabic,
        ukrainian,
        german,
    )
    lines = data.split(b"\r\n")
    assert lines[-1] == b""
    assert any(line.startswith(b" ") for line in lines), "long lines are folded"
    for line in lines:
        assert len(line) <= 75
        line.decode("utf-8")  # folding never splits a multi-byte character
        assert b"\n" not in line and b"\r" not in line


def test_geo_sequence_status_url_categories_and_last_modified() -> None:
    changed = datetime(2026, 2, 1, 10, 30, 15, 999, tzinfo=BERLIN)
    data = build(
        [
            event(
                geo=(52.520008, 13.404954),
                url="https://consult.example.org/v/K7M2-Q9",
                sequence=3,
                status="TENTATIVE",
                last_modified=changed,
                categories=("Beratung", "Aufenthalt, Arbeit"),
            )
        ]
    )

    ical = read_icalendar(data).walk("VEVENT")[0]
    assert (ical["GEO"].latitude, ical["GEO"].longitude) == (52.520008, 13.404954)
    assert int(ical["SEQUENCE"]) == 3
    assert str(ical["STATUS"]) == "TENTATIVE"
    assert str(ical["URL"]) == "https://consult.example.org/v/K7M2-Q9"
    assert ical.decoded("LAST-MODIFIED") == datetime(2026, 2, 1, 9, 30, 15, tzinfo=UTC)
    assert ical.decoded("DTSTAMP") == STAMP
    assert list(ical["CATEGORIES"].cats) == ["Beratung", "Aufenthalt, Arbeit"]
    assert b"\r\nGEO:52.520008;13.404954\r\n" in data
    assert b"\r\nLAST-MODIFIED:20260201T093015Z\r\n" in data

    vevent = vobject_events(read_vobject(data))[0]
    latitude, longitude = vevent.geo.value.split(";")
    assert (float(latitude), float(longitude)) == (52.520008, 13.404954)
    assert int(vevent.sequence.value) == 3
    assert vevent.status.value == "TENTATIVE"
    assert vevent.url.value == "https://consult.example.org/v/K7M2-Q9"
    assert vevent.categories.value == ["Beratung", "Aufenthalt, Arbeit"]
    assert vevent.last_modified.value == datetime(2026, 2, 1, 9, 30, 15, tzinfo=UTC)
    assert vevent.dtstamp.value == STAMP


def test_optional_fields_are_left_out_when_not_given() -> None:
    data = build([event()])

    ical = read_icalendar(data).walk("VEVENT")[0]
    for name in ("DESCRIPTION", "LOCATION", "GEO", "URL", "CATEGORIES", "LAST-MODIFIED"):
        assert name not in ical
    assert int(ical["SEQUENCE"]) == 0
    assert str(ical["STATUS"]) == "CONFIRMED"


def test_cancelled_events_stay_in_the_feed_as_cancelled() -> None:
    data = build([event("kept@consult"), event("gone@consult", status="CANCELLED", sequence=1)])

    ical = {str(e["UID"]): e for e in read_icalendar(data).walk("VEVENT")}
    assert str(ical["gone@consult"]["STATUS"]) == "CANCELLED"
    assert int(ical["gone@consult"]["SEQUENCE"]) == 1
    assert str(ical["kept@consult"]["STATUS"]) == "CONFIRMED"
    statuses = {e.uid.value: e.status.value for e in vobject_events(read_vobject(data))}
    assert statuses == {"kept@consult": "CONFIRMED", "gone@consult": "CANCELLED"}


def test_calendar_properties() -> None:
    data = build(
        [event()],
        name="Beratungstag, Rathaus; Mitte\nيوم الاستشارة",
        refresh_minutes=15,
        prodid="-//consult//test//DE",
    )

    calendar = read_icalendar(data)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//consult//test//DE"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    # icalendar reads NAME and X-* verbatim, but they are TEXT (RFC 5545 3.8.8.2, RFC 7986):
    # escaped here, unescaped by vobject below.
    for prop in ("NAME", "X-WR-CALNAME"):
        assert calendar[prop].to_ical().decode() == (
            "Beratungstag\\, Rathaus\\; Mitte\\nيوم الاستشارة"
        )
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Berlin"
    assert calendar.refresh_interval == timedelta(minutes=15)
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n" in data
    assert b"\r\nX-PUBLISHED-TTL:PT15M\r\n" in data

    other = read_vobject(data)
    assert other.version.value == "2.0"
    assert other.method.value == "PUBLISH"
    for prop in ("name", "x-wr-calname"):
        assert other.contents[prop][0].value == "Beratungstag, Rathaus; Mitte\nيوم الاستشارة"
    assert other.contents["x-published-ttl"][0].value == "PT15M"


def test_method_and_refresh_can_be_left_out() -> None:
    data = build([event()], method=None)

    calendar = read_icalendar(data)
    for name in ("METHOD", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"):
        assert name not in calendar


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        ("2026-03-27", 8),  # CET, before the spring change on 29 March
        ("2026-03-30", 7),  # CEST
        ("2026-10-23", 7),  # CEST, before the autumn change on 25 October
        ("2026-10-26", 8),  # CET
    ],
)
@pytest.mark.parametrize("given_in", [BERLIN, UTC, ZoneInfo("America/New_York")])
def test_nine_oclock_in_berlin_stays_nine_across_daylight_saving(
    day: str, utc_hour: int, given_in: ZoneInfo
) -> None:
    local = datetime.fromisoformat(f"{day}T09:00").replace(tzinfo=BERLIN)
    data = build([event(starts_dt=local.astimezone(given_in))])

    compact = day.replace("-", "")
    assert f"\r\nDTSTART;TZID=Europe/Berlin:{compact}T090000\r\n".encode() in data
    assert f"\r\nDTEND;TZID=Europe/Berlin:{compact}T093000\r\n".encode() in data
    utc = datetime.fromisoformat(f"{day}T{utc_hour:02}:00").replace(tzinfo=UTC)

    ical = read_icalendar(data).walk("VEVENT")[0]
    starts = ical.decoded("DTSTART")
    assert (starts.hour, starts.minute) == (9, 0)
    assert starts.astimezone(UTC) == utc
    assert ical.decoded("DTEND").astimezone(UTC) == utc + timedelta(minutes=30)

    # vobject resolves TZID through the VTIMEZONE in the file, not through a tz database.
    other = read_vobject(data)
    vevent = vobject_events(other)[0]
    assert repr(vevent.dtstart.value.tzinfo) == "<tzicalvtz 'Europe/Berlin'>"
    assert (vevent.dtstart.value.hour, vevent.dtstart.value.minute) == (9, 0)
    assert vevent.dtstart.value.astimezone(UTC) == utc
    assert vevent.dtend.value.astimezone(UTC) == utc + timedelta(minutes=30)


def test_vtimezone_for_berlin_has_standard_and_daylight() -> None:
    data = build([event()])

    timezones = read_icalendar(data).walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Berlin"]
    assert timezones[0].standard and timezones[0].daylight
    assert data.index(b"BEGIN:VTIMEZONE") < data.index(b"BEGIN:VEVENT")
    assert read_icalendar(data).get_missing_tzids() == set()


@pytest.mark.parametrize("tz", ["Europe/Berlin", "Europe/Kyiv", "America/New_York"])
def test_vtimezone_matches_the_tz_database_every_hour_of_the_years_in_use(tz: str) -> None:
    zone = ZoneInfo(tz)
    events = [
        event("early@consult", starts_dt=datetime(2026, 5, 4, 9, 0, tzinfo=zone)),
        event("late@consult", starts_dt=datetime(2027, 11, 8, 9, 0, tzinfo=zone)),
    ]
    data = build(events, tz=tz)

    vtimezone = read_vobject(data).vtimezone.gettzinfo()
    instant = datetime(2026, 1, 1, tzinfo=UTC)
    while instant < datetime(2028, 1, 1, tzinfo=UTC):
        wall = instant.astimezone(zone).replace(tzinfo=None)
        ambiguous = (
            wall.replace(fold=0, tzinfo=zone).utcoffset()
            != wall.replace(fold=1, tzinfo=zone).utcoffset()
        )
        if not ambiguous:
            assert (
                wall.replace(tzinfo=vtimezone).utcoffset() == instant.astimezone(zone).utcoffset()
            ), wall
        instant += timedelta(hours=1)


def test_vtimezone_onsets_are_local_times_before_the_change_one_rdate_a_line() -> None:
    events = [
        event("early@consult", starts_dt=datetime(2026, 5, 4, 9, 0, tzinfo=BERLIN)),
        event("late@consult", starts_dt=datetime(2030, 7, 1, 9, 0, tzinfo=BERLIN)),
    ]
    data = build(events)

    # Summer time starts at 02:00 CET and ends at 03:00 CEST (RFC 5545 3.6.5).
    assert b"\r\nDTSTART:20260329T020000\r\nRDATE:20270328T020000\r\n" in data
    assert b"\r\nDTSTART:20261025T030000\r\nRDATE:20271031T030000\r\n" in data
    assert b"\r\nRDATE:20300331T020000\r\n" in data
    assert not re.search(rb"\r\nRDATE:[^\r]*,", data), "one RDATE value a line"
    # Some readers keep only the first value of an RDATE list: read 2030 back in one.
    vevent = {e.uid.value: e for e in vobject_events(read_vobject(data))}["late@consult"]
    assert vevent.dtstart.value.astimezone(UTC) == datetime(2030, 7, 1, 7, 0, tzinfo=UTC)


def test_same_input_gives_the_same_bytes() -> None:
    events = [
        event("b@consult", summary=TRICKY, geo=(52.5, 13.4), categories=("x", "y")),
        event("a@consult", starts_dt=datetime(2026, 10, 26, 9, 0, tzinfo=BERLIN)),
    ]

    first = build(events, refresh_minutes=30)
    assert build(events, refresh_minutes=30) == first
    assert build(list(reversed(events)), refresh_minutes=30) == first
    assert build(iter(events), refresh_minutes=30) == first


def test_dtstamp_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    data = build_calendar([event()], name="x")
    after = datetime.now(UTC)

    stamp = read_icalendar(data).walk("VEVENT")[0].decoded("DTSTAMP")
    assert stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= after
    assert re.search(rb"\r\nDTSTAMP:\d{8}T\d{6}Z\r\n", data)


def test_an_empty_calendar_is_still_valid() -> None:
    data = build([], name="Keine Termine")

    calendar = read_icalendar(data)
    calendar.validate()  # RFC 5545 needs at least one component: the VTIMEZONE
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == "Keine Termine"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    other = read_vobject(data)
    assert vobject_events(other) == []
    assert other.contents["x-wr-calname"][0].value == "Keine Termine"
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")


def test_control_characters_are_dropped_from_text() -> None:
    data = build([event(summary="Ter\x00min\x07\tA", description="a\r\nb\x1bc")])

    ical = read_icalendar(data).walk("VEVENT")[0]
    assert str(ical["SUMMARY"]) == "Termin\tA"
    assert str(ical["DESCRIPTION"]) == "a\nbc"


NAIVE = datetime(2026, 3, 27, 9, 0)


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"starts_dt": NAIVE, "ends_dt": NAIVE + timedelta(hours=1)}, id="naive"),
        pytest.param({"ends_dt": NAIVE}, id="naive-end"),
        pytest.param({"ends_dt": datetime(2026, 3, 27, 9, 0, tzinfo=BERLIN)}, id="empty"),
        pytest.param({"ends_dt": datetime(2026, 3, 27, 8, 0, tzinfo=BERLIN)}, id="backwards"),
        pytest.param(
            {"ends_dt": datetime(2026, 3, 27, 9, 0, 0, 500, tzinfo=BERLIN)}, id="sub-second"
        ),
        pytest.param({"last_modified": NAIVE}, id="naive-last-modified"),
        pytest.param({"status": "DONE"}, id="unknown-status"),
        pytest.param({"status": "cancelled"}, id="lowercase-status"),
        pytest.param({"sequence": -1}, id="negative-sequence"),
        pytest.param({"geo": (91.0, 13.4)}, id="latitude"),
        pytest.param({"geo": (52.5, float("nan"))}, id="nan-longitude"),
        pytest.param({"uid": ""}, id="empty-uid"),
        pytest.param({"uid": "a\nb@consult"}, id="uid-newline"),
        pytest.param({"url": "https://x.example/a b"}, id="url-space"),
    ],
)
def test_invalid_events_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        build([dataclasses.replace(event(), **bad)])


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"tz": "Europe/Atlantis"}, id="unknown-zone"),
        pytest.param({"tz": "../etc/passwd"}, id="path-as-zone"),
        pytest.param({"tz": ""}, id="empty-zone"),
        pytest.param({"stamp": NAIVE}, id="naive-stamp"),
        pytest.param({"refresh_minutes": 0}, id="zero-refresh"),
    ],
)
def test_invalid_calendar_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        build([event()], **options)


def test_duplicate_uids_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        build([event("same@consult"), event("same@consult", summary="other")])
