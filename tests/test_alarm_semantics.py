"""CloudWatch metric alarm evaluation (aws-semantics.md §6), AWS's truth tables cell by cell."""

from __future__ import annotations

import pytest

from lambda_processor.alarm_semantics import (
    ALARM,
    INITIAL_STATE,
    INSUFFICIENT_DATA,
    OK,
    AlarmSpec,
    AlarmSpecError,
    aggregate,
    evaluate_alarm,
    evaluation_period_starts,
    is_low_sample_count,
)
from lambda_processor.errors import LambdaProcessorError

# 2026-11-27 09:15:30 UTC: the last complete one-minute period starts at 09:14:00.
NOW = 1_795_770_930.0
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")
KEEP = "keep"


def spec(n=3, m=None, treat="missing", **overrides) -> AlarmSpec:
    settings = dict(
        period=60, evaluation_periods=n, datapoints_to_alarm=m, threshold=5.0,
        comparison_operator="GreaterThanOrEqualToThreshold", statistic="Sum", treat_missing_data=treat,
    )
    settings.update(overrides)
    return AlarmSpec(**settings)


def datapoints(alarm: AlarmSpec, row: str) -> dict[int, float | None]:
    """``"0 - X - X"`` (oldest first) -> values for the evaluation range ending now."""
    cells = row.split()
    starts = evaluation_period_starts(alarm, NOW)
    assert len(cells) == len(starts)
    values = {"0": 1.0, "X": 7.0, "-": None}
    return {start: values[cell] for start, cell in zip(starts, cells) if values[cell] is not None}


def check_row(n: int, m: int, row: str, expected: tuple[str, str, str, str]) -> None:
    for treat, want in zip(TREATMENTS, expected):
        alarm = spec(n, m, treat)
        for current in (OK, ALARM, INSUFFICIENT_DATA):
            decision = evaluate_alarm(alarm, datapoints(alarm, row), NOW, current)
            assert decision.state == (current if want == KEEP else want), (row, treat, current)


# ALM-7: N = 3, M = 3; columns missing / ignore / breaching / notBreaching.
ALM_7_TABLE = [
    ("0 - X - X", (OK, OK, OK, OK)),
    ("0 - - - -", (OK, OK, OK, OK)),
    ("- - - - -", (INSUFFICIENT_DATA, KEEP, ALARM, OK)),
    ("0 X X - X", (ALARM, ALARM, ALARM, ALARM)),
    ("- - X - -", (ALARM, KEEP, ALARM, OK)),
]

# ALM-8: N = 3, M = 2.
ALM_8_TABLE = [
    ("0 - X - X", (ALARM, ALARM, ALARM, ALARM)),
    ("0 0 X 0 X", (ALARM, ALARM, ALARM, ALARM)),
    ("0 - X - -", (OK, OK, ALARM, OK)),
    ("- - - - 0", (OK, OK, ALARM, OK)),
    ("- - - X -", (ALARM, KEEP, ALARM, OK)),
]


@pytest.mark.parametrize(("row", "expected"), ALM_7_TABLE, ids=[r for r, _ in ALM_7_TABLE])
def test_alm_7_three_out_of_three_truth_table(row, expected):
    check_row(3, 3, row, expected)


@pytest.mark.parametrize(("row", "expected"), ALM_8_TABLE, ids=[r for r, _ in ALM_8_TABLE])
def test_alm_8_two_out_of_three_truth_table(row, expected):
    check_row(3, 2, row, expected)


def test_alm_9_premature_alarm_needs_the_breach_to_be_m_periods_old():
    for row in ("- - - - X", "- - - X -"):
        alarm = spec(3, 3, "missing")
        assert evaluate_alarm(alarm, datapoints(alarm, row), NOW, OK).state == OK, row
    alarm = spec(3, 3, "missing")
    assert evaluate_alarm(alarm, datapoints(alarm, "- - X - -"), NOW, OK).state == ALARM


def test_alm_1_initial_state_and_changed_only_on_transition():
    assert INITIAL_STATE == INSUFFICIENT_DATA
    alarm = spec(1, 1)
    data = datapoints(alarm, "- - X")
    assert evaluate_alarm(alarm, data, NOW, OK).changed
    assert not evaluate_alarm(alarm, data, NOW, ALARM).changed


def test_alm_2_period_and_span_limits():
    for period in (10, 20, 30, 60, 300, 3600):
        spec(period=period, n=1)
    with pytest.raises(AlarmSpecError, match="alarm.period"):
        spec(period=45)
    with pytest.raises(AlarmSpecError, match="at most 86400"):
        spec(period=60, n=1441)
    spec(period=3600, n=168)
    with pytest.raises(AlarmSpecError, match="at most 604800"):
        spec(period=3600, n=169)


def test_alm_3_m_of_n_need_not_be_consecutive_and_m_defaults_to_n():
    alarm = spec(5, 2, "notBreaching")
    assert evaluate_alarm(alarm, datapoints(alarm, "0 0 X 0 X 0 0"), NOW, OK).state == ALARM
    assert spec(4).datapoints_to_alarm_effective == 4
    with pytest.raises(AlarmSpecError, match="datapoints_to_alarm"):
        spec(3, 4)


