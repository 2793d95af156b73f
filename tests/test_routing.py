from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from itertools import pairwise, permutations
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.tours.routing import (
    MAX_EXACT,
    DriveCheck,
    DriveSettings,
    DriveVerdict,
    StopTimes,
    best_fitting_order,
    best_order,
    check_drives,
    distance_km,
    drive_minutes,
    total_km,
)

RADIUS_KM = 6371.0088
BERLIN = ZoneInfo("Europe/Berlin")
ZEITZ = (51.0478, 12.1383)
NAUMBURG = (51.1521, 11.8098)
WEISSENFELS = (51.2003, 11.9688)
# Zeitz → Naumburg at the default settings: 25.703 km × 1.3 = 33.4 road km, 33.4 min at 60 km/h.
ZEITZ_NAUMBURG_MINUTES = 34

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, database=None)


def spherical_vincenty_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance by the atan2 (Vincenty) formula, independent of haversine."""
    lat_a, lon_a, lat_b, lon_b = map(math.radians, (*a, *b))
    d_lon = lon_b - lon_a
    across = math.hypot(
        math.cos(lat_b) * math.sin(d_lon),
        math.cos(lat_a) * math.sin(lat_b) - math.sin(lat_a) * math.cos(lat_b) * math.cos(d_lon),
    )
    along = math.sin(lat_a) * math.sin(lat_b) + math.cos(lat_a) * math.cos(lat_b) * math.cos(d_lon)
    return RADIUS_KM * math.atan2(across, along)


def north_of(point: tuple[float, float], km: float) -> tuple[float, float]:
    return (point[0] + math.degrees(km / RADIUS_KM), point[1])


def berlin(day: int, hour: int, minute: int = 0, *, month: int = 3, fold: int = 0) -> datetime:
    return datetime(2030, month, day, hour, minute, tzinfo=BERLIN, fold=fold)


def stop(key: int, point: tuple[float, float], starts_dt: datetime, ends_dt: datetime) -> StopTimes:
    return StopTimes(key=key, point=point, starts_dt=starts_dt, ends_dt=ends_dt)


# distance_km


def test_zeitz_to_naumburg_is_about_25_7_km() -> None:
    # Hand-checked with the spherical law of cosines: 25.7032 km.
    assert distance_km(ZEITZ, NAUMBURG) == pytest.approx(25.7032, abs=0.001)


@pytest.mark.parametrize(
    ("a", "b"),
    [(ZEITZ, NAUMBURG), (ZEITZ, WEISSENFELS), (NAUMBURG, WEISSENFELS), ((52.13, 11.62), ZEITZ)],
)
def test_distance_agrees_with_an_independent_formula(
    a: tuple[float, float], b: tuple[float, float]
) -> None:
    assert distance_km(a, b) == pytest.approx(spherical_vincenty_km(a, b), rel=1e-9)


def test_one_degree_along_a_meridian_is_an_arc_of_the_mean_radius() -> None:
    assert distance_km((51.0, 12.0), (52.0, 12.0)) == pytest.approx(RADIUS_KM * math.pi / 180)


def test_antipodes_are_half_the_circumference_apart() -> None:
    assert distance_km((0.0, 0.0), (0.0, 180.0)) == pytest.approx(RADIUS_KM * math.pi)
    assert distance_km((51.0, 12.0), (-51.0, -168.0)) == pytest.approx(RADIUS_KM * math.pi)


def test_distance_is_symmetric_and_zero_to_itself() -> None:
    assert distance_km(ZEITZ, NAUMBURG) == distance_km(NAUMBURG, ZEITZ)
    assert distance_km(WEISSENFELS, WEISSENFELS) == 0.0


# DriveSettings and drive_minutes


@pytest.mark.parametrize(
    "overrides",
    [
        {"road_factor": 0.99},
        {"road_factor": math.nan},
        {"speed_kmh": 4.9},
        {"speed_kmh": 200.1},
        {"speed_kmh": math.nan},
        {"tight_minutes": -1},
    ],
)
def test_invalid_settings_are_rejected(overrides: dict) -> None:
    with pytest.raises(ValueError):
        DriveSettings(**overrides)


@pytest.mark.parametrize(
    "overrides",
    [{"road_factor": 1.0}, {"speed_kmh": 5.0}, {"speed_kmh": 200.0}, {"tight_minutes": 0}],
)
def test_settings_at_their_limits_are_accepted(overrides: dict) -> None:
    DriveSettings(**overrides)


@pytest.mark.parametrize(
    ("km", "minutes"), [(0.0, 0), (30.0, 30), (30.01, 31), (30.99, 31), (1.0, 1), (0.2, 1)]
)
def test_drive_minutes_round_up_to_whole_minutes(km: float, minutes: int) -> None:
    straight = DriveSettings(road_factor=1.0, speed_kmh=60.0)

    assert drive_minutes(ZEITZ, north_of(ZEITZ, km), straight) == minutes


def test_drive_minutes_follow_road_factor_and_speed() -> None:
    twenty_km_away = north_of(ZEITZ, 20.0)

    assert drive_minutes(ZEITZ, twenty_km_away, DriveSettings(road_factor=1.5)) == 30
    assert drive_minutes(ZEITZ, twenty_km_away, DriveSettings(road_factor=1.5, speed_kmh=90)) == 20
    assert drive_minutes(ZEITZ, NAUMBURG, DriveSettings()) == ZEITZ_NAUMBURG_MINUTES


# StopTimes


def test_stop_times_reject_naive_datetimes() -> None:
    aware = berlin(12, 9)
    naive = datetime(2030, 3, 12, 11)

    with pytest.raises(ValueError):
        stop(1, ZEITZ, naive, aware)
    with pytest.raises(ValueError):
        stop(1, ZEITZ, aware, naive)


def test_stop_times_reject_a_stop_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError):
        stop(1, ZEITZ, berlin(12, 11), berlin(12, 9))


# check_drives


@pytest.mark.parametrize(
    ("gap_minutes", "verdict"),
    [
        (60, DriveVerdict.OK),
        (ZEITZ_NAUMBURG_MINUTES + 15, DriveVerdict.OK),
        (ZEITZ_NAUMBURG_MINUTES + 14, DriveVerdict.TIGHT),
        (ZEITZ_NAUMBURG_MINUTES, DriveVerdict.TIGHT),
        (ZEITZ_NAUMBURG_MINUTES - 1, DriveVerdict.IMPOSSIBLE),
        (0, DriveVerdict.IMPOSSIBLE),
    ],
)
def test_drive_verdict_follows_the_gap_between_stops(
    gap_minutes: int, verdict: DriveVerdict
) -> None:
    next_starts = berlin(12, 11) + timedelta(minutes=gap_minutes)
    stops = [
        stop(1, ZEITZ, berlin(12, 9), berlin(12, 11)),
        stop(2, NAUMBURG, next_starts, next_starts + timedelta(hours=2)),
    ]

    assert check_drives(stops, DriveSettings()) == [
        DriveCheck(
            from_key=1,
            to_key=2,
            km=33.4,
            minutes_needed=ZEITZ_NAUMBURG_MINUTES,
            minutes_available=gap_minutes,
            verdict=verdict,
        )
    ]


def test_no_spare_time_is_ok_when_nothing_counts_as_tight() -> None:
    stops = [
        stop(1, ZEITZ, berlin(12, 9), berlin(12, 11)),
        stop(2, NAUMBURG, berlin(12, 11, 34), berlin(12, 13)),
    ]

    [check] = check_drives(stops, DriveSettings(tight_minutes=0))

    assert check.verdict == DriveVerdict.OK


@pytest.mark.parametrize("point", [NAUMBURG, ZEITZ])
def test_overlapping_stops_are_impossible_even_in_the_same_town(
    point: tuple[float, float],
) -> None:
    stops = [
        stop(1, ZEITZ, berlin(12, 9), berlin(12, 11)),
        stop(2, point, berlin(12, 10, 30), berlin(12, 12)),
    ]

    [check] = check_drives(stops, DriveSettings())

    assert check.minutes_available == -30
    assert check.verdict == DriveVerdict.IMPOSSIBLE


def test_back_to_back_stops_in_the_same_place_need_no_drive() -> None:
    stops = [
        stop(1, ZEITZ, berlin(12, 9), berlin(12, 11)),
        stop(2, ZEITZ, berlin(12, 11), berlin(12, 12)),
    ]

    [check] = check_drives(stops, DriveSettings(tight_minutes=0))

    assert (check.km, check.minutes_needed, check.minutes_available) == (0.0, 0, 0)
    assert check.verdict == DriveVerdict.OK


def test_stops_are_checked_in_order_of_their_start() -> None:
    stops = [
        stop(3, WEISSENFELS, berlin(12, 15), berlin(12, 16)),
        stop(1, ZEITZ, berlin(12, 9), berlin(12, 10)),
        stop(2, NAUMBURG, berlin(12, 12), berlin(12, 13)),
    ]

    checks = check_drives(stops, DriveSettings())

    assert [(check.from_key, check.to_key) for check in checks] == [(1, 2), (2, 3)]
    assert [check.minutes_available for check in checks] == [120, 120]


def test_stops_on_different_days_are_not_compared() -> None:
    stops = [
        stop(1, ZEITZ, berlin(12, 16), berlin(12, 18)),
        stop(2, NAUMBURG, berlin(13, 8), berlin(13, 10)),
        stop(3, WEISSENFELS, berlin(14, 8), berlin(14, 10)),
    ]

    assert check_drives(stops, DriveSettings()) == []
    assert check_drives([], DriveSettings()) == []
    assert check_drives(stops[:1], DriveSettings()) == []


def test_days_are_local_days_in_the_zone_not_utc_days() -> None:
    # Both start on 1 July in UTC; in Berlin the second starts at 00:30 on 2 July.
    late_evening = stop(
        1, ZEITZ, datetime(2030, 7, 1, 20, tzinfo=UTC), datetime(2030, 7, 1, 21, tzinfo=UTC)
    )
    after_midnight = stop(
        2, NAUMBURG, datetime(2030, 7, 1, 22, 30, tzinfo=UTC), datetime(2030, 7, 1, 23, tzinfo=UTC)
    )

    assert check_drives([late_evening, after_midnight], DriveSettings()) == []
    assert len(check_drives([late_evening, after_midnight], DriveSettings(), zone="UTC")) == 1


def test_gap_across_the_spring_change_to_summer_time_is_real_elapsed_time() -> None:
    # 2030-03-31 is the last Sunday of March: at 02:00 Berlin clocks jump to 03:00.
    first = stop(1, ZEITZ, berlin(31, 0, 30), berlin(31, 1, 45))
    second = stop(2, NAUMBURG, berlin(31, 3, 15), berlin(31, 5))
    # Python subtracts datetimes sharing a tzinfo on the wall clock: 90 minutes.
    assert second.starts_dt - first.ends_dt == timedelta(minutes=90)

    [check] = check_drives([first, second], DriveSettings())

    assert check.minutes_available == 30
    assert check.verdict == DriveVerdict.IMPOSSIBLE


def test_gap_across_the_autumn_change_to_winter_time_is_real_elapsed_time() -> None:
    # On 2030-10-27 Berlin lives 02:00–03:00 twice; fold=1 is the second, winter-time pass.
    first = stop(1, ZEITZ, berlin(27, 1, 0, month=10), berlin(27, 2, 30, month=10))
    second = stop(2, NAUMBURG, berlin(27, 2, 15, month=10, fold=1), berlin(27, 4, month=10))

    [check] = check_drives([second, first], DriveSettings())

    assert (check.from_key, check.to_key) == (1, 2)
    assert check.minutes_available == 45
    assert check.verdict == DriveVerdict.TIGHT


# best_order and total_km


def brute_force_km(points: list[tuple[float, float]], start: int | None) -> float:
    legs = [[distance_km(a, b) for b in points] for a in points]
    return min(
        sum(legs[i][j] for i, j in pairwise(order))
        for order in permutations(range(len(points)))
        if start is None or order[0] == start
    )


sachsen_anhalt = st.tuples(
    st.floats(50.94, 53.04, allow_nan=False), st.floats(10.56, 13.19, allow_nan=False)
)


@PROPERTY_SETTINGS
@given(points=st.lists(sachsen_anhalt, max_size=MAX_EXACT - 1), data=st.data())
def test_best_order_is_as_short_as_brute_force(
    points: list[tuple[float, float]], data: st.DataObject
) -> None:
    start = data.draw(st.none() | st.integers(0, len(points) - 1)) if points else None

    order = best_order(points, start=start)

    assert sorted(order) == list(range(len(points)))
    if start is not None:
        assert order[0] == start
    elif points:
        # A path and its reverse are equally long; the tie goes to the smaller order.
        assert order <= order[::-1]
    # Legs are compared in whole millimetres, so allow a few of them.
    assert total_km(points, order) <= brute_force_km(points, start) + 1e-5


def test_best_order_visits_points_on_a_line_from_one_end() -> None:
    points = [(51.0, 12.0), (51.3, 12.0), (51.1, 12.0), (51.2, 12.0)]

    assert best_order(points) == (0, 2, 3, 1)
    assert best_order(points, start=1) == (1, 3, 2, 0)
    assert best_order(points, start=2) == (2, 0, 3, 1)


def test_best_order_breaks_ties_lexicographically() -> None:
    assert best_order([ZEITZ, ZEITZ, NAUMBURG]) == (0, 1, 2)
    assert best_order([NAUMBURG, ZEITZ, ZEITZ]) == (0, 1, 2)
    assert best_order([ZEITZ, NAUMBURG, ZEITZ]) == (0, 2, 1)
    assert best_order([ZEITZ] * 4) == (0, 1, 2, 3)


def test_best_order_of_no_or_one_point_is_trivial() -> None:
    assert best_order([]) == ()
    assert best_order([ZEITZ]) == (0,)
    assert best_order([ZEITZ], start=0) == (0,)


@pytest.mark.parametrize("start", [-1, 3])
def test_best_order_rejects_a_start_outside_the_points(start: int) -> None:
    with pytest.raises(ValueError):
        best_order([ZEITZ, NAUMBURG, WEISSENFELS], start=start)


def test_best_order_handles_eight_points_and_refuses_nine() -> None:
    points = [(51.0 + i / 50, 11.8 + (i * 37 % 8) / 20) for i in range(MAX_EXACT + 1)]

    assert sorted(best_order(points[:MAX_EXACT])) == list(range(MAX_EXACT))
    with pytest.raises(ValueError, match="at most 8 points"):
        best_order(points)


def test_total_km_adds_the_legs_without_returning() -> None:
    points = [ZEITZ, NAUMBURG, WEISSENFELS]

    assert total_km(points, ()) == 0.0
    assert total_km(points, (1,)) == 0.0
    assert total_km(points, (0, 1, 2)) == pytest.approx(
        distance_km(ZEITZ, NAUMBURG) + distance_km(NAUMBURG, WEISSENFELS)
    )


# best_fitting_order


def placed(stops: list[StopTimes], order: tuple[int, ...]) -> list[StopTimes]:
    """The stops' windows with the places that `order` gives them."""
    return [
        stop(window.key, stops[source].point, window.starts_dt, window.ends_dt)
        for window, source in zip(stops, order, strict=True)
    ]


