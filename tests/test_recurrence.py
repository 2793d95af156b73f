from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from consult.errors import DomainError
from consult.recurrence import (
    MAX_OCCURRENCES,
    Frequency,
    RecurrenceError,
    build_rule,
    describe,
    occurrences,
)

MONDAY, TUESDAY, FRIDAY, SUNDAY = 0, 1, 4, 6


def assert_friendly(error: RecurrenceError) -> None:
    assert isinstance(error, DomainError)
    text = str(error)
    assert text == (error.message % error.params if error.params else error.message)
    assert text[0].isupper()
    assert text.endswith(".")


def refusal(call: Callable[..., object], *args: Any, **kwargs: Any) -> RecurrenceError:
    """The error that `call(*args, **kwargs)` raises; the test fails if it raises none."""
    with pytest.raises(RecurrenceError) as excinfo:
        call(*args, **kwargs)
    return excinfo.value


def test_every_second_tuesday_over_eight_weeks() -> None:
    start = date(2026, 11, 24)
    rule = build_rule(Frequency.WEEKLY, weekday=TUESDAY, interval=2)

    assert rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    assert occurrences(rule, start, until=start + timedelta(weeks=8) - timedelta(days=1)) == [
        date(2026, 11, 24),
        date(2026, 12, 8),
        date(2026, 12, 22),
        date(2027, 1, 5),
    ]


def test_first_monday_of_the_month_for_three_months() -> None:
    rule = build_rule("monthly", weekday=MONDAY, nth=1)

    assert rule == "FREQ=MONTHLY;INTERVAL=1;BYDAY=1MO"
    assert occurrences(rule, date(2026, 12, 1), count=3) == [
        date(2026, 12, 7),
        date(2027, 1, 4),
        date(2027, 2, 1),
    ]


def test_last_friday_of_the_month() -> None:
    rule = build_rule(Frequency.MONTHLY, weekday=FRIDAY, nth=-1)

    assert rule == "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1FR"
    assert occurrences(rule, date(2026, 1, 1), until=date(2026, 4, 30)) == [
        date(2026, 1, 30),
        date(2026, 2, 27),
        date(2026, 3, 27),
        date(2026, 4, 24),
    ]


def test_every_second_month() -> None:
    rule = build_rule(Frequency.MONTHLY, weekday=TUESDAY, nth=3, interval=2)
    assert occurrences(rule, date(2026, 1, 1), count=3) == [
        date(2026, 1, 20),
        date(2026, 3, 17),
        date(2026, 5, 19),
    ]


def test_start_that_does_not_match_begins_with_next_match() -> None:
    # 2026-11-25 is a Wednesday; the series starts with the following Tuesday.
    assert occurrences("FREQ=WEEKLY;BYDAY=TU", date(2026, 11, 25), count=2) == [
        date(2026, 12, 1),
        date(2026, 12, 8),
    ]


def test_exception_dates_are_removed() -> None:
    rule = build_rule(Frequency.WEEKLY, weekday=TUESDAY)
    dates = occurrences(
        rule,
        date(2026, 12, 1),
        until=date(2027, 1, 12),
        exceptions=[date(2026, 12, 22), date(2026, 12, 29), date(2026, 12, 24)],
    )
    assert dates == [
        date(2026, 12, 1),
        date(2026, 12, 8),
        date(2026, 12, 15),
        date(2027, 1, 5),
        date(2027, 1, 12),
    ]


def test_count_is_taken_before_exceptions() -> None:
    rule = build_rule(Frequency.WEEKLY, weekday=TUESDAY)
    dates = occurrences(rule, date(2026, 12, 1), count=4, exceptions={date(2026, 12, 8)})
    assert dates == [date(2026, 12, 1), date(2026, 12, 15), date(2026, 12, 22)]


