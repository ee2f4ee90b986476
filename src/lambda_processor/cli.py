"""``lambda-processor``: parse arguments, call one function, format the result.

Errors are one clear line (no traceback unless ``--debug``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
from pathlib import Path
from typing import Sequence

from rich.console import Console
from rich.table import Table

from .errors import LambdaProcessorError

console = Console()
err_console = Console(stderr=True)


def _key_value(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    key, value = text.split("=", 1)
    return key, value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lambda-processor", description="Run Terraform configurations that use the lambda-processor module on an embedded AWS.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_target(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--endpoint", help="sandbox endpoint URL (default: AWS_ENDPOINT_URL, then the state file)")
        p.add_argument("--dir", default=".", help="configuration directory whose state file names the sandbox")
        return p

    up = sub.add_parser("up", help="apply DIR to the embedded AWS and run its functions until Ctrl-C")
    up.add_argument("directory", type=Path)
    up.add_argument("--port", type=int, default=0, help="port for the embedded AWS (default: a free one)")
    up.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    up.add_argument("--var", action="append", type=_key_value, default=[], metavar="NAME=VALUE",
                    help="a Terraform variable (repeatable)")
    up.add_argument("--image-code", action="append", type=_key_value, default=[], metavar="FUNCTION=DIR",
                    help="local code directory for a container-image function (repeatable)")
    up.add_argument("--max-local-concurrency", type=int, default=8,
                    help="cap on concurrent batches per SQS mapping on this machine (default 8)")
    up.add_argument("--no-iam", action="store_true", help="do not enforce the functions' IAM policies")

    demo = sub.add_parser("demo", help="apply examples/order-processor and push 1,000 orders through it")
    demo.add_argument("--orders", type=int, default=1000)
    demo.add_argument("--poison", type=int, default=20)
    demo.add_argument("--transient", type=int, default=30)
    demo.add_argument("--dashboard", type=Path, default=Path("demo-dashboard.png"))

    with_target(sub.add_parser("status", help="what is deployed and running"))
    with_target(sub.add_parser("down", help="stop a running `up`"))

    send = with_target(sub.add_parser("send", help="send messages to a queue"))
    send.add_argument("queue", help="Terraform output name, queue name, ARN or URL")
    send.add_argument("body", nargs="?", help="message body (default: --file or stdin)")
    send.add_argument("--file", help="read the body from a file ('-' for stdin)")
    send.add_argument("--count", type=int, default=1)
    send.add_argument("--group-id")
    send.add_argument("--dedup-id")
    send.add_argument("--attribute", action="append", type=_key_value, default=[], metavar="NAME=VALUE")

    invoke = with_target(sub.add_parser("invoke", help="invoke a function"))
    invoke.add_argument("function")
    invoke.add_argument("payload", nargs="?", default="{}")
    invoke.add_argument("--async", dest="asynchronous", action="store_true", help="InvocationType=Event")

    logs = with_target(sub.add_parser("logs", help="a function's log lines"))
    logs.add_argument("function")
    logs.add_argument("--follow", "-f", action="store_true")

    publish = with_target(sub.add_parser("publish", help="publish to an SNS topic"))
    publish.add_argument("topic", help="Terraform output name, topic name or ARN")
    publish.add_argument("message")
    publish.add_argument("--subject")
    publish.add_argument("--attribute", action="append", type=_key_value, default=[], metavar="NAME=VALUE")

    put_event = with_target(sub.add_parser("put-event", help="send an event to EventBridge"))
    put_event.add_argument("--source", required=True)
    put_event.add_argument("--detail-type", required=True)
    put_event.add_argument("--detail", default="{}")
    put_event.add_argument("--bus", default="default")

    with_target(sub.add_parser("alarms", help="alarm states and their latest transition"))

    dash = with_target(sub.add_parser("dashboard", help="render a deployed dashboard"))
    dash.add_argument("name", nargs="?")
    dash.add_argument("--out", type=Path, required=True, help="FILE.png or FILE.html")
    dash.add_argument("--minutes", type=int, default=30, help="time range to show (default 30)")
    return parser


def _client(args):
    from .client import SandboxClient, find_endpoint

    endpoint, region = find_endpoint(args.endpoint, os.environ, args.dir)
    return SandboxClient(endpoint, region)


# -- commands -----------------------------------------------------------------------------------


def cmd_up(args) -> int:
    from .app import LocalSandbox, SandboxOptions

    options = SandboxOptions(
        config_dir=args.directory.resolve(),
        port=args.port,
        region=args.region,
        variables=dict(args.var),
        image_code_dirs={name: Path(path).resolve() for name, path in args.image_code},
        local_concurrency_cap=args.max_local_concurrency,
        enforce_iam=not args.no_iam,
        progress=lambda message: err_console.print(f"[dim]…[/dim] {message}"),
    )
    if not options.config_dir.is_dir():
        raise LambdaProcessorError("not a directory", where=str(args.directory), hint="pass a Terraform configuration directory")
    sandbox = LocalSandbox(options)
    signal.signal(signal.SIGTERM, lambda *_: sandbox.request_stop())
    with console.status("starting…"):
        sandbox.start()
    try:
        console.print(f"[bold green]Embedded AWS ready[/bold green] at [bold]{sandbox.aws.endpoint_url}[/bold]")
        console.print(f"  export AWS_ENDPOINT_URL={sandbox.aws.endpoint_url} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION={options.region}")
        _print_outputs(sandbox.outputs())
        for note in sandbox.notes:
            console.print(f"[yellow]note:[/yellow] {note}")
        _print_status(sandbox.status())
        console.print("Running. Ctrl-C (or `lambda-processor down`) stops everything.")
        sandbox.wait()
    finally:
        with console.status("stopping…"):
            sandbox.stop()
        console.print("stopped; no workers remain")
    return 0


def _print_outputs(outputs: dict) -> None:
    if not outputs:
        return
    table = Table(title="Terraform outputs", show_lines=False)
    table.add_column("output")
    table.add_column("value", overflow="fold")
    for name, value in sorted(outputs.items()):
        table.add_row(name, value if isinstance(value, str) else json.dumps(value))
    console.print(table)


def _print_status(status: dict) -> None:
    table = Table(title=f"Functions at {status.get('endpoint')}")
    for column in ("function", "runtime", "invocations", "errors", "throttles", "in flight", "cold starts", "queue depth", "DLQ depth"):
        table.add_column(column, justify="right" if column not in ("function", "runtime") else "left")
    for fn in status.get("functions", []):
        depth = sum(q.get("visible", 0) + q.get("in_flight", 0) + q.get("delayed", 0) for q in fn["source_queues"].values())
        dlq = sum(q.get("visible", 0) + q.get("in_flight", 0) for q in fn["dlqs"].values())
        name = fn["name"] if fn["runnable"] else f"{fn['name']} [red](not runnable: {fn['reason']})[/red]"
        table.add_row(name, str(fn["runtime"]), str(fn["invocations"]), str(fn["errors"]), str(fn["throttles"]),
                      str(fn["in_flight"]), str(fn["cold_starts"]), str(depth) if fn["source_queues"] else "-",
                      str(dlq) if fn["dlqs"] else "-")
    console.print(table)


def cmd_status(args) -> int:
    _print_status(_client(args).status())
    return 0


def cmd_down(args) -> int:
    _client(args).shutdown()
    console.print("stop requested")
    return 0


def cmd_send(args) -> int:
    from .client import read_body

    client = _client(args)
    body = read_body(args.body, args.file)
    ids = client.send(args.queue, [body] * args.count, group_id=args.group_id, dedup_id=args.dedup_id,
                      attributes=dict(args.attribute))
    console.print(f"sent {len(ids)} message(s)" + (f": {ids[0]}" if len(ids) == 1 else ""))
    return 0


def cmd_invoke(args) -> int:
    result = _client(args).invoke(args.function, args.payload.encode(), asynchronous=args.asynchronous)
    if result["log_tail"]:
        err_console.print(result["log_tail"].rstrip(), markup=False, highlight=False)
    print(result["payload"])
    return 1 if result["function_error"] else 0


def cmd_logs(args) -> int:
    from datetime import datetime, timezone

    for event in _client(args).log_events(args.function, follow=args.follow):
        when = datetime.fromtimestamp(event["timestamp"] / 1000, tz=timezone.utc).strftime("%H:%M:%S.%f")[:-3]
        print(f"{when}  {event['message'].rstrip()}", flush=True)
    return 0


def cmd_publish(args) -> int:
    client = _client(args)
    topic = client.resolve_topic_arn(args.topic)
    attributes = {k: {"DataType": "String", "StringValue": v} for k, v in args.attribute}
    kwargs = {"TopicArn": topic, "Message": args.message, "MessageAttributes": attributes}
    if args.subject:
        kwargs["Subject"] = args.subject
    message_id = client.boto("sns").publish(**kwargs)["MessageId"]
    console.print(f"published {message_id} to {topic}")
    return 0


def cmd_put_event(args) -> int:
    response = _client(args).boto("events").put_events(Entries=[{
        "Source": args.source, "DetailType": args.detail_type, "Detail": args.detail, "EventBusName": args.bus,
    }])
    if response.get("FailedEntryCount"):
        raise LambdaProcessorError(f"event rejected: {response['Entries'][0]}", where=f"bus {args.bus}")
    console.print(f"put event {response['Entries'][0]['EventId']}")
    return 0


def cmd_alarms(args) -> int:
    alarms = _client(args).boto("cloudwatch").describe_alarms()["MetricAlarms"]
    table = Table(title="Alarms")
    for column in ("alarm", "metric", "state", "since", "reason"):
        table.add_column(column, overflow="fold")
    colors = {"OK": "green", "ALARM": "red", "INSUFFICIENT_DATA": "yellow"}
    for alarm in sorted(alarms, key=lambda a: a["AlarmName"]):
        state = alarm["StateValue"]
        table.add_row(alarm["AlarmName"], f"{alarm.get('Namespace')}/{alarm.get('MetricName')}",
                      f"[{colors.get(state, 'white')}]{state}[/]", str(alarm.get("StateUpdatedTimestamp", ""))[:19],
                      alarm.get("StateReason", ""))
    console.print(table)
    return 0


def cmd_dashboard(args) -> int:
    import time

    from .dashboard import fetchers_from_clients, fetchers_from_sandbox, render

    client = _client(args)
    cloudwatch = client.boto("cloudwatch")
    names = [d["DashboardName"] for d in cloudwatch.list_dashboards().get("DashboardEntries", [])]
    if not names:
        raise LambdaProcessorError("no dashboard is deployed", where=client.endpoint, hint="set create_dashboard = true")
    name = args.name or names[0]
    if name not in names:
        raise LambdaProcessorError("unknown dashboard", where=name, hint=f"deployed: {', '.join(names)}")
    body = cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"]
    try:
        client.status()  # a lambda-processor sandbox: use its aligned series (percentiles too)
        fetch_metric, fetch_logs = fetchers_from_sandbox(client)
    except LambdaProcessorError:  # another endpoint: plain CloudWatch API
        fetch_metric, fetch_logs = fetchers_from_clients(cloudwatch, client.boto("logs"))
    end = time.time() + 60
    out = render(body, args.out, fetch_metric=fetch_metric, fetch_logs=fetch_logs,
                 start=end - args.minutes * 60, end=end, title=name)
    console.print(f"wrote {out}")
    return 0


def cmd_demo(args) -> int:
    from .demo import run_demo

    return run_demo(orders=args.orders, poison=args.poison, transient=args.transient, dashboard_out=args.dashboard,
                    console=console)


COMMANDS = {
    "up": cmd_up, "demo": cmd_demo, "status": cmd_status, "down": cmd_down, "send": cmd_send,
    "invoke": cmd_invoke, "logs": cmd_logs, "publish": cmd_publish, "put-event": cmd_put_event,
    "alarms": cmd_alarms, "dashboard": cmd_dashboard,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except LambdaProcessorError as error:
        if args.debug:
            raise
        err_console.print(f"[bold red]error:[/bold red] {error}", highlight=False)
        return 1
    except KeyboardInterrupt:
        return 130