def fits(stops: list[StopTimes], settings: DriveSettings) -> bool:
    return all(
        check.verdict is not DriveVerdict.IMPOSSIBLE for check in check_drives(stops, settings)
    )


def in_time_order(stops: list[StopTimes], order: tuple[int, ...]) -> list[tuple[float, float]]:
    """The points of a placed day in the order they are visited."""
    return [
        point
        for _starts, point in sorted(
            (window.starts_dt, stops[source].point)
            for window, source in zip(stops, order, strict=True)
        )
    ]


# Windows of an hour on 12 March 2030, starting 09:00 and then 0 to 60 minutes after the last.
@st.composite
def tour_days(draw: st.DrawFn) -> list[StopTimes]:
    points = draw(st.lists(sachsen_anhalt, min_size=1, max_size=6))
    starts = berlin(12, 9)
    stops = []
    for key, point in enumerate(points):
        stops.append(stop(key, point, starts, starts + timedelta(hours=1)))
        starts += timedelta(hours=1, minutes=draw(st.integers(0, 60)))
    # The stops need not come in the order of their windows.
    return draw(st.permutations(stops))


@PROPERTY_SETTINGS
@given(stops=tour_days())
def test_best_fitting_order_is_the_shortest_order_that_fits(stops: list[StopTimes]) -> None:
    drive = DriveSettings()
    orders = list(permutations(range(len(stops))))
    fitting = [order for order in orders if fits(placed(stops, order), drive)]

    order = best_fitting_order(stops, drive)

    if not fitting:
        assert order is None
        return
    assert order is not None
    assert fits(placed(stops, order), drive)
    shortest = min(total_km(in_time_order(stops, o), range(len(stops))) for o in fitting)
    assert total_km(in_time_order(stops, order), range(len(stops))) <= shortest + 1e-5


