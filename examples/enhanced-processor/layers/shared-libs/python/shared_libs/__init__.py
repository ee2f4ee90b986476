"""shared_libs: code shared by functions through the `shared-libs` Lambda layer.

A Python layer's ``python/`` folder is on ``sys.path`` in the function (``/opt/python``), so
functions import this package as ``shared_libs``.
"""

from .events import EventEnvelope, InvalidEvent, parse_envelope, priority_of
from .metrics import MetricsBatch
from .structured_log import get_logger

__all__ = ["EventEnvelope", "InvalidEvent", "MetricsBatch", "get_logger", "parse_envelope", "priority_of"]
__version__ = "1.0.0"