@pytest.mark.parametrize(
    ("operator", "value", "breaches"),
    [
        ("GreaterThanOrEqualToThreshold", 5.0, True),
        ("GreaterThanThreshold", 5.0, False),
        ("GreaterThanThreshold", 5.1, True),
        ("LessThanThreshold", 5.0, False),
        ("LessThanThreshold", 4.9, True),
        ("LessThanOrEqualToThreshold", 5.0, True),
    ],
)
def test_alm_4_comparison_operators(operator, value, breaches):
    assert spec(comparison_operator=operator).breaches(value) is breaches


def test_alm_4_statistics_and_percentiles():
    samples = [float(v) for v in range(1, 101)]
    assert aggregate(samples, "Sum") == 5050.0
    assert aggregate(samples, "Average") == 50.5
    assert aggregate(samples, "Minimum") == 1.0
    assert aggregate(samples, "Maximum") == 100.0
    assert aggregate(samples, "SampleCount") == 100.0
    assert aggregate(samples, "p99") == 99.0
    assert aggregate(samples, "p50") == 50.0
    assert aggregate(samples, "p99.5") == 100.0
    assert aggregate([3.0], "p0.0") == 3.0
    with pytest.raises(LambdaProcessorError):
        aggregate([], "Sum")
    with pytest.raises(AlarmSpecError):
        spec(statistic=None, extended_statistic="tm99")
    with pytest.raises(AlarmSpecError, match="exactly one"):
        spec(extended_statistic="p99")
    with pytest.raises(AlarmSpecError, match="anomaly band"):
        spec(comparison_operator="LessThanLowerThreshold")


def test_alm_5_dynamodb_alarms_always_ignore_missing_data():
    alarm = spec(treat="breaching", namespace="AWS/DynamoDB")
    assert evaluate_alarm(alarm, {}, NOW, OK).state == OK
    assert evaluate_alarm(alarm, {}, NOW, ALARM).state == ALARM


def test_alm_6_enough_real_datapoints_make_the_missing_setting_irrelevant():
    for treat in TREATMENTS:
        alarm = spec(3, 3, treat)
        assert evaluate_alarm(alarm, datapoints(alarm, "X - X X -"), NOW, OK).state == ALARM


def test_alm_10_low_sample_count_percentiles():
    assert is_low_sample_count(99, 999) and not is_low_sample_count(99, 1000)
    assert is_low_sample_count(10, 99) and not is_low_sample_count(10, 100)
    assert not is_low_sample_count(100, 1)
    alarm = spec(1, 1, statistic=None, extended_statistic="p99", evaluate_low_sample_count_percentile="ignore")
    data = datapoints(alarm, "- - X")
    (start,) = data
    assert evaluate_alarm(alarm, data, NOW, OK, sample_counts={start: 10}).state == OK  # kept
    assert evaluate_alarm(alarm, data, NOW, OK, sample_counts={start: 1000}).state == ALARM
    evaluating = spec(1, 1, statistic=None, extended_statistic="p99", evaluate_low_sample_count_percentile="evaluate")
    assert evaluate_alarm(evaluating, data, NOW, OK, sample_counts={start: 10}).state == ALARM


def test_alm_11_not_breaching_keeps_event_driven_metrics_ok_without_data():
    alarm = spec(1, 1, "notBreaching")
    decision = evaluate_alarm(alarm, {}, NOW, INSUFFICIENT_DATA)
    assert decision.state == OK
    assert decision.reason == (
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as "
        "[NonBreaching]."
    )


def test_reason_text_in_aws_style():
    alarm = spec(1, 1)
    decision = evaluate_alarm(alarm, {1_795_770_840: 7.0}, NOW, OK)
    assert decision.state == ALARM
    assert decision.reason == (
        "Threshold Crossed: 1 out of the last 1 datapoints [7.0 (27/11/26 09:14:00)] was greater than or equal "
        "to the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    back = evaluate_alarm(alarm, {1_795_770_840: 1.0}, NOW, ALARM)
    assert back.reason == (
        "Threshold Crossed: 1 out of the last 1 datapoints [1.0 (27/11/26 09:14:00)] was not greater than or "
        "equal to the threshold (5.0) (minimum 1 datapoint for ALARM -> OK transition)."
    )
    missing = evaluate_alarm(spec(3, 3), {}, NOW, OK)
    assert missing.reason == "Insufficient Data: 5 datapoints were unknown."


def test_reason_data_lists_the_evaluation_range():
    alarm = spec(1, 1)
    reason_data = evaluate_alarm(alarm, {1_795_770_840: 7.0}, NOW, OK).reason_data
    assert reason_data["version"] == "1.0"
    assert reason_data["queryDate"] == "2026-11-27T09:15:30.000+0000"
    assert reason_data["startDate"] == "2026-11-27T09:12:00.000+0000"
    assert reason_data["statistic"] == "Sum" and reason_data["period"] == 60
    assert reason_data["recentDatapoints"] == [7.0]
    assert reason_data["threshold"] == 5.0
    assert reason_data["evaluatedDatapoints"][0] == {"timestamp": "2026-11-27T09:14:00.000+0000", "value": 7.0}
    assert reason_data["evaluatedDatapoints"][1] == {"timestamp": "2026-11-27T09:13:00.000+0000"}


def test_evaluation_range_ends_at_the_last_complete_period():
    alarm = spec(3, 3)
    starts = evaluation_period_starts(alarm, NOW)
    assert len(starts) == 5
    assert starts[-1] == 1_795_770_840  # 09:14:00; 09:15 is still running
    assert starts == sorted(starts) and starts[1] - starts[0] == 60
