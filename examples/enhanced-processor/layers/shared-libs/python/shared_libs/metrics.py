"""CloudWatch metrics through the Embedded Metric Format (EMF): one JSON log line per flush.

CloudWatch Logs turns such lines into metrics, so no PutMetricData call (and no IAM grant) is
needed. Specification:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from typing import TextIO


class MetricsBatch:
    """Counts/values per (metric, dimension value), flushed as EMF documents."""

    def __init__(self, namespace: str, dimension: str, stream: TextIO | None = None, clock=time.time):
        self.namespace = namespace
        self.dimension = dimension
        self._stream = stream
        self._clock = clock
        self._values: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        self._units: dict[str, str] = {}

    def add(self, name: str, value: float, dimension_value: str, unit: str = "Count") -> None:
        """Record one value of metric ``name`` for ``dimension_value``."""
        self._values[dimension_value][name].append(value)
        self._units[name] = unit

    def documents(self) -> list[dict]:
        """The EMF documents for what was recorded, one per dimension value."""
        timestamp = int(self._clock() * 1000)
        documents = []
        for dimension_value, metrics in sorted(self._values.items()):
            document = {
                "_aws": {
                    "Timestamp": timestamp,
                    "CloudWatchMetrics": [
                        {
                            "Namespace": self.namespace,
                            "Dimensions": [[self.dimension]],
                            "Metrics": [{"Name": n, "Unit": self._units[n]} for n in sorted(metrics)],
                        }
                    ],
                },
                self.dimension: dimension_value,
            }
            for name, values in metrics.items():
                document[name] = values if len(values) > 1 else values[0]
            documents.append(document)
        return documents

    def flush(self) -> list[dict]:
        """Write the documents as log lines and start over; return what was written."""
        documents = self.documents()
        stream = self._stream or sys.stdout
        for document in documents:
            stream.write(json.dumps(document) + "\n")
        stream.flush()
        self._values.clear()
        return documents
