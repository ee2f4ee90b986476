"""Render a deployed CloudWatch dashboard body to a PNG (or an HTML page holding it).

The widget grid (DSH-2) is 24 columns wide; each widget keeps its ``x``, ``y``, ``width`` and
``height``. Metric widgets (DSH-3) become time-series charts of the sandbox's metrics with the
widget's title, stat and period, labelled axes and a legend; log widgets (DSH-4) show the
latest entries of their log groups; text widgets (DSH-5) show their markdown as text.

Data comes through two callables, so this module never talks to AWS itself:

    fetch_metric(namespace, metric_name, dimensions, stat, period, start, end) -> [(epoch_s, value)]
    fetch_logs(log_group, limit) -> [(epoch_ms, message)]
"""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from .errors import ConfigError

GRID_COLUMNS = 24
COLUMN_INCHES = 0.62  # one grid column; a 24-wide dashboard is ~15 inches
ROW_INCHES = 0.62  # one grid row
# Room inside each widget's cell for its title (top), tick labels and axis labels.
PAD_TOP, PAD_BOTTOM, PAD_LEFT, PAD_RIGHT = 0.62, 0.5, 0.75, 0.2
TITLE_INCHES = 0.6

MetricFetcher = Callable[[str, str, dict, str, int, float, float], list[tuple[float, float]]]
LogFetcher = Callable[[str, int], list[tuple[int, str]]]

_UNITS = {"Duration": "Milliseconds", "ApproximateAgeOfOldestMessage": "Seconds", "SentMessageSize": "Bytes"}


@dataclass(frozen=True)
class MetricLine:
    namespace: str
    metric_name: str
    dimensions: dict
    stat: str
    period: int
    label: str


def parse_body(body: str | dict) -> dict:
    """The dashboard body as a dict, validated for what rendering needs (DSH-1)."""
    data = json.loads(body) if isinstance(body, str) else body
    if not isinstance(data, dict) or not isinstance(data.get("widgets"), list):
        raise ConfigError("dashboard body must be a JSON object with a 'widgets' array", where="dashboard_body")
    return data


def metric_lines(properties: dict) -> list[MetricLine]:
    """Expand a metric widget's ``metrics`` rows, including the ``"."`` repeat shorthand."""
    lines: list[MetricLine] = []
    previous: list[Any] = []
    default_stat = properties.get("stat", "Average")
    default_period = int(properties.get("period", 300))
    for row in properties.get("metrics", []):
        if isinstance(row, dict) or (row and isinstance(row[0], dict)):
            continue  # math expressions are not evaluated locally
        options = row[-1] if row and isinstance(row[-1], dict) else {}
        parts = list(row[:-1] if options else row)
        parts = [previous[i] if part == "." and i < len(previous) else part for i, part in enumerate(parts)]
        previous = parts
        namespace, metric_name, dims = parts[0], parts[1], parts[2:]
        dimensions = {dims[i]: dims[i + 1] for i in range(0, len(dims) - 1, 2)}
        stat = options.get("stat", default_stat)
        label = options.get("label") or f"{metric_name} ({stat})"
        lines.append(MetricLine(namespace, metric_name, dimensions, stat, int(options.get("period", default_period)), label))
    return lines


def log_groups(query: str) -> tuple[list[str], int]:
    """Log groups and ``limit`` of a Logs Insights query (``SOURCE 'a' | ... | limit 100``)."""
    groups = re.findall(r"SOURCE\s+'([^']+)'", query)
    limit = re.search(r"\blimit\s+(\d+)", query)
    return groups, int(limit.group(1)) if limit else 100


