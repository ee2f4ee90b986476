import json
from dataclasses import replace

from lambda_processor.clock import FakeClock
from lambda_processor.dataplane.alarm_runner import AlarmRunner, AlarmView
from lambda_processor.metric_series import Sample

ERRORS = AlarmView(
    name="fn-errors", arn="arn:aws:cloudwatch:us-east-1:123456789012:alarm:fn-errors",
    namespace="AWS/Lambda", metric_name="Errors", dimensions={"FunctionName": "fn"},
    period=60, evaluation_periods=1, threshold=5, comparison_operator="GreaterThanOrEqualToThreshold",
    statistic="Sum", treat_missing_data="notBreaching", alarm_actions=("arn:aws:sns:us-east-1:123456789012:alerts",),
    ok_actions=("arn:aws:sns:us-east-1:123456789012:alerts",),
)


class Port:
    def __init__(self, alarm, samples):
        self.alarm = alarm
        self.stored_samples = samples
        self.states = []
        self.published = []

    def alarms(self):
        return [self.alarm]

    def samples(self, namespace, metric_name, dimensions):
        assert (namespace, metric_name, dimensions) == ("AWS/Lambda", "Errors", {"FunctionName": "fn"})
        return self.stored_samples

    def set_state(self, name, state, reason, reason_data):
        self.states.append((name, state, reason))
        self.alarm = replace(self.alarm, state=state)

    def publish(self, topic, subject, message):
        self.published.append((topic, subject, json.loads(message)))


def test_alm_1_errors_over_threshold_move_the_alarm_to_alarm_and_notify_once():
    clock = FakeClock(start=600.0)
    port = Port(ERRORS, [Sample(545, 7, 7, 1, 1)])  # 7 errors in the minute 540-600
    runner = AlarmRunner(port, clock, account_id="123456789012", region="us-east-1")
    (transition,) = runner.evaluate_all()
    assert (transition.old, transition.new) == ("INSUFFICIENT_DATA", "ALARM")
    (topic, subject, message), = port.published
    assert subject == 'ALARM: "fn-errors" in US East (N. Virginia)'
    assert message["NewStateValue"] == "ALARM" and message["OldStateValue"] == "INSUFFICIENT_DATA"
    assert message["Trigger"]["MetricName"] == "Errors" and message["Trigger"]["Threshold"] == 5.0
    assert "7.0" in message["NewStateReason"]
    # ALM-1: no transition, no second notification
    assert runner.evaluate_all() == [] and len(port.published) == 1


def test_alm_11_not_breaching_missing_data_returns_to_ok():
    clock = FakeClock(start=600.0)
    port = Port(replace(ERRORS, state="ALARM"), [])
    runner = AlarmRunner(port, clock, account_id="1", region="us-east-1")
    (transition,) = runner.evaluate_all()
    assert transition.new == "OK" and port.published[0][2]["NewStateValue"] == "OK"


def test_disabled_actions_change_state_without_notifying():
    clock = FakeClock(start=600.0)
    port = Port(replace(ERRORS, actions_enabled=False), [Sample.of(550, 9)])
    AlarmRunner(port, clock, account_id="1", region="us-east-1").evaluate_all()
    assert port.states[0][1] == "ALARM" and port.published == []
