# Plan-safety: queue, topics, rules, tables, buckets, KMS key, DLQ and layer are created next to the module, so
# every ARN it receives is unknown at plan. The plan must succeed and size every trigger correctly.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "plans_with_every_arn_unknown" {
  command = plan

  module {
    source = "./tests/setup"
  }

  # No expect_failures: a check or validation that tripped over an unknown ARN would fail this run.

  assert {
    condition     = length(output.sns_subscription_arns) == 2
    error_message = "one subscription per topic although the topic ARNs are unknown"
  }
  assert {
    condition     = output.eventbridge_target_ids == ["plansafety-dev-unknown-arns-0", "plansafety-dev-unknown-arns-1"]
    error_message = "one target per rule, with IDs known at plan"
  }
  assert {
    condition     = keys(output.cloudwatch_alarms) == ["concurrency", "duration", "errors", "throttles"]
    error_message = "alarms keyed by kind"
  }
  assert {
    condition     = output.sqs_event_source_mapping != null && output.dashboard_name == "plansafety-dev-unknown-arns"
    error_message = "the SQS mapping and the dashboard are planned"
  }
}

run "apply_resolves_the_unknown_arns" {
  command = apply

  module {
    source = "./tests/setup"
  }

  # Distinct ARNs for the resources of the same type (the mock would give them all the same one).
  override_resource {
    target = aws_sns_topic.system_events
    values = { arn = "arn:aws:sns:us-east-1:123456789012:plan-safety-system-events" }
  }
  override_resource {
    target = aws_cloudwatch_event_rule.on_custom_bus
    values = { arn = "arn:aws:events:us-east-1:123456789012:rule/plan-safety-bus/plan-safety-custom" }
  }
  override_resource {
    target = aws_s3_bucket.data[1]
    values = { arn = "arn:aws:s3:::plan-safety-data-1" }
  }
  override_resource {
    target = aws_dynamodb_table.items[1]
    values = { arn = "arn:aws:dynamodb:us-east-1:123456789012:table/plan-safety-items-1" }
  }

  assert {
    condition     = output.sqs_event_source_mapping.event_source_arn == "arn:aws:sqs:us-east-1:123456789012:mock-queue"
    error_message = "the mapping reads the queue created alongside"
  }
  assert {
    condition     = length(output.sns_subscription_arns) == 2 && alltrue([for arn in output.sns_subscription_arns : startswith(arn, "arn:aws:sns:")])
    error_message = "subscriptions exist after apply"
  }
  assert {
    condition     = module.processor.eventbridge_target_ids == ["plansafety-dev-unknown-arns-0", "plansafety-dev-unknown-arns-1"]
    error_message = "targets exist after apply"
  }
}