def render_png(body: str | dict, out: Path, *, fetch_metric: MetricFetcher, fetch_logs: LogFetcher,
               start: float, end: float, title: str | None = None) -> Path:
    """Draw every widget of ``body`` into ``out`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    data = parse_body(body)
    widgets = data["widgets"]
    rows = max([int(w.get("y", 0)) + int(w.get("height", 6)) for w in widgets] or [6])
    fig_w, fig_h = GRID_COLUMNS * COLUMN_INCHES, rows * ROW_INCHES + TITLE_INCHES
    figure = plt.figure(figsize=(fig_w, fig_h), dpi=110)
    if title:
        figure.suptitle(title, fontsize=15, fontweight="bold", y=1 - 0.15 / fig_h)
    for widget in widgets:
        x, y = int(widget.get("x", 0)), int(widget.get("y", 0))
        width = min(int(widget.get("width", 6)), GRID_COLUMNS - x)
        height = int(widget.get("height", 6))
        # Place the widget in its grid cell, leaving room for its title and labels (inches -> fractions).
        left = (x * COLUMN_INCHES + PAD_LEFT) / fig_w
        right = ((x + width) * COLUMN_INCHES - PAD_RIGHT) / fig_w
        top = 1 - (TITLE_INCHES + y * ROW_INCHES + PAD_TOP) / fig_h
        bottom = 1 - (TITLE_INCHES + (y + height) * ROW_INCHES - PAD_BOTTOM) / fig_h
        axes = figure.add_axes((left, bottom, max(0.01, right - left), max(0.01, top - bottom)))
        kind = widget.get("type")
        properties = widget.get("properties", {})
        if kind == "metric":
            _draw_metric(axes, properties, fetch_metric, start, end, mdates)
        elif kind == "log":
            _draw_log(axes, properties, fetch_logs)
        else:
            axes.axis("off")
            text = properties.get("markdown") or f"({kind} widget is not rendered locally)"
            axes.text(0.01, 0.95, text, va="top", ha="left", fontsize=9, wrap=True, transform=axes.transAxes)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out)
    plt.close(figure)
    return out


def _draw_metric(axes, properties: dict, fetch_metric: MetricFetcher, start: float, end: float, mdates) -> None:
    lines = metric_lines(properties)
    title = properties.get("title") or ", ".join(line.metric_name for line in lines)
    stats = sorted({line.stat for line in lines})
    periods = sorted({line.period for line in lines})
    axes.set_title(f"{title}\n{'/'.join(stats)}, {'/'.join(f'{p}s' for p in periods)} period", fontsize=10)
    units = sorted({_UNITS.get(line.metric_name, "Count") for line in lines})
    axes.set_ylabel(" / ".join(units), fontsize=8)
    axes.set_xlabel("time (UTC)", fontsize=8)
    plotted = False
    for line in lines:
        points = sorted(fetch_metric(line.namespace, line.metric_name, line.dimensions, line.stat, line.period, start, end))
        if not points:
            continue
        times = [datetime.fromtimestamp(t, tz=timezone.utc) for t, _ in points]
        axes.plot(times, [v for _, v in points], marker="o", markersize=3, linewidth=1.5, label=line.label)
        plotted = True
    axes.set_xlim(datetime.fromtimestamp(start, tz=timezone.utc), datetime.fromtimestamp(end, tz=timezone.utc))
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    axes.tick_params(labelsize=7)
    axes.grid(alpha=0.3)
    axes.set_ylim(bottom=0)
    if plotted:
        axes.legend(fontsize=7, loc="upper left")
    else:
        axes.text(0.5, 0.5, "no data in range", ha="center", va="center", transform=axes.transAxes, color="gray")


def _draw_log(axes, properties: dict, fetch_logs: LogFetcher) -> None:
    groups, limit = log_groups(properties.get("query", ""))
    axes.axis("off")
    axes.set_title(properties.get("title") or f"Logs: {', '.join(groups)}", fontsize=10)
    entries: list[tuple[int, str]] = []
    for group in groups:
        entries.extend(fetch_logs(group, limit))
    entries = sorted(entries, reverse=True)[:limit]
    shown = entries[:18]
    lines = [f"{datetime.fromtimestamp(ts / 1000, tz=timezone.utc):%H:%M:%S}  {_printable(message)[:150]}" for ts, message in shown]
    if len(entries) > len(shown):
        lines.append(f"... {len(entries) - len(shown)} more of the latest {limit}")
    axes.text(0.0, 1.0, "\n".join(lines) or "no log entries", va="top", ha="left", family="monospace",
              fontsize=7, transform=axes.transAxes)


def render_html(body: str | dict, out: Path, *, fetch_metric: MetricFetcher, fetch_logs: LogFetcher,
                start: float, end: float, title: str) -> Path:
    """A self-contained page: the rendered picture plus every log widget's entries as a table."""
    png = out.with_suffix(".png")
    render_png(body, png, fetch_metric=fetch_metric, fetch_logs=fetch_logs, start=start, end=end, title=title)
    image = base64.b64encode(png.read_bytes()).decode()
    png.unlink()
    tables = []
    for widget in parse_body(body)["widgets"]:
        if widget.get("type") != "log":
            continue
        groups, limit = log_groups(widget.get("properties", {}).get("query", ""))
        rows = sorted((e for g in groups for e in fetch_logs(g, limit)), reverse=True)[:limit]
        cells = "".join(
            f"<tr><td>{datetime.fromtimestamp(ts / 1000, tz=timezone.utc):%Y-%m-%d %H:%M:%S}</td><td><pre>{html.escape(m)}</pre></td></tr>"
            for ts, m in rows
        )
        tables.append(f"<h2>Logs: {html.escape(', '.join(groups))}</h2><table><tr><th>@timestamp</th><th>@message</th></tr>{cells}</table>")
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left}"
        "pre{margin:0;white-space:pre-wrap}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><img alt='dashboard' src='data:image/png;base64,{image}' style='max-width:100%'>"
        f"{''.join(tables)}</body></html>"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page)
    return out


