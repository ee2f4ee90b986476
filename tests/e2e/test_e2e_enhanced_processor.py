"""examples/enhanced-processor end to end: a filtered SQS mapping and two layers.

FLT rules: only messages whose JSON body has eventType IMPORTANT or CRITICAL reach the function;
the others (other types, no eventType, a body that is not JSON) are deleted from the queue without
an invocation and never reach the DLQ. The layers (shared-libs, built by the example, and the
public Powertools layer, standing in for the locally installed package) are importable by a handler.
"""

from __future__ import annotations

import dataclasses
import json
import textwrap

import pytest
from e2e_support import InvocationRecorder, boto_client, drain, log_messages, queue_depth, running_sandbox, wait_until

pytestmark = pytest.mark.e2e

# The example's own timeouts: no message here is meant to fail, so none waits for a retry.
VARIABLES: dict[str, str] = {}
MATCHING = [("IMPORTANT", "e-1"), ("CRITICAL", "e-2"), ("IMPORTANT", "e-3"), ("CRITICAL", "e-4"), ("IMPORTANT", "e-5")]
FILTERED_OUT = [
    json.dumps({"eventId": "x-1", "eventType": "NORMAL", "source": "billing"}),
    json.dumps({"eventId": "x-2", "eventType": "DEBUG", "source": "billing"}),
    json.dumps({"eventId": "x-3", "eventType": "important", "source": "billing"}),  # matching is case-sensitive
    json.dumps({"eventId": "x-4", "source": "billing"}),  # no eventType
    json.dumps({"eventId": "x-5", "eventType": "NORMAL", "source": "billing", "payload": {"eventType": "CRITICAL"}}),
    "IMPORTANT but not JSON",  # a non-JSON body never matches a body pattern (FLT-5)
]


@pytest.fixture(scope="module")
def enhanced_run(e2e_workspace):
    """The example applied once; matching and non-matching events sent; the queue settled."""
    with running_sandbox(e2e_workspace / "examples" / "enhanced-processor", VARIABLES) as sandbox:
        recorder = InvocationRecorder.attach(sandbox)
        outputs = sandbox.outputs()
        sqs = boto_client(sandbox, "sqs")
        sent: dict[str, str] = {}  # body -> messageId
        bodies = [json.dumps({"eventId": event_id, "eventType": kind, "source": "e2e", "payload": {"n": i}})
                  for i, (kind, event_id) in enumerate(MATCHING)] + FILTERED_OUT
        for body in bodies:
            sent[body] = sqs.send_message(QueueUrl=outputs["queue_url"], MessageBody=body)["MessageId"]
        wait_until(lambda: queue_depth(sqs, outputs["queue_url"]) == 0,
                   lambda: f"{queue_depth(sqs, outputs['queue_url'])} messages still in the queue")
        sandbox.flush()
        yield {"sandbox": sandbox, "recorder": recorder, "outputs": outputs, "sent": sent, "sqs": sqs}


def test_flt_1_only_matching_events_reach_the_function_each_once(enhanced_run):
    recorder, outputs, sent = enhanced_run["recorder"], enhanced_run["outputs"], enhanced_run["sent"]
    deliveries = recorder.deliveries(outputs["function_name"])
    expected = {message_id for body, message_id in sent.items()
                if body.startswith("{") and json.loads(body)["eventId"] in {e for _, e in MATCHING}}
    assert set(deliveries) == expected
    seen_as = {message_id: [(count, call.result.duration_ms, call.error) for count, call in seen]
               for message_id, seen in deliveries.items()}
    assert all([count for count, _, _ in seen] == [1] for seen in seen_as.values()), seen_as
    assert not any(call.failed for calls in deliveries.values() for _, call in calls)


def test_flt_2_flt_5_filtered_out_messages_are_deleted_and_nothing_is_in_the_dlq(enhanced_run):
    sandbox, outputs, sqs = enhanced_run["sandbox"], enhanced_run["outputs"], enhanced_run["sqs"]
    assert queue_depth(sqs, outputs["queue_url"]) == 0
    assert drain(sqs, outputs["dlq_url"]) == []
    (mapping,) = [m for m in sandbox.status()["mappings"] if m["queue"] == outputs["queue_arn"]]
    assert mapping["received"] == len(MATCHING) + len(FILTERED_OUT)
    assert mapping["filtered_out"] == len(FILTERED_OUT)
    assert mapping["left_for_retry"] == 0 and mapping["failed_batches"] == 0


def test_handler_processed_the_matching_events_with_the_shared_libs_layer(enhanced_run):
    sandbox, outputs = enhanced_run["sandbox"], enhanced_run["outputs"]
    lines = []
    for message in log_messages(boto_client(sandbox, "logs"), outputs["function_name"]):
        try:
            lines.append(json.loads(message))
        except ValueError:
            continue
    processed = [line for line in lines if line.get("message") == "event_processed"]
    assert sorted(line["eventId"] for line in processed) == sorted(e for _, e in MATCHING), lines
    # shared_libs.get_logger picks Powertools' Logger when it is importable: its lines carry "location".
    assert all("location" in line for line in processed), processed


PROBE_HANDLER = textwrap.dedent('''
    import aws_lambda_powertools
    import shared_libs
    from aws_lambda_powertools import Logger


    def handler(event, context):
        Logger(service="probe").info("powertools works")
        return {"powertools": aws_lambda_powertools.__file__, "shared_libs": shared_libs.__file__}
''')


def test_layers_are_importable_by_a_handler_of_the_deployed_function(enhanced_run, tmp_path):
    """A probe handler in the deployed function's environment (same layers, in order) imports both."""
    from lambda_processor.execution import FunctionRuntime

    sandbox = enhanced_run["sandbox"]
    deployed = sandbox.invoker.runtime(enhanced_run["outputs"]["function_name"]).spec
    assert len(deployed.layer_dirs) == 2
    (tmp_path / "probe.py").write_text(PROBE_HANDLER)
    probe = FunctionRuntime(dataclasses.replace(deployed, name="layer-probe", code_dir=tmp_path, handler="probe.handler"))
    try:
        result = probe.invoke(b"{}")
    finally:
        probe.close()
    assert result.function_error is None, result.payload
    found = json.loads(result.payload)
    shared_libs_layer, powertools_layer = (str(d) for d in deployed.layer_dirs)
    assert found["shared_libs"].startswith(shared_libs_layer), found
    assert found["powertools"].startswith(powertools_layer), found
