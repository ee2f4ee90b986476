# Triggers: the SQS event source mapping, SNS subscriptions and EventBridge targets with their permissions.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  project_name  = "shop"
  environment   = "prod"
  function_name = "orders"
  filename      = "orders.zip"
}

run "sqs_defaults" {
  command = plan

  variables {
    sqs_config = {
      queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders"
    }
  }

  assert {
    condition     = aws_lambda_event_source_mapping.sqs[0].event_source_arn == "arn:aws:sqs:us-east-1:123456789012:orders"
    error_message = "mapping reads the configured queue"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.sqs[0].batch_size == 10 && aws_lambda_event_source_mapping.sqs[0].maximum_batching_window_in_seconds == 0
    error_message = "SQS-1/SQS-2 defaults: batch 10, window 0"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.sqs[0].enabled == true
    error_message = "enabled by default"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.sqs[0].function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "SQS-44: partial batch responses are on by default"
  }
  assert {
    condition     = length(aws_lambda_event_source_mapping.sqs[0].scaling_config) == 0 && length(aws_lambda_event_source_mapping.sqs[0].filter_criteria) == 0
    error_message = "no scaling or filter blocks unless configured"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.sqs[0].tags["ManagedBy"] == "terraform"
    error_message = "the mapping is tagged"
  }
}

run "sqs_consume_permissions_on_the_queue_only" {
  command = plan

  variables {
    sqs_config = {
      queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders"
    }
  }

  assert {
    condition = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "ConsumeSourceQueue"]).actions == toset([
      "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility",
    ])
    error_message = "SQS-13: the spec's four consume actions"
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "ConsumeSourceQueue"]).resources == toset(["arn:aws:sqs:us-east-1:123456789012:orders"])
    error_message = "on the source queue only"
  }
}

run "sqs_full_configuration" {
  command = plan

  # Filters always raise the "unmatched messages are deleted" warning.
  expect_failures = [check.sqs_filters_delete_unmatched_messages]

  variables {
    sqs_config = {
      queue_arn                          = "arn:aws:sqs:us-east-1:123456789012:events"
      batch_size                         = 100
      maximum_batching_window_in_seconds = 300
      enabled                            = false
      scaling_config = {
        maximum_concurrency = 50
      }
      filter_criteria = {
        filters = [
          { pattern = jsonencode({ body = { eventType = ["IMPORTANT", "CRITICAL"] } }) },
          { pattern = jsonencode({ body = { priority = [{ numeric = [">", 5] }] } }) },
        ]
      }
    }
  }

  assert {
    condition     = aws_lambda_event_source_mapping.sqs[0].batch_size == 100 && aws_lambda_event_source_mapping.sqs[0].maximum_batching_window_in_seconds == 300
    error_message = "batch 100 with a 300 s window on a standard queue"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.sqs[0].enabled == false
    error_message = "enabled = false is passed through"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.sqs[0].scaling_config[0].maximum_concurrency == 50
    error_message = "scaling_config.maximum_concurrency"
  }
  assert {
    condition = toset([for f in aws_lambda_event_source_mapping.sqs[0].filter_criteria[0].filter : f.pattern]) == toset([
      "{\"body\":{\"eventType\":[\"IMPORTANT\",\"CRITICAL\"]}}",
      # jsonencode escapes ">" as \u003e; AWS parses the JSON, so the pattern is unchanged.
      "{\"body\":{\"priority\":[{\"numeric\":[\"\\u003e\",5]}]}}",
    ])
    error_message = "FLT-1: each filter pattern is passed through"
  }
}

run "sqs_report_batch_item_failures_off" {
  command = plan

  variables {
    sqs_config = {
      queue_arn                  = "arn:aws:sqs:us-east-1:123456789012:orders"
      report_batch_item_failures = false
    }
  }

  assert {
    condition     = length(aws_lambda_event_source_mapping.sqs[0].function_response_types) == 0
    error_message = "no ReportBatchItemFailures when switched off"
  }
}

run "sqs_fifo_queue_with_batch_ten" {
  command = plan

  variables {
    sqs_config = {
      queue_arn  = "arn:aws:sqs:us-east-1:123456789012:orders.fifo"
      batch_size = 10
    }
  }

  assert {
    condition     = aws_lambda_event_source_mapping.sqs[0].batch_size == 10
    error_message = "SQS-1: FIFO accepts up to 10"
  }
}

