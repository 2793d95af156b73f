"""Drive times between tour stops and the shortest order in which to visit them.

Distances are great-circle (haversine) kilometres on the mean Earth sphere; a
road factor turns them into road kilometres and a speed into minutes. Drives are
checked only between stops that start on the same local calendar day: a tour
does not continue overnight. Arithmetic on instants is done in UTC, because
subtracting aware datetimes that share a tzinfo compares wall clocks and would
be an hour off across a daylight-saving change.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

EARTH_RADIUS_KM = 6371.0088
MAX_EXACT = 8

_MINUTE = timedelta(minutes=1)
# Integer millimetres make equal-length orders tie exactly, so the tie-break is
# the lexicographic one and not an accident of floating-point summation order.
_MM_PER_KM = 1_000_000


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (latitude, longitude) points."""
    lat_a, lon_a = math.radians(a[0]), math.radians(a[1])
    lat_b, lon_b = math.radians(b[0]), math.radians(b[1])
    h = (
        math.sin((lat_b - lat_a) / 2) ** 2
        + math.cos(lat_a) * math.cos(lat_b) * math.sin((lon_b - lon_a) / 2) ** 2
    )
    # Rounding can push h a hair above 1 for antipodal points.
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(h, 1.0)))


@dataclass(frozen=True)
class DriveSettings:
    """How road distance and drive time follow from great-circle distance."""

    road_factor: float = 1.3
    speed_kmh: float = 60.0
    tight_minutes: int = 15

    def __post_init__(self) -> None:
        # Negated comparisons so that NaN is rejected too.
        if not self.road_factor >= 1:
            raise ValueError(f"road_factor must be at least 1, got {self.road_factor}")
        if not 5 <= self.speed_kmh <= 200:
            raise ValueError(f"speed_kmh must be between 5 and 200, got {self.speed_kmh}")
        if not self.tight_minutes >= 0:
            raise ValueError(f"tight_minutes must not be negative, got {self.tight_minutes}")


def _road_km(a: tuple[float, float], b: tuple[float, float], settings: DriveSettings) -> float:
    return distance_km(a, b) * settings.road_factor


def drive_minutes(a: tuple[float, float], b: tuple[float, float], settings: DriveSettings) -> int:
    """Drive time between two points in whole minutes, rounded up."""
    minutes = _road_km(a, b, settings) / settings.speed_kmh * 60
    # Float noise must not turn an exact 30 minutes into 31.
    return math.ceil(round(minutes, 6))


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


@dataclass(frozen=True)
class StopTimes:
    """Where and when one stop of a tour takes place."""

    key: int
    point: tuple[float, float]
    starts_dt: datetime
    ends_dt: datetime

    def __post_init__(self) -> None:
        _require_aware("starts_dt", self.starts_dt)
        _require_aware("ends_dt", self.ends_dt)
        if _utc(self.ends_dt) < _utc(self.starts_dt):
            raise ValueError(f"stop {self.key} ends before it starts")


class DriveVerdict(enum.StrEnum):
    """Whether the gap between two stops leaves enough time to drive."""

    OK = "ok"
    TIGHT = "tight"
    IMPOSSIBLE = "impossible"


@dataclass(frozen=True)
class DriveCheck:
    """The drive from one stop to the next and how it fits the gap between them."""

    from_key: int
    to_key: int
    km: float
    minutes_needed: int
    minutes_available: int
    verdict: DriveVerdict


def _verdict(needed: int, available: int, settings: DriveSettings) -> DriveVerdict:
    if needed > available:
        return DriveVerdict.IMPOSSIBLE
    if available - needed < settings.tight_minutes:
        return DriveVerdict.TIGHT
    return DriveVerdict.OK


def _chronological(stop: StopTimes) -> tuple[datetime, datetime, int]:
    return (_utc(stop.starts_dt), _utc(stop.ends_dt), stop.key)


def check_drives(
    stops: Sequence[StopTimes], settings: DriveSettings, zone: str = "Europe/Berlin"
) -> list[DriveCheck]:
    """Check each drive between consecutive stops on the same local day."""
    tz = ZoneInfo(zone)
    ordered = sorted(stops, key=_chronological)
    checks: list[DriveCheck] = []
    for before, after in pairwise(ordered):
        if before.starts_dt.astimezone(tz).date() != after.starts_dt.astimezone(tz).date():
            continue
        # Floor: part of a minute is no time to drive in; negative when stops overlap.
        available = (_utc(after.starts_dt) - _utc(before.ends_dt)) // _MINUTE
        needed = drive_minutes(before.point, after.point, settings)
        checks.append(
            DriveCheck(
                from_key=before.key,
                to_key=after.key,
                km=round(_road_km(before.point, after.point, settings), 1),
                minutes_needed=needed,
                minutes_available=available,
                verdict=_verdict(needed, available, settings),
            )
        )
    return checks


