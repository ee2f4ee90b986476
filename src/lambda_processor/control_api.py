"""A small JSON API served on the sandbox's own endpoint, under ``/_lambda_processor/``.

It lets ``status``, ``down`` and scripts reach a running ``up`` through the same address
every SDK uses, so ``--endpoint`` alone is enough to find everything.

    GET  /_lambda_processor/status    what is deployed and running (functions, queues, mappings)
    GET  /_lambda_processor/outputs   the Terraform outputs of the applied configuration
    GET  /_lambda_processor/metric_series?namespace=&metric=&dimensions=&stat=&period=&start=&end=
                                      one value per epoch-aligned period, percentiles included
    POST /_lambda_processor/shutdown  stop the sandbox (like Ctrl-C in ``up``)
"""

from __future__ import annotations

import json
from typing import Any, Callable
from urllib.parse import parse_qs

PREFIX = "/_lambda_processor/"


class ControlApi:
    """WSGI middleware: answers the control paths, passes everything else to moto."""

    def __init__(self, app: Callable, *, status: Callable[[], dict], outputs: Callable[[], dict],
                 shutdown: Callable[[], None], metric_series: Callable[..., list] | None = None):
        self._app = app
        self._routes: dict[tuple[str, str], Callable[[dict], Any]] = {
            ("GET", "status"): lambda query: status(),
            ("GET", "outputs"): lambda query: outputs(),
            ("POST", "shutdown"): lambda query: (shutdown(), {"stopping": True})[1],
        }
        if metric_series is not None:
            self._routes[("GET", "metric_series")] = lambda query: {"points": metric_series(
                namespace=query["namespace"], metric_name=query["metric"],
                dimensions=json.loads(query.get("dimensions", "{}")), stat=query.get("stat", "Average"),
                period=int(query.get("period", 300)), start=float(query["start"]), end=float(query["end"]),
            )}

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            return self._app(environ, start_response)
        route = self._routes.get((environ.get("REQUEST_METHOD", "GET"), path[len(PREFIX):].strip("/")))
        if route is None:
            return _json(start_response, "404 Not Found", {"error": f"no control route {path}"})
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        try:
            return _json(start_response, "200 OK", route(query))
        except KeyError as missing:
            return _json(start_response, "400 Bad Request", {"error": f"missing query parameter {missing}"})
        except Exception as error:  # the API must answer, whatever went wrong inside
            return _json(start_response, "500 Internal Server Error", {"error": str(error)})


def _json(start_response: Callable, status: str, body: dict) -> list[bytes]:
    data = json.dumps(body, default=str).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
