"""An indicator's figure: its value from numerator and denominator, and whether it meets its target."""

from __future__ import annotations

from dataclasses import dataclass

from .policy import MET, SHORT, Target


@dataclass(frozen=True)
class Figure:
    numerator: int
    denominator: int
    value: float | None  # None: nothing to count (a share over nobody, a ratio with no worker)
    status: str  # met | short


def figure(numerator: int, denominator: int, target: Target) -> Figure:
    """A share (op >=) over nobody is met: nothing falls short. A ratio (op <=) with no worker is short
    as soon as there is anyone to look after, and met when there is nobody."""
    if denominator == 0:
        status = MET if target.op == ">=" or numerator == 0 else SHORT
        return Figure(numerator, denominator, None, status)
    value = numerator / denominator
    # Rounded to 4 places before comparing: 9/10 is 0.9, not 0.8999999.
    met = round(value, 4) >= target.value if target.op == ">=" else round(value, 4) <= target.value
    return Figure(numerator, denominator, round(value, 4), MET if met else SHORT)


def workload_met(total: int, residential: int, *, weekly_total: int, weekly_residential: int) -> bool:
    """A worker's week meets the workload: enough visits, and enough of them to households."""
    return total >= weekly_total and residential >= weekly_residential
