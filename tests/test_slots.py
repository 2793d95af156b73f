from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from consult.errors import DomainError
from consult.slots import (
    Break,
    SlotError,
    SlotSpec,
    generate_slots,
    local_to_utc,
    resolve_zone,
    slots_overlap,
)

WINTER_DAY = date(2026, 1, 13)
SUMMER_DAY = date(2026, 7, 14)
SPRING_FORWARD = date(2026, 3, 29)
FALL_BACK = date(2026, 10, 25)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def assert_well_formed(slots: list[SlotSpec], minutes: int) -> None:
    for slot in slots:
        assert slot.starts_dt.tzinfo is UTC
        assert slot.ends_dt.tzinfo is UTC
        assert slot.ends_dt - slot.starts_dt == timedelta(minutes=minutes)
    for earlier, later in zip(slots, slots[1:], strict=False):
        assert earlier.ends_dt <= later.starts_dt


NINE_IN_UTC = {  # 09:00 in Berlin
    WINTER_DAY: utc(2026, 1, 13, 8, 0),
    SUMMER_DAY: utc(2026, 7, 14, 7, 0),
    SPRING_FORWARD: utc(2026, 3, 29, 7, 0),
    FALL_BACK: utc(2026, 10, 25, 8, 0),
}


def morning(day: date) -> list[SlotSpec]:
    """09:00-12:00 in Berlin on `day`, in 20-minute slots at two desks."""
    return generate_slots(day, time(9, 0), time(12, 0), 20, 2)


@pytest.mark.parametrize("day", [WINTER_DAY, SUMMER_DAY], ids=["winter", "summer"])
def test_normal_berlin_morning(day: date) -> None:
    first_utc = NINE_IN_UTC[day]
    slots = morning(day)

    assert len(slots) == 9
    assert {slot.capacity for slot in slots} == {2}
    assert slots[0] == SlotSpec(first_utc, first_utc + timedelta(minutes=20), 2)
    assert slots[-1].ends_dt == first_utc + timedelta(hours=3)
    assert [slot.starts_dt for slot in slots] == [
        first_utc + timedelta(minutes=20 * i) for i in range(9)
    ]
    assert_well_formed(slots, 20)


def test_default_zone_is_berlin() -> None:
    implicit = generate_slots(WINTER_DAY, time(9, 0), time(10, 0), 30, 1)
    explicit = generate_slots(WINTER_DAY, time(9, 0), time(10, 0), 30, 1, tz="Europe/Berlin")
    assert implicit == explicit


def test_break_removes_overlapping_slots() -> None:
    slots = generate_slots(
        WINTER_DAY, time(9, 0), time(12, 0), 20, 2, breaks=[Break(time(10, 0), time(10, 30))]
    )

    # 10:00 and 10:20 overlap the break; 10:30-10:40 is left unused on the 20-minute grid.
    local_starts = [slot.starts_dt.astimezone(ZoneInfo("Europe/Berlin")).time() for slot in slots]
    assert local_starts == [
        time(9, 0),
        time(9, 20),
        time(9, 40),
        time(10, 40),
        time(11, 0),
        time(11, 20),
        time(11, 40),
    ]
    assert_well_formed(slots, 20)


def test_slots_touching_a_break_are_kept() -> None:
    slots = generate_slots(
        WINTER_DAY, time(9, 0), time(11, 0), 30, 1, breaks=[Break(time(10, 0), time(10, 30))]
    )
    assert [slot.starts_dt for slot in slots] == [
        utc(2026, 1, 13, 8, 0),
        utc(2026, 1, 13, 8, 30),
        utc(2026, 1, 13, 9, 30),
    ]


def test_several_breaks_in_any_order() -> None:
    slots = generate_slots(
        WINTER_DAY,
        time(9, 0),
        time(12, 0),
        30,
        3,
        breaks=[Break(time(11, 0), time(11, 30)), Break(time(9, 30), time(10, 0))],
    )
    assert [slot.starts_dt.hour * 60 + slot.starts_dt.minute for slot in slots] == [
        8 * 60,
        9 * 60,
        9 * 60 + 30,
        10 * 60 + 30,
    ]


