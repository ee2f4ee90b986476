import pytest

from lambda_processor.alarm_semantics import AlarmSpecError
from lambda_processor.metric_series import Sample, period_values


def test_periods_are_aligned_to_the_epoch_and_stats_combine_sets_and_values():
    samples = [Sample.of(61, 10), Sample.of(119, 30), Sample(130, 4, 8, 1, 3), Sample.of(200, 5)]
    sums, counts = period_values(samples, "Sum", 60, 0, 300)
    assert sums == {60: 40.0, 120: 8.0, 180: 5.0}
    assert counts == {60: 2, 120: 4, 180: 1}
    assert period_values(samples, "Average", 60, 0, 300)[0][120] == 2.0
    assert period_values(samples, "Maximum", 120, 0, 300)[0] == {0: 30.0, 120: 5.0}
    assert period_values(samples, "Minimum", 300, 0, 300)[0] == {0: 1.0}
    assert period_values(samples, "SampleCount", 300, 0, 300)[0] == {0: 7.0}


def test_percentiles_use_single_values():
    samples = [Sample.of(i, float(i)) for i in range(1, 101)]
    values, _ = period_values(samples, "p99", 300, 0, 300)
    assert values == {0: 99.0}


def test_range_end_is_exclusive():
    values, _ = period_values([Sample.of(300, 1)], "Sum", 60, 0, 300)
    assert values == {}


def test_unknown_statistic_is_rejected():
    with pytest.raises(AlarmSpecError):
        period_values([Sample.of(1, 1)], "Median", 60, 0, 300)