def test_best_fitting_order_avoids_the_shortest_order_when_a_drive_does_not_fit() -> None:
    teuchern = (51.1211, 12.0219)
    points = [ZEITZ, teuchern, WEISSENFELS, NAUMBURG]  # the shortest order; Zeitz → Teuchern
    # takes 15 minutes, and the first gap is 14.
    gaps = [14, 30, 40]
    starts = berlin(12, 9)
    stops = []
    for key, point in enumerate(points):
        stops.append(stop(key, point, starts, starts + timedelta(minutes=30)))
        starts += timedelta(minutes=30 + (gaps[key] if key < len(gaps) else 0))
    drive = DriveSettings()
    assert best_order(points) in ((0, 1, 2, 3), (3, 2, 1, 0))
    assert not fits(stops, drive)

    order = best_fitting_order(stops, drive)

    assert order is not None
    assert order[0] in (1, 2)  # Teuchern and Weißenfels are 13 minutes apart
    assert fits(placed(stops, order), drive)


def test_best_fitting_order_is_none_when_no_order_fits() -> None:
    # Every order of three towns has a drive of 27 minutes or more; both gaps are 20.
    stops = [
        stop(1, ZEITZ, berlin(12, 9), berlin(12, 10)),
        stop(2, WEISSENFELS, berlin(12, 10, 20), berlin(12, 11, 20)),
        stop(3, NAUMBURG, berlin(12, 11, 40), berlin(12, 12, 40)),
    ]

    assert best_fitting_order(stops, DriveSettings()) is None