def render(body: str | dict, out: Path, **kwargs) -> Path:
    """PNG or HTML by the file's suffix."""
    suffix = out.suffix.lower()
    if suffix == ".png":
        return render_png(body, out, **{k: v for k, v in kwargs.items() if k != "title"}, title=kwargs.get("title"))
    if suffix in (".html", ".htm"):
        return render_html(body, out, **kwargs)
    raise ConfigError(f"unsupported output type {suffix!r}", where=str(out), hint="use a .png or .html file name")


def fetchers_from_clients(cloudwatch, logs) -> tuple[MetricFetcher, LogFetcher]:
    """Fetchers backed by boto3 CloudWatch and CloudWatch Logs clients."""

    def fetch_metric(namespace: str, metric_name: str, dimensions: dict, stat: str, period: int,
                     start: float, end: float) -> list[tuple[float, float]]:
        kwargs: dict[str, Any] = dict(
            Namespace=namespace, MetricName=metric_name,
            Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
            StartTime=datetime.fromtimestamp(start, tz=timezone.utc),
            EndTime=datetime.fromtimestamp(end, tz=timezone.utc), Period=period,
        )
        if re.fullmatch(r"p\d+(\.\d+)?", stat):
            kwargs["ExtendedStatistics"] = [stat]
        else:
            kwargs["Statistics"] = [stat]
        points = cloudwatch.get_metric_statistics(**kwargs).get("Datapoints", [])
        result = []
        for point in points:
            value = point.get(stat, point.get("ExtendedStatistics", {}).get(stat))
            if value is not None:
                result.append((point["Timestamp"].timestamp(), float(value)))
        return result

    def fetch_logs(group: str, limit: int) -> list[tuple[int, str]]:
        events: list[tuple[int, str]] = []
        try:
            kwargs: dict[str, Any] = {"logGroupName": group}
            while True:
                page = logs.filter_log_events(**kwargs)
                events.extend((e["timestamp"], e["message"]) for e in page.get("events", []))
                if not page.get("nextToken"):
                    break
                kwargs["nextToken"] = page["nextToken"]
        except logs.exceptions.ResourceNotFoundException:
            return []
        return sorted(events, reverse=True)[:limit]

    return fetch_metric, fetch_logs


def fetchers_from_sandbox(client) -> tuple[MetricFetcher, LogFetcher]:
    """Metrics from the sandbox's own aligned series (percentiles included), logs over the API."""
    _, fetch_logs = fetchers_from_clients(client.boto("cloudwatch"), client.boto("logs"))
    return client.metric_series, fetch_logs


def _printable(message: str) -> str:
    """One display line: tabs become spaces, line breaks become ' | '."""
    return message.strip().replace("\t", "  ").replace("\r", " | ").replace("\n", " | ")
