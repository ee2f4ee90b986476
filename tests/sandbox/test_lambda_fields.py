"""Fields moto drops are kept, so a Terraform plan after apply is clean."""

from __future__ import annotations

DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:orders-dlq"
KMS_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_dead_letter_and_logging_config_are_kept_on_create(client, make_function):
    created = make_function(
        "payments",
        DeadLetterConfig={"TargetArn": DLQ_ARN},
        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "LogGroup": "/custom/payments"},
    )
    assert created["DeadLetterConfig"] == {"TargetArn": DLQ_ARN}
    config = client("lambda").get_function_configuration(FunctionName="payments")
    assert config["DeadLetterConfig"] == {"TargetArn": DLQ_ARN}
    assert config["LoggingConfig"] == {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "DEBUG",
        "SystemLogLevel": "INFO",
        "LogGroup": "/custom/payments",
    }


def test_logging_config_defaults_like_aws(client, make_function):
    make_function("plain")
    config = client("lambda").get_function_configuration(FunctionName="plain")
    assert config["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/plain"}
    assert "DeadLetterConfig" not in config


def test_tracing_kms_and_ephemeral_storage_are_kept_on_update(client, make_function):
    make_function("updated")
    lam = client("lambda")
    lam.update_function_configuration(
        FunctionName="updated",
        TracingConfig={"Mode": "Active"},
        KMSKeyArn=KMS_ARN,
        EphemeralStorage={"Size": 2048},
        DeadLetterConfig={"TargetArn": DLQ_ARN},
    )
    config = lam.get_function_configuration(FunctionName="updated")
    assert config["TracingConfig"] == {"Mode": "Active"}
    assert config["KMSKeyArn"] == KMS_ARN
    assert config["EphemeralStorage"] == {"Size": 2048}
    assert config["DeadLetterConfig"] == {"TargetArn": DLQ_ARN}


def test_an_empty_target_removes_the_dead_letter_config(client, make_function):
    make_function("undlq", DeadLetterConfig={"TargetArn": DLQ_ARN})
    lam = client("lambda")
    lam.update_function_configuration(FunctionName="undlq", DeadLetterConfig={"TargetArn": ""})
    assert "DeadLetterConfig" not in lam.get_function_configuration(FunctionName="undlq")


def test_published_versions_keep_the_fields(client, make_function):
    make_function("versioned", DeadLetterConfig={"TargetArn": DLQ_ARN})
    lam = client("lambda")
    version = lam.publish_version(FunctionName="versioned")["Version"]
    config = lam.get_function_configuration(FunctionName="versioned", Qualifier=version)
    assert config["DeadLetterConfig"] == {"TargetArn": DLQ_ARN}