run "sqs_mapping_output_after_apply" {
  command = apply

  variables {
    sqs_config = {
      queue_arn                          = "arn:aws:sqs:us-east-1:123456789012:orders"
      batch_size                         = 5
      maximum_batching_window_in_seconds = 60
      scaling_config                     = { maximum_concurrency = 50 }
    }
  }

  assert {
    condition     = output.sqs_event_source_mapping.uuid == "3f2f6bde-0a4c-4b8f-9d1e-2b7c9a6d5e41"
    error_message = "uuid output"
  }
  assert {
    condition     = output.sqs_event_source_mapping.arn == "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:3f2f6bde-0a4c-4b8f-9d1e-2b7c9a6d5e41"
    error_message = "arn output"
  }
  assert {
    condition     = output.sqs_event_source_mapping.batch_size == 5 && output.sqs_event_source_mapping.maximum_batching_window_in_seconds == 60 && output.sqs_event_source_mapping.maximum_concurrency == 50
    error_message = "batch settings in the output"
  }
  assert {
    condition     = output.sqs_event_source_mapping.function_response_types == toset(["ReportBatchItemFailures"]) && output.sqs_event_source_mapping.enabled == true
    error_message = "response types and enabled in the output"
  }
  assert {
    condition     = output.sqs_event_source_mapping.event_source_arn == "arn:aws:sqs:us-east-1:123456789012:orders"
    error_message = "event_source_arn in the output"
  }
}

run "sns_subscription_and_permission_per_topic" {
  command = plan

  variables {
    sns_config = {
      topic_arns = [
        "arn:aws:sns:us-east-1:123456789012:user-events",
        "arn:aws:sns:us-east-1:123456789012:system-events",
      ]
    }
  }

  assert {
    condition     = aws_sns_topic_subscription.this["0"].topic_arn == "arn:aws:sns:us-east-1:123456789012:user-events" && aws_sns_topic_subscription.this["1"].topic_arn == "arn:aws:sns:us-east-1:123456789012:system-events"
    error_message = "one subscription per topic, keyed by index"
  }
  assert {
    condition     = alltrue([for s in aws_sns_topic_subscription.this : s.protocol == "lambda"])
    error_message = "lambda protocol"
  }
  assert {
    condition     = aws_lambda_permission.sns["1"].source_arn == "arn:aws:sns:us-east-1:123456789012:system-events" && aws_lambda_permission.sns["1"].principal == "sns.amazonaws.com"
    error_message = "SNS-6: permission for sns.amazonaws.com scoped to the topic"
  }
  assert {
    condition     = aws_lambda_permission.sns["0"].action == "lambda:InvokeFunction" && aws_lambda_permission.sns["0"].function_name == "shop-prod-orders"
    error_message = "permission on this function"
  }
  assert {
    condition     = aws_lambda_permission.sns["0"].statement_id != aws_lambda_permission.sns["1"].statement_id
    error_message = "distinct statement ids"
  }
}

run "sns_subscription_arns_output_after_apply" {
  command = apply

  variables {
    sns_config = {
      topic_arns = ["arn:aws:sns:us-east-1:123456789012:user-events"]
    }
  }

  assert {
    condition     = output.sns_subscription_arns == ["arn:aws:sns:us-east-1:123456789012:mock-topic:6b0d31f4-8a52-4c5e-9d41-0f3b2a7c1e90"]
    error_message = "subscription ARNs in topic order"
  }
}

run "eventbridge_default_and_custom_bus_rules" {
  command = plan

  variables {
    eventbridge_config = {
      rule_arns = [
        "arn:aws:events:us-east-1:123456789012:rule/scheduled-notifications",
        "arn:aws:events:us-east-1:123456789012:rule/orders-bus/order-placed",
      ]
    }
  }

  assert {
    condition     = aws_cloudwatch_event_target.this["0"].rule == "scheduled-notifications" && aws_cloudwatch_event_target.this["0"].event_bus_name == "default"
    error_message = "rule/<name> targets the default bus"
  }
  assert {
    condition     = aws_cloudwatch_event_target.this["1"].rule == "order-placed" && aws_cloudwatch_event_target.this["1"].event_bus_name == "orders-bus"
    error_message = "rule/<bus>/<name> targets the custom bus"
  }
  assert {
    condition     = aws_lambda_permission.eventbridge["1"].source_arn == "arn:aws:events:us-east-1:123456789012:rule/orders-bus/order-placed" && aws_lambda_permission.eventbridge["1"].principal == "events.amazonaws.com"
    error_message = "EB-6: permission for events.amazonaws.com scoped to the rule"
  }
  assert {
    condition     = output.eventbridge_target_ids == ["shop-prod-orders-0", "shop-prod-orders-1"]
    error_message = "target ids are <name>-<index>"
  }
}

run "eventbridge_partner_bus_rule" {
  command = plan

  variables {
    eventbridge_config = {
      rule_arns = ["arn:aws:events:us-east-1:123456789012:rule/aws.partner/example.com/1234/orders/partner-orders"]
    }
  }

  assert {
    condition     = aws_cloudwatch_event_target.this["0"].rule == "partner-orders" && aws_cloudwatch_event_target.this["0"].event_bus_name == "aws.partner/example.com/1234/orders"
    error_message = "a partner bus name keeps its slashes; the rule name is the last segment"
  }
}

run "eventbridge_target_ids_fit_64_characters" {
  command = plan

  variables {
    function_name = "a-function-name-that-is-quite-long-indeed-123456789012"
    eventbridge_config = {
      rule_arns = ["arn:aws:events:us-east-1:123456789012:rule/r"]
    }
  }

  assert {
    condition     = length(aws_cloudwatch_event_target.this["0"].target_id) <= 64
    error_message = "target ids stay within EventBridge's 64 characters"
  }
}
