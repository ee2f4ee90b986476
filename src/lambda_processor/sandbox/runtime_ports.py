"""The data plane's ports, implemented in-process over the embedded AWS.

Everything the runtime needs of the sandbox — queues, logs, metrics, alarms, S3 code,
layers, role credentials, deliveries to SQS/SNS/Lambda/EventBridge targets — goes
through ``SandboxPorts``. It is the one place (with ``moto_adapter``) that touches moto
objects, and it holds ``backend_lock`` for every access.
"""

from __future__ import annotations

import importlib.util
import io
import json
import threading
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import LambdaProcessorError
from ..metric_series import Sample
from ..sqs_semantics import ReceivedMessage
from .moto_adapter import KNOWN_PUBLIC_LAYERS, backend_lock
from .moto_adapter import direct
from .moto_adapter.iam_patches import enable_iam_enforcement, mint_role_credentials
from .moto_adapter.sqs_store import change_visibility, delete_batch, find_store_queue, receive_batch

INITIAL_ALARM_REASON = "Unchecked: Initial alarm creation"
_EPOCH = datetime(1970, 1, 1)


def _split_arn(arn: str) -> tuple[str, str, str, str]:
    parts = arn.split(":", 5)
    if len(parts) < 6:
        raise LambdaProcessorError("not an ARN", where=arn)
    return parts[2], parts[3], parts[4], parts[5]


def received_message(message: Any) -> ReceivedMessage:
    """A moto ``Message`` snapshot as the SQS API would return it (every attribute)."""
    attributes = {
        "ApproximateReceiveCount": str(message.approximate_receive_count),
        "SentTimestamp": str(int(message.sent_timestamp or 0)),
        "SenderId": message.sender_id,
        "ApproximateFirstReceiveTimestamp": str(int(message.approximate_first_receive_timestamp or 0)),
    }
    if message.group_id is not None:
        attributes["SequenceNumber"] = str(message.sequence_number)
        attributes["MessageGroupId"] = message.group_id
        attributes["MessageDeduplicationId"] = message.deduplication_id or ""
    trace = (message.system_attributes or {}).get("AWSTraceHeader")
    if trace:
        attributes["AWSTraceHeader"] = trace.get("StringValue", "") if isinstance(trace, dict) else str(trace)
    return ReceivedMessage(
        message_id=message.id,
        receipt_handle=message.receipt_handle,
        body=message.body,
        md5_of_body=message.body_md5,
        attributes=attributes,
        message_attributes=dict(message.message_attributes),
        md5_of_message_attributes=message.attribute_md5 if message.message_attributes else None,
    )


class StoreQueuePort:
    """``QueuePort`` over the constant-cost SQS store, in-process."""

    def receive(self, queue_arn: str, max_messages: int, wait_seconds: float) -> list[ReceivedMessage]:
        with backend_lock:
            queue = find_store_queue(queue_arn)
            messages = receive_batch(queue, max_messages, wait_seconds=wait_seconds)
            return [received_message(m) for m in messages]

    def delete(self, queue_arn: str, receipt_handles: Sequence[str]) -> None:
        with backend_lock:
            delete_batch(find_store_queue(queue_arn), receipt_handles)

    def change_visibility(self, queue_arn: str, receipt_handle: str, timeout: int) -> None:
        with backend_lock:
            change_visibility(find_store_queue(queue_arn), receipt_handle, timeout)


