"""Talking to a running sandbox from another process: find it, then use it.

The sandbox is found, in this order, from ``--endpoint``, from ``AWS_ENDPOINT_URL``, or from
the state file that ``up`` keeps beside the configuration while it runs
(``<dir>/.lambda-processor/sandbox.json``).
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from .errors import LambdaProcessorError

STATE_DIR = ".lambda-processor"
STATE_FILE = "sandbox.json"
DEFAULT_REGION = "us-east-1"


class SandboxNotFound(LambdaProcessorError):
    """No running sandbox could be located."""


def state_file(config_dir: str | os.PathLike[str]) -> Path:
    return Path(config_dir) / STATE_DIR / STATE_FILE


def write_state_file(config_dir: Path, data: Mapping[str, Any]) -> Path:
    path = state_file(config_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(dict(data), indent=2, default=str))
    tmp.replace(path)
    return path


def find_endpoint(endpoint: str | None, env: Mapping[str, str], config_dir: str | os.PathLike[str]) -> tuple[str, str]:
    """Return ``(endpoint_url, region)`` of the running sandbox, or raise SandboxNotFound."""
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    if endpoint:
        return endpoint.rstrip("/"), region
    if env.get("AWS_ENDPOINT_URL"):
        return env["AWS_ENDPOINT_URL"].rstrip("/"), region
    path = state_file(config_dir)
    if path.is_file():
        data = json.loads(path.read_text())
        return data["endpoint"].rstrip("/"), data.get("region", region)
    raise SandboxNotFound(
        "no running sandbox found",
        where=str(Path(config_dir).resolve()),
        hint="start one with `lambda-processor up DIR`, or pass --endpoint / set AWS_ENDPOINT_URL",
    )


@dataclass
class SandboxClient:
    """boto3 clients and control-API calls against one sandbox endpoint."""

    endpoint: str
    region: str = DEFAULT_REGION

    def boto(self, service: str):
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    # -- control API -------------------------------------------------------------------

    def _control(self, method: str, route: str, query: Mapping[str, Any] | None = None) -> dict:
        url = f"{self.endpoint}/_lambda_processor/{route}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        request = urllib.request.Request(url, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise LambdaProcessorError(f"control API {route} answered {error.code}", where=self.endpoint) from error
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            raise SandboxNotFound(
                f"cannot reach the sandbox ({getattr(error, 'reason', error)})",
                where=self.endpoint,
                hint="is `lambda-processor up` still running?",
            ) from error

    def status(self) -> dict:
        return self._control("GET", "status")

    def outputs(self) -> dict:
        return self._control("GET", "outputs")

    def shutdown(self) -> dict:
        return self._control("POST", "shutdown")

    def metric_series(self, namespace: str, metric_name: str, dimensions: dict, stat: str, period: int,
                      start: float, end: float) -> list[tuple[float, float]]:
        """One value per aligned period, computed by the sandbox (percentiles included)."""
        answer = self._control("GET", "metric_series", {
            "namespace": namespace, "metric": metric_name, "dimensions": json.dumps(dimensions),
            "stat": stat, "period": period, "start": start, "end": end,
        })
        return [(float(t), float(v)) for t, v in answer["points"]]

    # -- queues --------------------------------------------------------------------------

    def resolve_queue_url(self, ref: str) -> str:
        """A queue named by Terraform output, queue name, ARN or URL → its URL."""
        sqs = self.boto("sqs")
        candidates = [ref]
        try:
            outputs = self.outputs()
        except LambdaProcessorError:
            outputs = {}
        if ref in outputs and isinstance(outputs[ref], str):
            candidates.insert(0, outputs[ref])
        for candidate in candidates:
            if candidate.startswith("http://") or candidate.startswith("https://"):
                return candidate
            name = candidate.rsplit(":", 1)[-1] if candidate.startswith("arn:") else candidate
            try:
                return sqs.get_queue_url(QueueName=name)["QueueUrl"]
            except sqs.exceptions.QueueDoesNotExist:
                continue
            except Exception as error:  # botocore's error for a bad name is generic
                if "NonExistentQueue" in str(error) or "does not exist" in str(error):
                    continue
                raise
        known = sorted(k for k, v in outputs.items() if isinstance(v, str) and (":sqs:" in v or "/queue" in v))
        raise LambdaProcessorError(
            "unknown queue",
            where=f"queue {ref!r}",
            hint=f"name a queue by Terraform output ({', '.join(known) or 'none found'}), queue name, ARN or URL",
        )

    def send(self, queue: str, bodies: list[str], *, group_id: str | None = None,
             dedup_id: str | None = None, attributes: Mapping[str, str] | None = None) -> list[str]:
        """Send each body; return the message ids. Batches of 10 for speed."""
        url = self.resolve_queue_url(queue)
        sqs = self.boto("sqs")
        message_attributes = {
            name: {"DataType": "Number" if _is_number(value) else "String", "StringValue": value}
            for name, value in (attributes or {}).items()
        }
        ids: list[str] = []
        for start in range(0, len(bodies), 10):
            entries = []
            for offset, body in enumerate(bodies[start : start + 10]):
                entry: dict[str, Any] = {"Id": str(offset), "MessageBody": body}
                if message_attributes:
                    entry["MessageAttributes"] = message_attributes
                if group_id:
                    entry["MessageGroupId"] = group_id
                if dedup_id:
                    entry["MessageDeduplicationId"] = f"{dedup_id}-{start + offset}" if len(bodies) > 1 else dedup_id
                entries.append(entry)
            response = sqs.send_message_batch(QueueUrl=url, Entries=entries)
            if response.get("Failed"):
                failure = response["Failed"][0]
                raise LambdaProcessorError(f"send failed: {failure.get('Code')}: {failure.get('Message')}", where=f"queue {queue!r}")
            ids.extend(entry["MessageId"] for entry in sorted(response["Successful"], key=lambda e: int(e["Id"])))
        return ids

    def resolve_topic_arn(self, ref: str) -> str:
        """A topic named by Terraform output, topic name or ARN → its ARN."""
        if ref.startswith("arn:"):
            return ref
        try:
            outputs = self.outputs()
        except LambdaProcessorError:
            outputs = {}
        if isinstance(outputs.get(ref), str) and outputs[ref].startswith("arn:"):
            return outputs[ref]
        topics = [t["TopicArn"] for t in self.boto("sns").list_topics().get("Topics", [])]
        for arn in topics:
            if arn.rsplit(":", 1)[-1] == ref:
                return arn
        raise LambdaProcessorError("unknown topic", where=f"topic {ref!r}",
                                   hint=f"known topics: {', '.join(t.rsplit(':', 1)[-1] for t in topics) or 'none'}")

    # -- functions ---------------------------------------------------------------------------

    def invoke(self, function: str, payload: bytes, *, asynchronous: bool = False) -> dict:
        """Invoke ``function``; Lambda's refusals (unknown, throttled, not runnable) become one clear error."""
        from botocore.exceptions import ClientError

        try:
            response = self.boto("lambda").invoke(
                FunctionName=function,
                Payload=payload,
                InvocationType="Event" if asynchronous else "RequestResponse",
                LogType="None" if asynchronous else "Tail",
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            unknown = code == "ResourceNotFoundException"
            raise LambdaProcessorError(
                "unknown function" if unknown else f"invoke refused: {code}: {error.response.get('Error', {}).get('Message', '')}",
                where=f"function {function!r}",
                hint="`lambda-processor status` lists the deployed functions" if unknown else None,
            ) from error
        body = response["Payload"].read()
        return {
            "status": response["StatusCode"],
            "function_error": response.get("FunctionError"),
            "payload": body.decode("utf-8", "replace"),
            "log_tail": base64.b64decode(response["LogResult"]).decode("utf-8", "replace") if response.get("LogResult") else "",
        }

    def log_events(self, function: str, *, follow: bool = False, poll_seconds: float = 1.0) -> Iterator[dict]:
        """Yield the function's log events in time order; keep polling when ``follow``."""
        logs = self.boto("logs")
        group = function if function.startswith("/") else f"/aws/lambda/{function}"
        seen: set[str] = set()
        start = 0
        while True:
            kwargs: dict[str, Any] = {"logGroupName": group, "startTime": start}
            try:
                while True:
                    page = logs.filter_log_events(**kwargs)
                    for event in sorted(page.get("events", []), key=lambda e: (e["timestamp"], e.get("ingestionTime", 0))):
                        key = event.get("eventId") or f"{event['logStreamName']}/{event['timestamp']}/{event['message']}"
                        if key in seen:
                            continue
                        seen.add(key)
                        start = max(start, event["timestamp"])
                        yield event
                    if not page.get("nextToken"):
                        break
                    kwargs["nextToken"] = page["nextToken"]
            except logs.exceptions.ResourceNotFoundException as error:
                if not follow:
                    raise LambdaProcessorError("no log group yet", where=group,
                                               hint="the function has not run, or the name is wrong") from error
            if not follow:
                return
            time.sleep(poll_seconds)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def read_body(argument: str | None, file: str | None) -> str:
    """A message body from an argument, a file (``-`` = stdin) or stdin."""
    if argument is not None:
        return argument
    if file and file != "-":
        return Path(file).read_text()
    return sys.stdin.read()
