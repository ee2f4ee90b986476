# The smallest configuration: a zip function with every optional input left out (null / default).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  project_name     = "shop"
  environment      = "dev"
  function_name    = "orders"
  filename         = "orders.zip"
  source_code_hash = "c2hhMjU2"
}

run "defaults_name_every_resource_from_one_stem" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.function_name == "shop-dev-orders"
    error_message = "function name is <project>-<environment>-<function>"
  }
  assert {
    condition     = aws_iam_role.this.name == "shop-dev-orders-role"
    error_message = "role name is <name>-role"
  }
  assert {
    condition     = aws_iam_role_policy.this.name == "shop-dev-orders-policy"
    error_message = "inline policy name is <name>-policy"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/shop-dev-orders"
    error_message = "log group is /aws/lambda/<name>"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["errors"].alarm_name == "shop-dev-orders-errors"
    error_message = "alarms are named <name>-<kind>"
  }
}

run "defaults_match_the_spec" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.runtime == "python3.11" && aws_lambda_function.this.handler == "index.handler"
    error_message = "zip default runtime python3.11, handler index.handler"
  }
  assert {
    condition     = aws_lambda_function.this.memory_size == 512 && aws_lambda_function.this.timeout == 60
    error_message = "default memory 512 MB, timeout 60 s"
  }
  assert {
    condition     = aws_lambda_function.this.architectures == tolist(["x86_64"])
    error_message = "default architecture x86_64"
  }
  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "default is unreserved concurrency"
  }
  assert {
    condition     = aws_lambda_function.this.ephemeral_storage[0].size == 512
    error_message = "default /tmp 512 MB"
  }
  assert {
    condition     = aws_lambda_function.this.package_type == "Zip" && aws_lambda_function.this.filename == "orders.zip" && aws_lambda_function.this.source_code_hash == "c2hhMjU2"
    error_message = "zip package from filename + source_code_hash"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days == 14
    error_message = "default log retention 14 days"
  }
}

run "defaults_leave_optional_blocks_out" {
  command = plan

  assert {
    condition     = length(aws_lambda_function.this.environment) == 0
    error_message = "no environment block without variables"
  }
  assert {
    condition     = length(aws_lambda_function.this.dead_letter_config) == 0
    error_message = "no DLQ by default"
  }
  assert {
    condition     = length(aws_lambda_function.this.vpc_config) == 0
    error_message = "no VPC by default"
  }
  assert {
    condition     = length(aws_lambda_event_source_mapping.sqs) == 0 && length(aws_sns_topic_subscription.this) == 0 && length(aws_cloudwatch_event_target.this) == 0
    error_message = "no triggers by default"
  }
  assert {
    condition     = length(aws_cloudwatch_dashboard.this) == 0
    error_message = "no dashboard by default"
  }
  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.this) == ["duration", "errors", "throttles"]
    error_message = "monitoring is on by default with errors, duration and throttles alarms (no concurrency alarm)"
  }
}

run "defaults_iam_grants_only_the_own_log_group" {
  command = plan

  assert {
    condition     = [for s in data.aws_iam_policy_document.execution.statement : s.sid] == ["WriteOwnLogGroup"]
    error_message = "without features the policy has the log statement only"
  }
  assert {
    condition     = data.aws_iam_policy_document.execution.statement[0].resources == toset(["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/shop-dev-orders:*"])
    error_message = "logs are granted on the function's own log group only"
  }
  assert {
    condition     = data.aws_iam_policy_document.execution.statement[0].actions == toset(["logs:CreateLogStream", "logs:PutLogEvents"])
    error_message = "the module creates the log group, so the role needs no logs:CreateLogGroup"
  }
  assert {
    condition     = one(one(data.aws_iam_policy_document.assume_role.statement).principals).identifiers == toset(["lambda.amazonaws.com"])
    error_message = "only Lambda may assume the role"
  }
}

run "defaults_outputs_do_not_fail_with_features_off" {
  command = plan

  assert {
    condition     = output.sqs_event_source_mapping == null
    error_message = "sqs_event_source_mapping is null without sqs_config"
  }
  assert {
    condition     = output.dashboard_name == null
    error_message = "dashboard_name is null without a dashboard"
  }
  assert {
    condition     = length(output.sns_subscription_arns) == 0 && length(output.eventbridge_target_ids) == 0
    error_message = "trigger outputs are empty lists"
  }
  assert {
    condition     = output.function_name == "shop-dev-orders" && output.log_group_name == "/aws/lambda/shop-dev-orders" && output.iam_role_name == "shop-dev-orders-role"
    error_message = "name outputs are known at plan"
  }
}

run "defaults_outputs_after_apply" {
  command = apply

  assert {
    condition     = output.function_arn == "arn:aws:lambda:us-east-1:123456789012:function:mock-function"
    error_message = "function_arn output"
  }
  assert {
    condition     = output.iam_role_arn == "arn:aws:iam::123456789012:role/mock-role"
    error_message = "iam_role_arn output"
  }
  assert {
    condition     = output.cloudwatch_alarms["errors"].name == "shop-dev-orders-errors" && output.cloudwatch_alarms["errors"].arn == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:mock-alarm"
    error_message = "cloudwatch_alarms is keyed by kind with name and arn"
  }
  assert {
    condition     = output.sqs_event_source_mapping == null && output.dashboard_name == null
    error_message = "optional outputs stay null after apply"
  }
}

run "tags_merge_common_tags_with_module_tags" {
  command = plan

  variables {
    common_tags = {
      Team        = "backend"
      Environment = "not-this"
    }
  }

  assert {
    condition = aws_lambda_function.this.tags == tomap({
      Team        = "backend"
      Project     = "shop"
      Environment = "dev"
      ManagedBy   = "terraform"
    })
    error_message = "common_tags are merged with Project/Environment/ManagedBy, and those three win"
  }
  assert {
    condition     = aws_iam_role.this.tags == aws_lambda_function.this.tags && aws_cloudwatch_log_group.this.tags == aws_lambda_function.this.tags && aws_cloudwatch_metric_alarm.this["errors"].tags == aws_lambda_function.this.tags
    error_message = "every taggable resource carries the same tags"
  }
}

run "explicit_nulls_fall_back_to_defaults" {
  command = plan

  variables {
    monitoring_config       = null
    common_tags             = null
    layers                  = null
    environment_variables   = null
    memory_size             = null
    architectures           = null
    additional_iam_policies = null
    enable_monitoring       = null
    create_dashboard        = null
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["errors"].threshold == 5 && aws_lambda_function.this.memory_size == 512
    error_message = "null inputs take their defaults"
  }
}

run "long_names_drop_the_role_suffix" {
  command = plan

  variables {
    function_name = "a-function-name-that-is-quite-long-indeed-1234567890123"
  }

  assert {
    condition     = length(aws_lambda_function.this.function_name) == 64
    error_message = "the function name may use all 64 characters"
  }
  assert {
    condition     = aws_iam_role.this.name == aws_lambda_function.this.function_name
    error_message = "the role name drops -role when it would exceed IAM's 64 characters"
  }
}
