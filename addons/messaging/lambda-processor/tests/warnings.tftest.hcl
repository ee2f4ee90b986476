# Warnings (check blocks): the plan succeeds, and the named check reports the problem.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  project_name  = "shop"
  environment   = "dev"
  function_name = "orders"
  filename      = "orders.zip"
}

run "deprecated_runtime_warns_but_plans" {
  command = plan

  variables {
    runtime = "nodejs18.x"
  }

  expect_failures = [check.runtime_not_deprecated]

  assert {
    condition     = aws_lambda_function.this.runtime == "nodejs18.x"
    error_message = "a deprecated runtime is still deployed"
  }
}

run "supported_runtime_does_not_warn" {
  command = plan

  variables {
    runtime = "python3.13"
  }

  assert {
    condition     = aws_lambda_function.this.runtime == "python3.13"
    error_message = "no warning, plan passes"
  }
}

run "sqs_6_maximum_concurrency_above_1000_warns" {
  command = plan

  variables {
    sqs_config = {
      queue_arn      = "arn:aws:sqs:us-east-1:123456789012:orders"
      scaling_config = { maximum_concurrency = 1500 }
    }
  }

  expect_failures = [check.sqs_maximum_concurrency_within_aws_limit]
}

run "sqs_17_maximum_concurrency_above_reserved_concurrency_warns" {
  command = plan

  variables {
    reserved_concurrent_executions = 20
    sqs_config = {
      queue_arn      = "arn:aws:sqs:us-east-1:123456789012:orders"
      scaling_config = { maximum_concurrency = 50 }
    }
  }

  expect_failures = [check.sqs_maximum_concurrency_within_reserved_concurrency]
}

run "sqs_17_reserved_concurrency_below_five_warns" {
  command = plan

  variables {
    reserved_concurrent_executions = 3
    sqs_config = {
      queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders"
    }
  }

  expect_failures = [check.sqs_reserved_concurrency_at_least_five]
}

run "flt_4_filter_on_a_body_field_outside_body_warns" {
  # The spec's enhanced example: `eventType` is a body field, but the pattern puts it at the top of the record.
  command = plan

  variables {
    sqs_config = {
      queue_arn = "arn:aws:sqs:us-east-1:123456789012:events"
      filter_criteria = {
        filters = [{ pattern = jsonencode({ eventType = ["IMPORTANT", "CRITICAL"] }) }]
      }
    }
  }

  expect_failures = [check.sqs_filter_keys_are_record_fields, check.sqs_filters_delete_unmatched_messages]
}

run "flt_9_filter_on_metadata_added_after_filtering_warns" {
  command = plan

  variables {
    sqs_config = {
      queue_arn = "arn:aws:sqs:us-east-1:123456789012:events"
      filter_criteria = {
        filters = [{ pattern = jsonencode({ eventSource = ["aws:sqs"] }) }]
      }
    }
  }

  expect_failures = [check.sqs_filter_keys_are_record_fields, check.sqs_filters_delete_unmatched_messages]
}

run "flt_2_body_filter_only_gets_the_deletion_notice" {
  command = plan

  variables {
    sqs_config = {
      queue_arn = "arn:aws:sqs:us-east-1:123456789012:events"
      filter_criteria = {
        filters = [{ pattern = jsonencode({ body = { eventType = ["IMPORTANT", "CRITICAL"] } }) }]
      }
    }
  }

  # Only the deletion notice: `body` is a record field, so sqs_filter_keys_are_record_fields passes.
  expect_failures = [check.sqs_filters_delete_unmatched_messages]
}

run "asy_10_dead_letter_queue_with_only_an_sqs_trigger_warns" {
  command = plan

  variables {
    dead_letter_queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders-dlq"
    sqs_config = {
      queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders"
    }
  }

  expect_failures = [check.dead_letter_queue_has_async_trigger]

  assert {
    condition     = aws_lambda_function.this.dead_letter_config[0].target_arn == "arn:aws:sqs:us-east-1:123456789012:orders-dlq"
    error_message = "the DLQ is still configured (it serves direct async invokes)"
  }
}

run "dead_letter_queue_with_an_async_trigger_does_not_warn" {
  command = plan

  variables {
    dead_letter_queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders-dlq"
    sqs_config            = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders" }
    sns_config            = { topic_arns = ["arn:aws:sns:us-east-1:123456789012:orders"] }
  }

  assert {
    condition     = length(aws_lambda_function.this.dead_letter_config) == 1
    error_message = "no warning when SNS invokes the function asynchronously"
  }
}

run "duration_threshold_above_timeout_warns" {
  command = plan

  variables {
    timeout           = 30
    monitoring_config = { duration_threshold = 60000 }
  }

  expect_failures = [check.duration_threshold_within_timeout]
}

run "concurrency_threshold_above_reserved_concurrency_warns" {
  command = plan

  variables {
    reserved_concurrent_executions = 10
    monitoring_config = {
      create_concurrency_alarm        = true
      concurrent_executions_threshold = 80
    }
  }

  expect_failures = [check.concurrency_threshold_within_reserved_concurrency]
}
