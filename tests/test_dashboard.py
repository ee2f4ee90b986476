import json
import struct

import pytest

from lambda_processor.dashboard import log_groups, metric_lines, render
from lambda_processor.errors import ConfigError

BODY = {
    "widgets": [
        {"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6,
         "properties": {"title": "Invocations and errors", "stat": "Sum", "period": 60, "region": "us-east-1",
                        "metrics": [["AWS/Lambda", "Invocations", "FunctionName", "fn"], [".", "Errors", ".", "."]]}},
        {"type": "metric", "x": 12, "y": 0, "width": 12, "height": 6,
         "properties": {"title": "Duration", "period": 60,
                        "metrics": [["AWS/Lambda", "Duration", "FunctionName", "fn", {"stat": "p99", "label": "p99"}]]}},
        {"type": "log", "x": 0, "y": 6, "width": 24, "height": 6,
         "properties": {"query": "SOURCE '/aws/lambda/fn' | fields @timestamp, @message | sort @timestamp desc | limit 100",
                        "title": "Recent logs"}},
    ]
}


def test_metric_rows_expand_the_dot_shorthand_and_options():
    lines = metric_lines(BODY["widgets"][0]["properties"])
    assert [(l.metric_name, l.dimensions, l.stat, l.period) for l in lines] == [
        ("Invocations", {"FunctionName": "fn"}, "Sum", 60),
        ("Errors", {"FunctionName": "fn"}, "Sum", 60),
    ]
    (p99,) = metric_lines(BODY["widgets"][1]["properties"])
    assert p99.stat == "p99" and p99.label == "p99"


def test_dsh_4_log_query_names_groups_and_limit():
    assert log_groups("SOURCE 'a' | SOURCE 'b' | fields @message | limit 20") == (["a", "b"], 20)


def test_render_png_draws_requested_metrics(tmp_path):
    asked = []

    def fetch_metric(namespace, name, dims, stat, period, start, end):
        asked.append((namespace, name, dims["FunctionName"], stat, period))
        return [(start + 60 * i, float(i)) for i in range(5)]

    out = render(json.dumps(BODY), tmp_path / "d.png", fetch_metric=fetch_metric,
                 fetch_logs=lambda group, limit: [(1_700_000_000_000, f"hello from {group}")],
                 start=1_700_000_000, end=1_700_000_600, title="fn")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 1000 and height > 400
    assert ("AWS/Lambda", "Duration", "fn", "p99", 60) in asked
    assert len(asked) == 3


def test_render_html_embeds_picture_and_log_rows(tmp_path):
    out = render(BODY, tmp_path / "d.html", fetch_metric=lambda *a: [],
                 fetch_logs=lambda group, limit: [(1_700_000_000_000, "<b>REPORT</b>")],
                 start=1_700_000_000, end=1_700_000_600, title="fn")
    page = out.read_text()
    assert "data:image/png;base64," in page and "&lt;b&gt;REPORT&lt;/b&gt;" in page
    assert not (tmp_path / "d.png").exists()


def test_unsupported_output_type_is_named():
    with pytest.raises(ConfigError, match="use a .png or .html"):
        render(BODY, __import__("pathlib").Path("x.pdf"), fetch_metric=lambda *a: [], fetch_logs=lambda *a: [],
               start=0, end=1, title="t")