def test_count_versus_until() -> None:
    rule = build_rule(Frequency.WEEKLY, weekday=TUESDAY)
    start = date(2026, 12, 1)

    by_count = occurrences(rule, start, count=3)
    by_until = occurrences(rule, start, until=date(2026, 12, 15))
    by_until_between = occurrences(rule, start, until=date(2026, 12, 21))

    assert by_count == by_until == by_until_between
    assert by_count == [date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15)]
    # Given both, whichever ends the series first wins.
    assert occurrences(rule, start, count=10, until=date(2026, 12, 8)) == by_count[:2]
    assert occurrences(rule, start, count=2, until=date(2027, 12, 31)) == by_count[:2]


def test_until_is_inclusive() -> None:
    assert occurrences("FREQ=WEEKLY;BYDAY=TU", date(2026, 12, 1), until=date(2026, 12, 1)) == [
        date(2026, 12, 1)
    ]


@pytest.mark.parametrize(
    ("rule", "expected_len"),
    [
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=5", 5),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20261229", 5),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20261229T235959Z", 5),
    ],
)
def test_bound_inside_the_rule(rule: str, expected_len: int) -> None:
    dates = occurrences(rule, date(2026, 12, 1))
    assert len(dates) == expected_len
    assert dates[-1] == date(2026, 12, 29)


def test_caller_bound_tightens_the_rule_bound() -> None:
    rule = "FREQ=WEEKLY;BYDAY=TU;COUNT=5"
    assert occurrences(rule, date(2026, 12, 1), until=date(2026, 12, 8)) == [
        date(2026, 12, 1),
        date(2026, 12, 8),
    ]


@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        # Berlin clocks go forward on 2026-03-29 and back on 2026-10-25: dates are unaffected.
        ("FREQ=WEEKLY;BYDAY=SU", date(2026, 3, 22), [(3, 22), (3, 29), (4, 5)]),
        ("FREQ=WEEKLY;BYDAY=SU", date(2026, 10, 18), [(10, 18), (10, 25), (11, 1)]),
        ("FREQ=MONTHLY;BYDAY=-1SU", date(2026, 2, 1), [(2, 22), (3, 29), (4, 26)]),
        ("FREQ=MONTHLY;BYDAY=-1SU", date(2026, 9, 1), [(9, 27), (10, 25), (11, 29)]),
    ],
)
def test_clock_changes_do_not_matter(
    rule: str, start: date, expected: list[tuple[int, int]]
) -> None:
    dates = occurrences(rule, start, count=3)
    assert dates == [date(2026, month, day) for month, day in expected]
    assert all(type(day) is date for day in dates)


@pytest.mark.parametrize(
    "rule",
    [
        "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        "rrule:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        "  RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU\n",
        "freq=weekly;interval=2;byday=tu",
    ],
)
def test_prefix_and_case_are_accepted(rule: str) -> None:
    assert occurrences(rule, date(2026, 11, 24), count=2) == [
        date(2026, 11, 24),
        date(2026, 12, 8),
    ]


