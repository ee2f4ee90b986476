"""self_test(): fails loudly when moto is not the verified version or a patched name changed."""

from __future__ import annotations

import pytest

from lambda_processor.sandbox import moto_adapter
from lambda_processor.sandbox.moto_adapter import MOTO_VERSION, MotoVersionError, self_test


def test_passes_on_the_pinned_moto():
    import moto

    assert moto.__version__ == MOTO_VERSION == "5.2.5"
    self_test()


def test_a_different_moto_version_fails(monkeypatch):
    import moto

    monkeypatch.setattr(moto, "__version__", "5.3.0")
    with pytest.raises(MotoVersionError, match=r"moto 5\.3\.0 is installed.*moto==5\.2\.5"):
        self_test()


def test_a_changed_signature_names_the_function(monkeypatch):
    from moto.awslambda.models import LambdaFunction

    def invoke(self, body, request_headers, response_headers, invocation_type):  # one more parameter
        return b""

    monkeypatch.setattr(LambdaFunction, "invoke", invoke)
    with pytest.raises(MotoVersionError) as raised:
        self_test()
    assert "moto.awslambda.models:LambdaFunction.invoke has parameters" in str(raised.value)
    assert "invocation_type" in str(raised.value)


def test_a_removed_name_is_reported(monkeypatch):
    from moto.events.models import Rule

    monkeypatch.delattr(Rule, "send_to_targets")
    with pytest.raises(MotoVersionError, match="Rule.send_to_targets no longer exists"):
        self_test()


def test_an_attribute_moto_no_longer_uses_is_reported(monkeypatch):
    from moto.sqs.models import Queue

    def add_message(self, message):  # no longer reads lambda_event_source_mappings
        self._messages.append(message)

    monkeypatch.setattr(Queue, "add_message", add_message)
    with pytest.raises(MotoVersionError, match="Queue.add_message no longer uses .lambda_event_source_mappings"):
        self_test()


def test_install_refuses_to_patch_a_changed_moto(monkeypatch):
    import moto

    monkeypatch.setattr(moto, "__version__", "6.0.0")
    with pytest.raises(MotoVersionError):
        moto_adapter.install()
    assert not moto_adapter.installed()


def test_self_test_still_checks_moto_originals_while_patched(aws):
    assert moto_adapter.installed()
    self_test()


def test_a_changed_moto_stops_the_sandbox_from_starting_and_leaves_nothing_patched(monkeypatch):
    from moto.awslambda.models import LambdaFunction

    from lambda_processor.sandbox import EmbeddedAws
    from lambda_processor.sandbox.moto_adapter.sqs_store import is_sqs_store_installed

    def invoke(self, payload):  # a moto that changed the choke point
        return b""

    monkeypatch.setattr(LambdaFunction, "invoke", invoke)
    with pytest.raises(MotoVersionError, match="LambdaFunction.invoke has parameters"):
        EmbeddedAws.start()
    assert not moto_adapter.installed()
    assert not is_sqs_store_installed()  # the store installed first is rolled back