class SandboxPorts:
    """Side effects on the sandbox for one account and region."""

    def __init__(self, *, account_id: str, region: str, cache_dir: Path,
                 invoke_lambda: Callable[[str, bytes], Any] | None = None):
        self.account_id = account_id
        self.region = region
        self.cache_dir = cache_dir
        self.invoke_lambda = invoke_lambda  # async submit, set once the data plane exists
        self._seen_alarms: set[str] = set()
        self._lock = threading.Lock()

    # -- logs and metrics -----------------------------------------------------------------

    def put_log_events(self, group: str, stream: str, events: list[dict]) -> None:
        direct.logs_put_events(group, stream, events, account_id=self.account_id, region=self.region)

    def put_metric_data(self, namespace: str, metric_data: list[dict]) -> None:
        direct.cloudwatch_put_metric_data(namespace, metric_data, account_id=self.account_id, region=self.region)

    def metric_samples(self, namespace: str, metric_name: str, dimensions: dict[str, str]) -> list[Sample]:
        """Every stored datapoint of one metric whose dimensions include ``dimensions``."""
        from moto.cloudwatch.models import MetricAggregatedDatum, cloudwatch_backends

        wanted = set(dimensions.items())
        samples = []
        with backend_lock:
            data = list(cloudwatch_backends[self.account_id][self.region].metric_data)
        for datum in data:
            if datum.namespace != namespace or datum.name != metric_name:
                continue
            if not wanted <= {(d.name, d.value) for d in datum.dimensions}:
                continue
            timestamp = datum.timestamp.replace(tzinfo=None)
            epoch = (timestamp - _EPOCH).total_seconds()
            if isinstance(datum, MetricAggregatedDatum):
                samples.append(Sample(epoch, datum.sample_count, datum.sum, datum.min, datum.max))
            else:
                samples.append(Sample.of(epoch, float(datum.value)))
        return samples

    # -- queues ---------------------------------------------------------------------------------

    def queue_port(self) -> StoreQueuePort:
        return StoreQueuePort()

    def queue_counts(self, queue_arn: str) -> dict[str, int]:
        """Approximate visible / in-flight / delayed counts (constant time on the store)."""
        try:
            with backend_lock:
                queue = find_store_queue(queue_arn)
                return {
                    "visible": int(queue.approximate_number_of_messages),
                    "in_flight": int(queue.approximate_number_of_messages_not_visible),
                    "delayed": int(queue.approximate_number_of_messages_delayed),
                }
        except LambdaProcessorError:
            with backend_lock:
                _, region, account, name = _split_arn(queue_arn)
                queue = direct.sqs_backend(account, region).queues.get(name)
                if queue is None:
                    return {}
                return {"visible": len([m for m in queue._messages if m.visible and not m.delayed]), "in_flight": 0, "delayed": 0}

    # -- deliveries by ARN -------------------------------------------------------------------------

    def send_to_target(self, target_arn: str, body: str, attributes: dict | None) -> None:
        """Deliver to an SQS queue, SNS topic, Lambda function (async) or event bus, by ARN."""
        service, region, account, resource = _split_arn(target_arn)
        if service == "sqs":
            from moto.sqs.models import sqs_backends

            with backend_lock:
                sqs_backends[account][region].send_message(
                    resource, body, message_attributes=_sqs_attributes(attributes or {}))
        elif service == "sns":
            direct.sns_publish(target_arn, body, attributes=attributes)
        elif service == "lambda":
            if self.invoke_lambda is None:
                raise LambdaProcessorError("no data plane to invoke", where=target_arn)
            self.invoke_lambda(resource.split(":")[1] if resource.startswith("function:") else resource, body.encode())
        elif service == "events":
            from moto.events.models import events_backends

            record = json.loads(body)
            with backend_lock:
                events_backends[account][region].put_events([{
                    "Source": "lambda", "DetailType": record.get("detail-type", "Lambda Function Invocation Result"),
                    "Detail": body, "EventBusName": resource.split("/", 1)[-1],
                }])
        else:
            raise LambdaProcessorError(f"cannot deliver to a {service} target", where=target_arn)

    def event_invoke_config(self, function_name: str) -> dict | None:
        """The function's async invoke config as the Lambda API holds it now, or None (AWS defaults).

        Read live rather than from Terraform state: ``PutFunctionEventInvokeConfig`` takes
        effect at once in AWS. moto appends on every put, so the newest entry is in force.
        """
        from moto.awslambda.exceptions import UnknownFunctionException

        with backend_lock:
            try:
                fn = direct.lambda_backend(self.account_id, self.region).get_function(function_name)
            except UnknownFunctionException:
                return None
            configs = list(getattr(fn, "event_invoke_config", None) or [])
            return dict(configs[-1].config) if configs else None

    def invoke_permissions(self, function_name: str) -> list[tuple[str, str | None]]:
        """``(principal, source ARN or None)`` of each statement allowing ``lambda:InvokeFunction``
        in the function's resource policy as it is now (``AddPermission`` applies at once)."""
        from moto.awslambda.exceptions import UnknownFunctionException

        with backend_lock:
            try:
                fn = direct.lambda_backend(self.account_id, self.region).get_function(function_name)
            except UnknownFunctionException:
                return []
            statements = [dict(statement) for statement in fn.policy.statements]
        grants = []
        for statement in statements:
            actions = statement.get("Action")
            actions = [actions] if isinstance(actions, str) else list(actions or [])
            if statement.get("Effect") != "Allow" or not {"lambda:InvokeFunction", "lambda:*", "*"} & set(actions):
                continue
            principal = statement.get("Principal")
            if isinstance(principal, dict):
                principal = principal.get("Service") or principal.get("AWS")
            source = None
            for test in (statement.get("Condition") or {}).values():
                source = source or test.get("AWS:SourceArn") or test.get("aws:SourceArn")
            grants.append((str(principal), source))
        return grants

    # -- code -----------------------------------------------------------------------------------------

    def read_s3_object(self, bucket: str, key: str, version: str | None = None) -> bytes:
        from moto.s3.models import s3_backends

        with backend_lock:
            backend = s3_backends[self.account_id]["aws"]
            obj = backend.get_object(bucket, key, version_id=version)
            if obj is None:
                raise LambdaProcessorError("object not found", where=f"s3://{bucket}/{key}")
            return bytes(obj.value)

    def layer_code_dir(self, layer_arn: str) -> Path | None:
        """An unpacked copy of a layer version's content, or a stand-in for a known public layer."""
        _, region, account, resource = _split_arn(layer_arn)
        _, name, version = (resource.split(":") + ["", ""])[:3]
        target = self.cache_dir / "layers" / f"{account}-{region}-{name}-{version}"
        if target.is_dir():
            return target
        if name in KNOWN_PUBLIC_LAYERS:
            return self._public_layer_dir(target, KNOWN_PUBLIC_LAYERS[name])
        with backend_lock:
            layer = direct.lambda_backend(account, region).layers_versions_by_arn(layer_arn)
            content = getattr(layer, "code_bytes", b"") if layer is not None else b""
        if not content:
            return None
        tmp = target.with_name(target.name + ".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        zipfile.ZipFile(io.BytesIO(content)).extractall(tmp)
        tmp.rename(target)
        return target

    def _public_layer_dir(self, target: Path, package: str) -> Path | None:
        """A layer folder whose ``python/<package>`` links to the locally installed package."""
        spec = importlib.util.find_spec(package) if not package.startswith("@") else None
        if spec is None or not spec.submodule_search_locations:
            return None
        python_dir = target / "python"
        python_dir.mkdir(parents=True, exist_ok=True)
        link = python_dir / package
        if not link.exists():
            link.symlink_to(Path(list(spec.submodule_search_locations)[0]), target_is_directory=True)
        return target

    # -- IAM ------------------------------------------------------------------------------------------

    def mint_role_credentials(self, role_arn: str, session_name: str) -> tuple[str, str, str]:
        return mint_role_credentials(role_arn, session_name[:64], region=self.region)

    def enable_iam_enforcement(self) -> None:
        enable_iam_enforcement()

    # -- alarms (AlarmPort) -------------------------------------------------------------------------

    def alarms(self) -> list:
        from moto.cloudwatch.models import cloudwatch_backends

        from ..dataplane.alarm_runner import AlarmView

        views = []
        with backend_lock:
            stored = list(cloudwatch_backends[self.account_id][self.region].alarms.values())
            for alarm in stored:
                if alarm.name not in self._seen_alarms:
                    self._seen_alarms.add(alarm.name)
                    if alarm.state_reason == INITIAL_ALARM_REASON:
                        # ALM-1: a new alarm starts in INSUFFICIENT_DATA (moto says OK).
                        alarm.update_state(INITIAL_ALARM_REASON, "{}", "INSUFFICIENT_DATA")
                if not alarm.metric_name or alarm.metric_data_queries:
                    continue  # metric-math alarms are not evaluated locally
                views.append(AlarmView(
                    name=alarm.name, arn=alarm.alarm_arn, namespace=alarm.namespace, metric_name=alarm.metric_name,
                    dimensions={d.name: d.value for d in alarm.dimensions}, period=int(alarm.period),
                    evaluation_periods=int(alarm.evaluation_periods), threshold=float(alarm.threshold),
                    comparison_operator=alarm.comparison_operator, statistic=alarm.statistic or None,
                    extended_statistic=alarm.extended_statistic or None,
                    datapoints_to_alarm=int(alarm.datapoints_to_alarm) if alarm.datapoints_to_alarm else None,
                    treat_missing_data=alarm.treat_missing_data or None,
                    evaluate_low_sample_count_percentile=alarm.evaluate_low_sample_count_percentile or None,
                    state=alarm.state_value, actions_enabled=bool(alarm.actions_enabled),
                    alarm_actions=tuple(alarm.alarm_actions or ()), ok_actions=tuple(alarm.ok_actions or ()),
                    insufficient_data_actions=tuple(alarm.insufficient_data_actions or ()),
                    description=alarm.description or None, unit=alarm.unit,
                ))
        return views

    def samples(self, namespace: str, metric_name: str, dimensions: dict[str, str]) -> list[Sample]:
        return self.metric_samples(namespace, metric_name, dimensions)

    def set_state(self, name: str, state: str, reason: str, reason_data: dict) -> None:
        direct.put_alarm_state(name, state, reason, reason_data, account_id=self.account_id, region=self.region)

    def publish(self, topic_arn: str, subject: str, message: str) -> None:
        direct.sns_publish(topic_arn, message, subject=subject)


def _sqs_attributes(attributes: dict) -> dict:
    converted = {}
    for name, value in attributes.items():
        converted[name] = {k: v for k, v in value.items() if k in ("DataType", "StringValue", "BinaryValue")}
    return converted