def test_breaks_may_touch_each_other() -> None:
    breaks = [Break(time(10, 0), time(10, 30)), Break(time(10, 30), time(11, 0))]
    slots = generate_slots(WINTER_DAY, time(9, 0), time(12, 0), 30, 1, breaks=breaks)
    assert len(slots) == 4


def test_trailing_partial_slot_is_dropped() -> None:
    slots = generate_slots(WINTER_DAY, time(9, 0), time(10, 50), 20, 1)

    assert len(slots) == 5
    assert slots[-1].ends_dt == utc(2026, 1, 13, 9, 40)


def test_window_shorter_than_one_slot_gives_no_slots() -> None:
    assert generate_slots(WINTER_DAY, time(9, 0), time(9, 10), 20, 1) == []


@pytest.mark.parametrize("day", [SPRING_FORWARD, FALL_BACK], ids=["spring-forward", "fall-back"])
def test_morning_session_on_clock_change_day(day: date) -> None:
    first_utc = NINE_IN_UTC[day]
    slots = morning(day)

    assert slots[0].starts_dt == first_utc
    assert slots[-1].ends_dt == first_utc + timedelta(hours=3)
    assert len(slots) == 9
    assert_well_formed(slots, 20)


@pytest.mark.parametrize(
    ("day", "first_utc", "real_hours"),
    [
        # 01:00 CET to 04:00 CEST: the hour 02:00-03:00 never happens.
        (SPRING_FORWARD, utc(2026, 3, 29, 0, 0), 2),
        # 01:00 CEST to 04:00 CET: the hour 02:00-03:00 happens twice.
        (FALL_BACK, utc(2026, 10, 24, 23, 0), 4),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_night_window_across_clock_change(day: date, first_utc: datetime, real_hours: int) -> None:
    slots = generate_slots(day, time(1, 0), time(4, 0), 30, 1)

    assert slots[0].starts_dt == first_utc
    assert slots[-1].ends_dt == first_utc + timedelta(hours=real_hours)
    assert len(slots) == real_hours * 2
    assert_well_formed(slots, 30)
    assert len({slot.starts_dt for slot in slots}) == len(slots)


def test_local_to_utc_winter_and_summer() -> None:
    assert local_to_utc(WINTER_DAY, time(9, 0), "Europe/Berlin") == utc(2026, 1, 13, 8, 0)
    assert local_to_utc(SUMMER_DAY, time(9, 0), "Europe/Berlin") == utc(2026, 7, 14, 7, 0)
    assert local_to_utc(SUMMER_DAY, time(9, 0), "Europe/Berlin").tzinfo is UTC


def test_local_to_utc_accepts_a_zoneinfo() -> None:
    zone = ZoneInfo("Europe/Berlin")
    assert local_to_utc(WINTER_DAY, time(9, 0), zone) == utc(2026, 1, 13, 8, 0)


def test_local_to_utc_rejects_time_in_spring_gap() -> None:
    with pytest.raises(SlotError) as excinfo:
        local_to_utc(SPRING_FORWARD, time(2, 30), "Europe/Berlin")

    assert excinfo.value.params == {
        "time": "02:30",
        "date": "2026-03-29",
        "zone": "Europe/Berlin",
    }
    assert "02:30" in str(excinfo.value)


def test_local_to_utc_takes_first_of_repeated_times() -> None:
    # 02:30 happens first in summer time (+02:00), then again in winter time (+01:00).
    assert local_to_utc(FALL_BACK, time(2, 30), "Europe/Berlin") == utc(2026, 10, 25, 0, 30)
    assert local_to_utc(FALL_BACK, time(2, 30, fold=1), "Europe/Berlin") == utc(2026, 10, 25, 0, 30)


def test_session_starting_in_spring_gap_is_rejected() -> None:
    with pytest.raises(SlotError):
        generate_slots(SPRING_FORWARD, time(2, 15), time(4, 0), 15, 1)


def test_other_zone_istanbul() -> None:
    # Istanbul stays on +03:00 all year.
    slots = generate_slots(SUMMER_DAY, time(9, 0), time(10, 0), 15, 4, tz="Europe/Istanbul")

    assert [slot.starts_dt for slot in slots] == [
        utc(2026, 7, 14, 6, 0),
        utc(2026, 7, 14, 6, 15),
        utc(2026, 7, 14, 6, 30),
        utc(2026, 7, 14, 6, 45),
    ]
    assert {slot.capacity for slot in slots} == {4}


@pytest.mark.parametrize("slot_minutes", [5, 240])
def test_slot_length_limits_are_allowed(slot_minutes: int) -> None:
    slots = generate_slots(WINTER_DAY, time(8, 0), time(12, 0), slot_minutes, 1)
    assert len(slots) == 240 // slot_minutes


@pytest.mark.parametrize("desks", [1, 50])
def test_desk_limits_are_allowed(desks: int) -> None:
    slots = generate_slots(WINTER_DAY, time(9, 0), time(10, 0), 30, desks)
    assert {slot.capacity for slot in slots} == {desks}


def bad_window(start: str, end: str, id: str) -> Any:
    """A case of hours from `start` to `end` that are refused, and the error's params."""
    hours = {"window_start": time.fromisoformat(start), "window_end": time.fromisoformat(end)}
    return pytest.param(hours, {"start": start, "end": end}, id=id)


def bad_break(start: str, end: str, id: str) -> Any:
    """A case of one break from `start` to `end` that is refused, and the error's params."""
    one = Break(time.fromisoformat(start), time.fromisoformat(end))
    return pytest.param({"breaks": [one]}, {"start": start, "end": end}, id=id)


@pytest.mark.parametrize(
    ("kwargs", "params"),
    [
        bad_window("12:00", "09:00", id="window-end-before-start"),
        bad_window("09:00", "09:00", id="window-empty"),
        pytest.param({"slot_minutes": 4}, {"low": 5, "high": 240}, id="slot-too-short"),
        pytest.param({"slot_minutes": 241}, {"low": 5, "high": 240}, id="slot-too-long"),
        pytest.param({"desks": 0}, {"low": 1, "high": 50}, id="no-desks"),
        pytest.param({"desks": 51}, {"low": 1, "high": 50}, id="too-many-desks"),
        bad_break("08:30", "09:30", id="break-starts-before-window"),
        bad_break("11:45", "12:15", id="break-ends-after-window"),
        bad_break("13:00", "13:30", id="break-after-window"),
        bad_break("10:30", "10:00", id="break-end-before-start"),
        bad_break("10:00", "10:00", id="break-empty"),
        pytest.param(
            {"breaks": [Break(time(10, 15), time(11, 0)), Break(time(10, 0), time(10, 30))]},
            {
                "first_start": "10:00",
                "first_end": "10:30",
                "second_start": "10:15",
                "second_end": "11:00",
            },
            id="overlapping-breaks",
        ),
        pytest.param({"tz": "Europe/Atlantis"}, {"zone": "Europe/Atlantis"}, id="unknown-zone"),
        pytest.param({"tz": ""}, {"zone": ""}, id="empty-zone"),
        pytest.param({"tz": "../etc/passwd"}, {"zone": "../etc/passwd"}, id="malformed-zone"),
    ],
)
def test_invalid_sessions_are_rejected(kwargs: dict, params: dict) -> None:
    arguments = {
        "day": WINTER_DAY,
        "window_start": time(9, 0),
        "window_end": time(12, 0),
        "slot_minutes": 20,
        "desks": 2,
    } | kwargs

    with pytest.raises(SlotError) as excinfo:
        generate_slots(**arguments)

    error = excinfo.value
    assert isinstance(error, DomainError)
    assert error.params == params
    # The message must format cleanly with its own parameters.
    assert str(error) == error.message % error.params
    assert str(error).endswith(".")


def test_resolve_zone() -> None:
    zone = ZoneInfo("Europe/Istanbul")
    assert resolve_zone(zone) is zone
    assert resolve_zone("Europe/Berlin") == ZoneInfo("Europe/Berlin")
    with pytest.raises(SlotError):
        resolve_zone("Not/AZone")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((9, 10), (10, 11), False),
        ((10, 11), (9, 10), False),
        ((9, 11), (10, 12), True),
        ((9, 12), (10, 11), True),
        ((9, 10), (11, 12), False),
    ],
)
def test_slots_overlap(a: tuple[int, int], b: tuple[int, int], expected: bool) -> None:
    def at(hour: int) -> datetime:
        return utc(2026, 1, 13, hour, 0)

    assert slots_overlap(at(a[0]), at(a[1]), at(b[0]), at(b[1])) is expected
