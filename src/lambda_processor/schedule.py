"""EventBridge schedule expressions: ``rate(...)`` and ``cron(...)`` (pure).

``parse_schedule(expr).next_after(t)`` gives the next fire time (epoch seconds, UTC) strictly
after ``t``. Rates fire on whole minutes counted from the rule's creation time, as AWS does;
crons use AWS's six fields ``minutes hours day-of-month month day-of-week year`` with
``* ? , - /``, month and weekday names, ``L`` (last day of month) and day-of-week ``1-7`` =
``SUN-SAT``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .errors import ConfigError

_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {name: i for i, name in enumerate(calendar.month_abbr) if name}
_WEEKDAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


class ScheduleError(ConfigError):
    """A schedule expression AWS would reject."""


@dataclass(frozen=True)
class RateSchedule:
    seconds: int
    anchor: float = 0.0

    def next_after(self, t: float) -> float:
        periods = int((t - self.anchor) // self.seconds) + 1
        return self.anchor + periods * self.seconds


@dataclass(frozen=True)
class CronSchedule:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int] | None  # None: "?" (day-of-week decides)
    last_day: bool
    months: frozenset[int]
    weekdays: frozenset[int] | None  # 1=SUN..7=SAT; None: "?"
    years: frozenset[int] | None

    def _day_matches(self, day: datetime) -> bool:
        if self.months and day.month not in self.months:
            return False
        if self.years is not None and day.year not in self.years:
            return False
        if self.weekdays is not None:
            aws_weekday = (day.isoweekday() % 7) + 1  # Monday=1 -> 2, Sunday=7 -> 1
            return aws_weekday in self.weekdays
        last = calendar.monthrange(day.year, day.month)[1]
        if self.last_day:
            return day.day == last
        return self.days is None or day.day in self.days

    def next_after(self, t: float) -> float:
        start = datetime.fromtimestamp(t, tz=timezone.utc).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for _ in range(366 * 6):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        moment = day.replace(hour=hour, minute=minute)
                        if moment >= start:
                            return moment.timestamp()
            day += timedelta(days=1)
        raise ScheduleError("the cron expression never fires in the next six years", where="schedule_expression")


def _field(text: str, low: int, high: int, names: dict[str, int] | None, label: str) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"bad step {step_text!r}", where=f"cron {label}")
            step = int(step_text)
        if part in ("*", ""):
            first, last = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            first, last = _value(a, names, label), _value(b, names, label)
        else:
            first = _value(part, names, label)
            last = high if step > 1 else first
        if not (low <= first <= high and low <= last <= high) or first > last:
            raise ScheduleError(f"{part!r} is outside {low}-{high}", where=f"cron {label}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _value(text: str, names: dict[str, int] | None, label: str) -> int:
    upper = text.upper()
    if names and upper in names:
        return names[upper]
    if text.isdigit():
        return int(text)
    raise ScheduleError(f"{text!r} is not a valid value", where=f"cron {label}")


def parse_schedule(expression: str, *, anchor: float = 0.0) -> RateSchedule | CronSchedule:
    """Parse a schedule expression; raise ScheduleError naming the bad part."""
    expression = expression.strip()
    rate = _RATE.match(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        if value <= 0:
            raise ScheduleError("rate value must be a positive integer", where="schedule_expression")
        if (value == 1) != (rate.group(2) == unit):
            raise ScheduleError(f"use '{unit}' for 1 and '{unit}s' otherwise (got {expression})", where="schedule_expression")
        return RateSchedule(value * _UNIT_SECONDS[unit], anchor)
    cron = _CRON.match(expression)
    if not cron:
        raise ScheduleError(f"expected rate(...) or cron(...) (got {expression!r})", where="schedule_expression")
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise ScheduleError(f"cron needs 6 fields, got {len(fields)}", where="schedule_expression")
    minutes, hours, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ScheduleError("exactly one of day-of-month and day-of-week must be '?'", where="schedule_expression")
    return CronSchedule(
        minutes=_field(minutes, 0, 59, None, "minutes"),
        hours=_field(hours, 0, 23, None, "hours"),
        days=None if dom in ("?", "L") else _field(dom, 1, 31, None, "day-of-month"),
        last_day=dom == "L",
        months=_field(month, 1, 12, {k.upper(): v for k, v in _MONTHS.items()}, "month"),
        weekdays=None if dow == "?" else _field(dow, 1, 7, _WEEKDAYS, "day-of-week"),
        years=None if year in ("*", "?") else _field(year, 1970, 2199, None, "year"),
    )