def test_week_start_does_not_depend_on_global_calendar_setting() -> None:
    rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU"
    expected = occurrences(rule, date(2026, 11, 24), count=4)
    previous = calendar.firstweekday()
    calendar.setfirstweekday(calendar.SUNDAY)
    try:
        assert occurrences(rule, date(2026, 11, 24), count=4) == expected
    finally:
        calendar.setfirstweekday(previous)
    # Weeks start on Monday (RFC 5545), so Sunday the 29th belongs to the first week.
    assert expected == [
        date(2026, 11, 24),
        date(2026, 11, 29),
        date(2026, 12, 8),
        date(2026, 12, 13),
    ]


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "   ",
        "RRULE:",
        "every second tuesday",
        "FREQ=FORTNIGHTLY;BYDAY=TU",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;INTERVAL=two",
        "FREQ=WEEKLY;FOO=BAR",
        "FREQ=WEEKLY;;BYDAY=TU",
        "FREQ=WEEKLY;BYDAY",
        "BYDAY=TU",
        "FREQ=WEEKLY;FREQ=MONTHLY",
        "FREQ=WEEKLY;UNTIL=notadate",
        "DTSTART:20261124\nRRULE:FREQ=WEEKLY",
        "EXDATE:20261124",
        "FREQ=WEEKLY;BYDAY=TU;COUNT=3;UNTIL=20261231",
    ],
)
def test_unreadable_rules_are_rejected(rule: str) -> None:
    assert_friendly(refusal(occurrences, rule, date(2026, 11, 24), count=3))


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=HOURLY",
        "FREQ=MINUTELY;INTERVAL=30",
        "RRULE:FREQ=SECONDLY",
        "FREQ=DAILY;BYHOUR=9,14",
        "FREQ=WEEKLY;BYDAY=TU;BYMINUTE=0,30",
    ],
)
def test_more_than_daily_is_rejected(rule: str) -> None:
    error = refusal(occurrences, rule, date(2026, 11, 24), count=3)
    assert error.message.startswith("A joint day can repeat at most once a day")
    assert_friendly(error)


def test_unbounded_series_is_rejected() -> None:
    error = refusal(occurrences, "FREQ=WEEKLY;BYDAY=TU", date(2026, 11, 24))
    assert "forever" in str(error)
    assert_friendly(error)


@pytest.mark.parametrize(
    ("rule", "kwargs"),
    [
        ("FREQ=DAILY", {"until": date(2027, 12, 31)}),
        ("FREQ=DAILY", {"count": MAX_OCCURRENCES + 1}),
        ("FREQ=DAILY;COUNT=1000", {}),
        ("FREQ=WEEKLY;BYDAY=MO", {"until": date(2100, 1, 1)}),
    ],
)
def test_too_many_occurrences_are_rejected(rule: str, kwargs: dict) -> None:
    error = refusal(occurrences, rule, date(2026, 1, 1), **kwargs)
    assert error.params == {"max": MAX_OCCURRENCES}
    assert_friendly(error)


def test_exactly_max_occurrences_is_allowed() -> None:
    dates = occurrences("FREQ=DAILY", date(2026, 1, 1), count=MAX_OCCURRENCES)
    assert len(dates) == MAX_OCCURRENCES


def test_exceptions_count_towards_the_limit_only_when_kept() -> None:
    start = date(2026, 1, 1)
    skipped = [start + timedelta(days=i) for i in range(10)]
    dates = occurrences("FREQ=DAILY", start, count=MAX_OCCURRENCES + 10, exceptions=skipped)
    assert len(dates) == MAX_OCCURRENCES


@pytest.mark.parametrize(
    "kwargs",
    [
        {"count": 0},
        {"count": -1},
        {"until": date(2026, 11, 23)},
    ],
)
def test_bad_bounds_are_rejected(kwargs: dict) -> None:
    assert_friendly(refusal(occurrences, "FREQ=WEEKLY;BYDAY=TU", date(2026, 11, 24), **kwargs))


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        pytest.param(("weekly",), {"weekday": 7}, id="weekday-too-high"),
        pytest.param(("weekly",), {"weekday": -1}, id="weekday-negative"),
        pytest.param(("weekly",), {"weekday": "TU"}, id="weekday-not-int"),
        pytest.param(("weekly",), {"weekday": True}, id="weekday-bool"),
        pytest.param(("weekly",), {"weekday": 1, "interval": 0}, id="weekly-interval-zero"),
        pytest.param(("weekly",), {"weekday": 1, "interval": 13}, id="weekly-interval-high"),
        pytest.param(("monthly",), {"weekday": 1, "nth": 1, "interval": 13}, id="monthly-int"),
        pytest.param(("weekly",), {"weekday": 1, "interval": 1.5}, id="interval-not-int"),
        pytest.param(("weekly",), {"weekday": 1, "nth": 2}, id="weekly-with-nth"),
        pytest.param(("monthly",), {"weekday": 1}, id="monthly-without-nth"),
        pytest.param(("monthly",), {"weekday": 1, "nth": 0}, id="nth-zero"),
        pytest.param(("monthly",), {"weekday": 1, "nth": 5}, id="nth-five"),
        pytest.param(("monthly",), {"weekday": 1, "nth": -2}, id="nth-minus-two"),
        pytest.param(("daily",), {"weekday": 1}, id="daily"),
        pytest.param(("yearly",), {"weekday": 1}, id="yearly"),
    ],
)
def test_build_rule_rejects_bad_input(args: tuple, kwargs: dict) -> None:
    assert_friendly(refusal(build_rule, *args, **kwargs))


