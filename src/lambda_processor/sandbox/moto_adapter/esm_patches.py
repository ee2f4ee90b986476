"""Turn off moto's own SQS -> Lambda delivery; the runtime's poller owns it.

moto invokes the function synchronously inside ``SendMessage``, once per message,
ignoring batch size, filters and partial failures (and a deleted mapping keeps
firing). Mappings stay stored in ``LambdaBackend._event_source_mappings``, so
Create/Get/List/Update/Delete keep working, and messages stay in the queue.
"""

from __future__ import annotations

from typing import Any

from .patching import AttributeUseCheck, PatchSet

CHECKS = (
    AttributeUseCheck("moto.sqs.models:Queue.__init__", "lambda_event_source_mappings"),
    AttributeUseCheck("moto.sqs.models:Queue.add_message", "lambda_event_source_mappings"),
    AttributeUseCheck(
        "moto.awslambda.models:LambdaBackend.create_event_source_mapping", "lambda_event_source_mappings"
    ),
)


class AlwaysEmptyMappings:
    """Data descriptor: every read is a fresh empty dict and writes are ignored.

    A data descriptor on the class wins over the instance attribute moto assigns in
    ``Queue.__init__``, so moto's loop in ``add_message`` never sees a mapping.
    """

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return {}

    def __set__(self, instance: Any, value: Any) -> None:
        pass


def install(patches: PatchSet) -> None:
    """Apply the descriptor to moto's ``Queue`` (and so to any subclass of it)."""
    from .patching import resolve

    # moto's own Queue, also when the SQS store has pointed the module name at its subclass.
    patches.replace(resolve("moto.sqs.models:Queue"), "lambda_event_source_mappings", AlwaysEmptyMappings())