def total_km(points: Sequence[tuple[float, float]], order: Sequence[int]) -> float:
    """Great-circle km along the points in the given order, without returning."""
    return math.fsum(distance_km(points[i], points[j]) for i, j in pairwise(order))


def best_order(
    points: Sequence[tuple[float, float]], *, start: int | None = None
) -> tuple[int, ...]:
    """The visiting order with the least total distance, lexicographically first on ties."""
    n = len(points)
    if start is not None and not 0 <= start < n:
        raise ValueError(f"start must be an index into {n} points, got {start}")
    order = _shortest_path(points, start, lambda _step, _a, _b: True)
    assert order is not None  # without a restriction every order is allowed
    return order


def best_fitting_order(
    stops: Sequence[StopTimes], settings: DriveSettings, zone: str = "Europe/Berlin"
) -> tuple[int, ...] | None:
    """The shortest way to give the stops' time windows their places so that every drive fits.

    The windows stay; the places swap among them, as a tour day is reordered. The answer
    says, for the k-th stop, whose place its window gets: `stops[order[k]].point`. An
    order fits when `check_drives` finds no impossible drive in it, the check that
    publishing makes. None when no order fits.
    """
    n = len(stops)
    windows = sorted(range(n), key=lambda k: _chronological(stops[k]))
    points = [stop.point for stop in stops]

    def fits(step: int, a: int, b: int) -> bool:
        # The drive from the window at `step` to the next one, with the places of a and b.
        before = replace(stops[windows[step]], point=points[a])
        after = replace(stops[windows[step + 1]], point=points[b])
        return all(
            check.verdict is not DriveVerdict.IMPOSSIBLE
            for check in check_drives([before, after], settings, zone)
        )

    path = _shortest_path(points, None, fits)
    if path is None:
        return None
    order = [0] * n
    for step, window in enumerate(windows):
        order[window] = path[step]
    return tuple(order)


def _shortest_path(
    points: Sequence[tuple[float, float]],
    start: int | None,
    allowed: Callable[[int, int, int], bool],
) -> tuple[int, ...] | None:
    """The shortest path through all points whose every leg is `allowed`, or None.

    `allowed(step, i, j)` says whether the path may go from point i, visited at position
    `step`, to point j; the path with the least distance is lexicographically first on ties.
    """
    n = len(points)
    if n > MAX_EXACT:
        raise ValueError(f"best_order is exact for at most {MAX_EXACT} points, got {n}")
    if n == 0:
        return ()

    legs = [[0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            legs[i][j] = legs[j][i] = round(distance_km(points[i], points[j]) * _MM_PER_KM)
    fits = [[[allowed(step, i, j) for j in range(n)] for i in range(n)] for step in range(n - 1)]

    # Held–Karp from the end: rest[mask][i] is the shortest path that starts at i
    # and then visits exactly the points in mask (i not in mask), None when no such
    # path is allowed. Point i then stands at position n - 1 - |mask|. Building paths
    # from their first point lets the walk below pick the smallest index each step.
    full = (1 << n) - 1
    rest: list[list[int | None]] = [[None] * n for _ in range(full + 1)]
    for i in range(n):
        rest[0][i] = 0
    for mask in range(1, full + 1):
        members = [j for j in range(n) if (mask >> j) & 1]
        step = n - 1 - len(members)
        for i in range(n):
            if (mask >> i) & 1:
                continue
            lengths = [
                legs[i][j] + tail
                for j in members
                if fits[step][i][j] and (tail := rest[mask ^ (1 << j)][j]) is not None
            ]
            rest[mask][i] = min(lengths) if lengths else None

    firsts = [
        i for i in (range(n) if start is None else (start,)) if rest[full ^ (1 << i)][i] is not None
    ]
    if not firsts:
        return None
    current = min(firsts, key=lambda i: (rest[full ^ (1 << i)][i], i))
    order = [current]
    remaining = full ^ (1 << current)
    while remaining:
        goal = rest[remaining][current]
        step = len(order) - 1
        current = next(
            j
            for j in range(n)
            if (remaining >> j) & 1
            and fits[step][current][j]
            and rest[remaining ^ (1 << j)][j] is not None
            and legs[current][j] + rest[remaining ^ (1 << j)][j] == goal
        )
        order.append(current)
        remaining ^= 1 << current
    return tuple(order)