def test_build_rule_accepts_frequency_in_any_case() -> None:
    assert build_rule("WEEKLY", weekday=SUNDAY) == "FREQ=WEEKLY;INTERVAL=1;BYDAY=SU"


@pytest.mark.parametrize("weekday", range(7))
@pytest.mark.parametrize("interval", [1, 2, 3, 12])
def test_weekly_round_trip(weekday: int, interval: int) -> None:
    rule = build_rule(Frequency.WEEKLY, weekday=weekday, interval=interval)
    dates = occurrences(rule, date(2026, 1, 1), count=5)

    assert len(dates) == 5
    assert all(day.weekday() == weekday for day in dates)
    assert all((b - a).days == 7 * interval for a, b in zip(dates, dates[1:], strict=False))
    assert describe(rule) == {
        "frequency": Frequency.WEEKLY,
        "weekday": weekday,
        "interval": interval,
        "nth": None,
    }
    assert build_rule(**describe(rule)) == rule


@pytest.mark.parametrize("nth", [1, 2, 3, 4, -1])
@pytest.mark.parametrize("weekday", [MONDAY, FRIDAY, SUNDAY])
def test_monthly_round_trip(nth: int, weekday: int) -> None:
    rule = build_rule(Frequency.MONTHLY, weekday=weekday, nth=nth)
    dates = occurrences(rule, date(2026, 1, 1), count=12)

    assert len(dates) == 12
    assert [day.month for day in dates] == list(range(1, 13))
    for day in dates:
        assert day.weekday() == weekday
        if nth > 0:
            assert (day.day - 1) // 7 + 1 == nth
        else:
            assert (day + timedelta(weeks=1)).month != day.month
    parts = describe(rule)
    assert parts == {"frequency": Frequency.MONTHLY, "weekday": weekday, "interval": 1, "nth": nth}
    assert build_rule(**parts) == rule


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "RRULE:FREQ=WEEKLY;BYDAY=TU",
            {"frequency": Frequency.WEEKLY, "weekday": 1, "interval": 1, "nth": None},
        ),
        (
            "freq=monthly;byday=+2we;interval=3;wkst=mo",
            {"frequency": Frequency.MONTHLY, "weekday": 2, "interval": 3, "nth": 2},
        ),
    ],
)
def test_describe_accepts_equivalent_spellings(rule: str, expected: dict) -> None:
    assert describe(rule) == expected


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY",
        "FREQ=WEEKLY;BYDAY=TU,TH",
        "FREQ=WEEKLY;BYDAY=TU;COUNT=4",
        "FREQ=WEEKLY;BYDAY=TU;WKST=SU",
        "FREQ=WEEKLY;BYDAY=1TU",
        "FREQ=WEEKLY",
        "FREQ=MONTHLY;BYDAY=TU",
        "FREQ=MONTHLY;BYDAY=5TU",
        "FREQ=MONTHLY;BYMONTHDAY=15",
        "FREQ=WEEKLY;INTERVAL=52;BYDAY=TU",
        "not a rule",
    ],
)
def test_describe_rejects_rules_it_cannot_render(rule: str) -> None:
    assert_friendly(refusal(describe, rule))
