"""Turn off moto's own SQS -> Lambda delivery; the runtime's poller owns it.

moto invokes the function synchronously inside ``SendMessage``, once per message,
ignoring batch size, filters and partial failures (and a deleted mapping keeps
firing). Mappings stay stored in ``LambdaBackend._event_source_mappings``, so
Create/Get/List/Update/Delete keep working, and messages stay in the queue.
"""

from __future__ import annotations

from typing import Any

from .patching import AttributeUseCheck, PatchSet, SignatureCheck

CHECKS = (
    SignatureCheck(
        "moto.awslambda.models:LambdaBackend.list_event_source_mappings", "self, event_source_arn, function_name"
    ),
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


def function_identifier_matches(stored: str, wanted: str) -> bool:
    """Whether a mapping created with ``stored`` (a name, ARN or partial ARN) is for ``wanted``.

    AWS accepts any of the three forms in ListEventSourceMappings' FunctionName; moto
    compares the raw strings, so a mapping made with the function ARN is not found by name.
    """
    def name_of(identifier: str) -> str:
        if ":function:" in identifier:
            return identifier.split(":function:", 1)[1].split(":", 1)[0]
        if identifier.startswith("function:"):
            return identifier.split(":", 2)[1]
        return identifier.split(":", 1)[0]

    if stored == wanted:
        return True
    same_name = name_of(stored) == name_of(wanted)
    if wanted.startswith("arn:") and stored.startswith("arn:"):
        return same_name and stored.split(":")[3:5] == wanted.split(":")[3:5]
    return same_name


def _list_event_source_mappings(self: Any, event_source_arn: str, function_name: str) -> Any:
    mappings = list(self._event_source_mappings.values())
    if event_source_arn:
        mappings = [m for m in mappings if m.event_source_arn == event_source_arn]
    if function_name:
        mappings = [m for m in mappings if function_identifier_matches(m.function_name, function_name)]
    return mappings


def install(patches: PatchSet) -> None:
    """Apply the descriptor to moto's ``Queue`` (and so to any subclass of it); fix the name lookup."""
    from .patching import resolve

    # moto's own Queue, also when the SQS store has pointed the module name at its subclass.
    patches.replace(resolve("moto.sqs.models:Queue"), "lambda_event_source_mappings", AlwaysEmptyMappings())
    patches.replace(resolve("moto.awslambda.models:LambdaBackend"), "list_event_source_mappings",
                    _list_event_source_mappings)
