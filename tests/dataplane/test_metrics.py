from datetime import datetime, timezone

from lambda_processor.dataplane.metrics import LambdaMetrics


class Sink:
    def __init__(self):
        self.calls = []

    def __call__(self, namespace, data):
        self.calls.append((namespace, data))


def by_name(data):
    return {d["MetricName"]: d for d in data}


def test_met_2_invocations_errors_duration_per_minute_with_function_dimension():
    sink = Sink()
    metrics = LambdaMetrics(sink, clock=lambda: 120.0)
    for error in (False, True, False):
        metrics.invocation_started("fn")
        metrics.invocation_finished("fn", started_at=125.0, duration_ms=10.0, error=error, cold_start=False)
    assert metrics.flush() == 4
    (namespace, data), = sink.calls
    assert namespace == "AWS/Lambda"
    metrics_by_name = by_name(data)
    assert metrics_by_name["Invocations"]["StatisticValues"]["Sum"] == 3
    assert metrics_by_name["Errors"]["StatisticValues"]["Sum"] == 1
    assert metrics_by_name["Duration"]["Values"] == [10.0, 10.0, 10.0]
    assert metrics_by_name["Duration"]["Unit"] == "Milliseconds"
    for datum in data:
        assert datum["Dimensions"] == [{"Name": "FunctionName", "Value": "fn"}]
        # MET-1: 1-minute granularity, stamped at the invocation's start minute
        assert datum["Timestamp"] == datetime.fromtimestamp(120, tz=timezone.utc)


def test_inv_13_throttles_count_only_as_throttles():
    sink = Sink()
    metrics = LambdaMetrics(sink, clock=lambda: 0.0)
    metrics.invocation_started("fn")
    metrics.invocation_aborted("fn")
    metrics.throttled("fn")
    metrics.flush()
    names = by_name(sink.calls[0][1])
    assert set(names) == {"Throttles"}
    totals = metrics.totals()["fn"]
    assert (totals.invocations, totals.errors, totals.throttles, totals.in_flight) == (0, 0, 1, 0)


def test_concurrent_executions_is_the_peak_in_flight():
    sink = Sink()
    metrics = LambdaMetrics(sink, clock=lambda: 0.0)
    for _ in range(3):
        metrics.invocation_started("fn")
    for _ in range(3):
        metrics.invocation_finished("fn", started_at=0.0, duration_ms=1.0, error=False, cold_start=True)
    metrics.flush()
    assert by_name(sink.calls[0][1])["ConcurrentExecutions"]["Value"] == 3.0
    assert metrics.totals()["fn"].cold_starts == 3


def test_flush_sends_nothing_when_idle():
    sink = Sink()
    assert LambdaMetrics(sink, clock=lambda: 0.0).flush() == 0
    assert sink.calls == []
