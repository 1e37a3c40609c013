"""Summaries of a frequency table (value → how many times it occurs), as the SQL returns them.

The statements group in the database, so a distribution arrives as a few (value, count) rows
however many challenges there are; mean, median and histogram buckets are computed from those
rows exactly, in Decimal (DESIGN §3: no floats for figures people read).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Bucket:
    label: str  # language-neutral ("3–5", "≤ 30"): the chart's heading says what is counted
    low: int | None  # inclusive; None: no lower bound
    high: int | None  # inclusive; None: no upper bound

    def holds(self, value: int) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


BID_BUCKETS = (Bucket("0", 0, 0), Bucket("1", 1, 1), Bucket("2", 2, 2), Bucket("3–5", 3, 5),
               Bucket("6–10", 6, 10), Bucket("> 10", 11, None))
DAY_BUCKETS = (Bucket("≤ 30", None, 30), Bucket("31–60", 31, 60), Bucket("61–90", 61, 90),
               Bucket("91–180", 91, 180), Bucket("> 180", 181, None))


def total(freq: Mapping[int, int]) -> int:
    return sum(freq.values())


def bucket_counts(freq: Mapping[int, int], buckets: Sequence[Bucket]) -> list[int]:
    """How many observations fall in each bucket (each value in the first bucket that holds it)."""
    counts = [0] * len(buckets)
    for value, count in freq.items():
        index = next((i for i, b in enumerate(buckets) if b.holds(value)), None)
        if index is not None:
            counts[index] += count
    return counts


def mean(freq: Mapping[int, int]) -> Decimal | None:
    """The mean, rounded half up to 2 places; None when there is nothing to average."""
    n = total(freq)
    if n == 0:
        return None
    return (Decimal(sum(v * c for v, c in freq.items())) / n).quantize(TWO_PLACES, ROUND_HALF_UP)


def median(freq: Mapping[int, int]) -> Decimal | None:
    """The middle value (the mean of the two middle ones for an even count); None when empty."""
    n = total(freq)
    if n == 0:
        return None
    middle = _nth(freq, (n - 1) // 2) + _nth(freq, n // 2)
    return Decimal(middle // 2) if middle % 2 == 0 else Decimal(middle) / 2  # 3 or 3.5, never 3.0


def _nth(freq: Mapping[int, int], index: int) -> int:
    """The value at 0-based `index` of the sorted observations."""
    seen = 0
    for value in sorted(freq):
        seen += freq[value]
        if index < seen:
            return value
    raise IndexError(index)


def share(part: int, whole: int) -> Decimal | None:
    """part / whole as a fraction rounded to 4 places (0.2857 shows as 28.6%); None when whole is 0."""
    if whole == 0:
        return None
    return (Decimal(part) / whole).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def percent_text(fraction: Decimal | None) -> str:
    """28.6%, or "—" when there is no share to show."""
    if fraction is None:
        return "—"
    return f"{(fraction * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
