from datetime import datetime, timezone

import pytest

from lambda_processor.schedule import ScheduleError, parse_schedule


def ts(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def test_rate_fires_every_period_from_anchor():
    schedule = parse_schedule("rate(5 minutes)", anchor=ts("2026-11-27T10:00:00"))
    assert schedule.next_after(ts("2026-11-27T10:00:00")) == ts("2026-11-27T10:05:00")
    assert schedule.next_after(ts("2026-11-27T10:07:30")) == ts("2026-11-27T10:10:00")


def test_rate_unit_must_agree_with_value():
    with pytest.raises(ScheduleError, match="use 'minute' for 1"):
        parse_schedule("rate(1 minutes)")
    with pytest.raises(ScheduleError, match="use 'hour' for 1 and 'hours' otherwise"):
        parse_schedule("rate(2 hour)")


def test_cron_every_fifteen_minutes():
    schedule = parse_schedule("cron(0/15 * * * ? *)")
    assert schedule.next_after(ts("2026-11-27T10:07:00")) == ts("2026-11-27T10:15:00")
    assert schedule.next_after(ts("2026-11-27T10:45:00")) == ts("2026-11-27T11:00:00")


def test_cron_weekdays_by_name_at_nine():
    schedule = parse_schedule("cron(0 9 ? * MON-FRI *)")
    # 2026-11-27 is a Friday; the next run after Friday 10:00 is Monday 09:00.
    assert schedule.next_after(ts("2026-11-27T10:00:00")) == ts("2026-11-30T09:00:00")


def test_cron_last_day_of_month():
    schedule = parse_schedule("cron(0 0 L * ? *)")
    assert schedule.next_after(ts("2026-02-03T00:00:00")) == ts("2026-02-28T00:00:00")


@pytest.mark.parametrize(
    "expression, message",
    [
        ("cron(0 9 * * MON *)", "exactly one of day-of-month and day-of-week"),
        ("cron(0 9 * *)", "cron needs 6 fields"),
        ("cron(61 * * * ? *)", "outside 0-59"),
        ("every 5 minutes", "expected rate"),
    ],
)
def test_invalid_expressions_name_the_problem(expression, message):
    with pytest.raises(ScheduleError, match=message):
        parse_schedule(expression)
