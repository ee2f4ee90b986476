# Every validation rule is broken in exactly one run, and the plan must fail on that input.
# A run may break several inputs at once (to keep `terraform test` fast), but never two rules of the same input,
# so each expected failure can only come from the rule named in the comment.
# Rule ids (SQS-1, FLT-6, ALM-2, ...) refer to the project's aws-semantics reference.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  project_name  = "shop"
  environment   = "dev"
  function_name = "orders"
  filename      = "orders.zip"
}

run "naming_rejects_invalid_characters_and_unknown_environment" {
  # project_name: [A-Za-z0-9-_] only
  # environment: dev, staging or prod
  command = plan

  variables {
    project_name = "my shop"
    environment  = "production"
  }

  expect_failures = [var.project_name, var.environment]
}

# function_name's rules refer to project_name and environment, so it is broken on its own: Terraform skips the
# validation of an input whose referenced inputs already failed.
run "function_name_rejects_invalid_characters" {
  # function_name: [A-Za-z0-9-_] only
  command = plan

  variables {
    function_name = "orders.v2"
  }

  expect_failures = [var.function_name]
}

run "function_name_total_at_most_64_characters" {
  # function_name: <project>-<environment>-<function> <= 64 characters
  command = plan

  variables {
    function_name = "a-function-name-that-is-far-too-long-for-lambda-1234567890"
  }

  expect_failures = [var.function_name]
}

run "code_source_required" {
  # filename: exactly one code source (none given)
  command = plan

  variables {
    filename = null
  }

  expect_failures = [var.filename]
}

run "code_source_exactly_one" {
  # filename: exactly one code source (two given)
  command = plan

  variables {
    filename  = "a.zip"
    s3_bucket = "b"
    s3_key    = "a.zip"
  }

  expect_failures = [var.filename]
}

run "s3_bucket_and_s3_key_go_together" {
  # s3_bucket needs s3_key
  command = plan

  variables {
    filename  = null
    s3_bucket = "b"
  }

  expect_failures = [var.s3_bucket]
}

run "s3_object_version_needs_s3_bucket" {
  # s3_object_version needs s3_bucket + s3_key
  command = plan

  variables {
    s3_object_version = "v1"
  }

  expect_failures = [var.s3_object_version]
}

# runtime, handler, layers and source_code_hash refer to package_type, so package_type is broken on its own.
run "package_type_zip_or_image" {
  # package_type: Zip or Image
  command = plan

  variables {
    package_type = "Jar"
  }

  expect_failures = [var.package_type]
}

run "image_uri_needs_package_type_image" {
  # package_type: image_uri <-> package_type = Image
  command = plan

  variables {
    filename     = null
    image_uri    = "123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1"
    package_type = "Zip"
  }

  expect_failures = [var.package_type]
}

run "image_rejects_zip_only_settings" {
  # source_code_hash: zip packages only
  # runtime: not with images
  # handler: not with images
  # layers: not with images
  command = plan

  variables {
    filename         = null
    package_type     = "Image"
    image_uri        = "123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1"
    source_code_hash = "abc"
    runtime          = "python3.11"
    handler          = "app.handler"
    layers           = ["arn:aws:lambda:us-east-1:123456789012:layer:shared:1"]
  }

  expect_failures = [var.source_code_hash, var.runtime, var.handler, var.layers]
}

run "runtime_settings_reject_unknown_values" {
  # runtime: a Lambda runtime that can still be deployed
  # handler: no whitespace
  # architectures: x86_64 or arm64
  # tracing_mode: PassThrough or Active
  command = plan

  variables {
    runtime       = "python3.7"
    handler       = "app handler"
    architectures = ["arm32"]
    tracing_mode  = "On"
  }

  expect_failures = [var.runtime, var.handler, var.architectures, var.tracing_mode]
}

run "inv_1_limits_below_minimum" {
  # memory_size >= 128
  # timeout >= 1
  # reserved_concurrent_executions >= -1
  # ephemeral_storage_size >= 512
  # log_retention_days: CloudWatch values only
  command = plan

  variables {
    memory_size                    = 64
    timeout                        = 0
    reserved_concurrent_executions = -2
    ephemeral_storage_size         = 256
    log_retention_days             = 10
  }

  expect_failures = [var.memory_size, var.timeout, var.reserved_concurrent_executions, var.ephemeral_storage_size, var.log_retention_days]
}

run "inv_1_limits_above_maximum" {
  # memory_size <= 10240
  # timeout <= 900
  # ephemeral_storage_size <= 10240
  # description <= 256 characters
  # architectures: exactly one
  command = plan

  variables {
    memory_size            = 10241
    timeout                = 901
    ephemeral_storage_size = 20480
    description            = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    architectures          = ["x86_64", "arm64"]
  }

  expect_failures = [var.memory_size, var.timeout, var.ephemeral_storage_size, var.description, var.architectures]
}

run "layers_at_most_five_and_environment_key_pattern" {
  # layers: at most 5
  # environment_variables: INV-40: keys match [a-zA-Z][a-zA-Z0-9_]+
  command = plan

  variables {
    layers                = [for i in range(6) : "arn:aws:lambda:us-east-1:123456789012:layer:l${i}:1"]
    environment_variables = { "1BAD" = "x" }
  }

  expect_failures = [var.layers, var.environment_variables]
}

run "layer_arns_and_reserved_environment_keys" {
  # layers: layer version ARNs
  # environment_variables: INV-40: reserved keys rejected
  command = plan

  variables {
    layers                = ["arn:aws:lambda:us-east-1:123456789012:layer:no-version"]
    environment_variables = { AWS_REGION = "us-west-2" }
  }

  expect_failures = [var.layers, var.environment_variables]
}

run "environment_single_character_key_and_vpc_without_subnets" {
  # environment_variables: INV-40: keys have two characters or more
  # vpc_config: 1-16 subnets
  command = plan

  variables {
    environment_variables = { A = "x" }
    vpc_config            = { subnet_ids = [], security_group_ids = ["sg-1"] }
  }

  expect_failures = [var.environment_variables, var.vpc_config]
}

run "environment_reserved_lambda_keys_and_vpc_too_many_subnets" {
  # environment_variables: INV-40: reserved Lambda keys rejected
  # vpc_config: at most 16 subnets
  command = plan

  variables {
    environment_variables = { AWS_LAMBDA_FUNCTION_NAME = "x", LAMBDA_TASK_ROOT = "/x" }
    vpc_config            = { subnet_ids = [for i in range(17) : "subnet-${i}"], security_group_ids = ["sg-1"] }
  }

  expect_failures = [var.environment_variables, var.vpc_config]
}

run "environment_total_at_most_4kb_and_vpc_without_security_groups" {
  # environment_variables: 4 KB as JSON
  # vpc_config: 1-5 security groups
  command = plan

  variables {
    environment_variables = { BIG = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }
    vpc_config            = { subnet_ids = ["subnet-1"], security_group_ids = [] }
  }

  expect_failures = [var.environment_variables, var.vpc_config]
}

run "kms_and_dead_letter_arns_and_too_many_security_groups" {
  # kms_key_arn: a key ARN (aliases do not work in IAM)
  # dead_letter_queue_arn: SQS or SNS
  # vpc_config: at most 5 security groups
  command = plan

  variables {
    kms_key_arn           = "arn:aws:kms:us-east-1:123456789012:alias/lambda"
    dead_letter_queue_arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    vpc_config            = { subnet_ids = ["subnet-1"], security_group_ids = [for i in range(6) : "sg-${i}"] }
  }

  expect_failures = [var.kms_key_arn, var.dead_letter_queue_arn, var.vpc_config]
}

run "asy_8_dead_letter_queue_must_not_be_fifo" {
  # dead_letter_queue_arn: ASY-8: a function DLQ is a standard queue or topic
  command = plan

  variables {
    dead_letter_queue_arn = "arn:aws:sqs:us-east-1:123456789012:dlq.fifo"
  }

  expect_failures = [var.dead_letter_queue_arn]
}

run "sqs_queue_arn_must_be_an_sqs_arn" {
  # sqs_config: queue_arn: an SQS ARN
  command = plan

  variables {
    sqs_config = { queue_arn = "arn:aws:sns:us-east-1:123456789012:orders" }
  }

  expect_failures = [var.sqs_config]
}

run "sqs_1_batch_size_at_least_1" {
  # sqs_config: SQS-1: batch_size >= 1
  command = plan

  variables {
    sqs_config = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders", batch_size = 0 }
  }

  expect_failures = [var.sqs_config]
}

run "sqs_1_batch_size_at_most_10000_on_standard" {
  # sqs_config: SQS-1: batch_size <= 10000 (standard)
  command = plan

  variables {
    sqs_config = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders", batch_size = 10001, maximum_batching_window_in_seconds = 1 }
  }

  expect_failures = [var.sqs_config]
}

run "sqs_1_batch_size_at_most_10_on_fifo" {
  # sqs_config: SQS-1: batch_size <= 10 (FIFO)
  command = plan

  variables {
    sqs_config = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders.fifo", batch_size = 20 }
  }

  expect_failures = [var.sqs_config]
}

run "sqs_2_window_at_most_300" {
  # sqs_config: SQS-2: window 0-300
  command = plan

  variables {
    sqs_config = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders", maximum_batching_window_in_seconds = 301 }
  }

  expect_failures = [var.sqs_config]
}

run "sqs_2_window_not_negative" {
  # sqs_config: SQS-2: window 0-300
  command = plan

  variables {
    sqs_config = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders", maximum_batching_window_in_seconds = -1 }
  }

  expect_failures = [var.sqs_config]
}

run "sqs_3_batch_above_10_needs_a_window" {
  # sqs_config: SQS-3: batch_size > 10 needs window >= 1
  command = plan

  variables {
    sqs_config = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders", batch_size = 100 }
  }

  expect_failures = [var.sqs_config]
}

run "sqs_4_fifo_allows_no_window" {
  # sqs_config: SQS-4: no window on FIFO
  command = plan

  variables {
    sqs_config = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders.fifo", maximum_batching_window_in_seconds = 5 }
  }

  expect_failures = [var.sqs_config]
}

run "sqs_6_maximum_concurrency_at_least_2" {
  # sqs_config: SQS-6: maximum_concurrency >= 2
  command = plan

  variables {
    sqs_config = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders", scaling_config = { maximum_concurrency = 1 } }
  }

  expect_failures = [var.sqs_config]
}

run "sqs_8_at_most_5_filters" {
  # sqs_config: SQS-8: at most 5 filters
  command = plan

  variables {
    sqs_config = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders", filter_criteria = { filters = [for i in range(6) : { pattern = jsonencode({ body = { n = [i] } }) }] } }
  }

  expect_failures = [var.sqs_config]
}

run "flt_6_pattern_must_be_json" {
  # sqs_config: FLT-6: a pattern is JSON
  command = plan

  variables {
    sqs_config = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders", filter_criteria = { filters = [{ pattern = "simple string" }] } }
  }

  expect_failures = [var.sqs_config]
}

run "flt_6_pattern_must_be_a_json_object" {
  # sqs_config: FLT-6: a pattern is a JSON object
  command = plan

  variables {
    sqs_config = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders", filter_criteria = { filters = [{ pattern = "[1, 2]" }] } }
  }

  expect_failures = [var.sqs_config]
}

run "pattern_at_most_4096_characters" {
  # sqs_config: a pattern is at most 4096 characters
  command = plan

  variables {
    sqs_config = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:orders", filter_criteria = { filters = [{ pattern = jsonencode({ body = { k = [for i in range(700) : "v${i}"] } }) }] } }
  }

  expect_failures = [var.sqs_config]
}

run "trigger_and_access_lists_must_not_be_empty" {
  # sns_config: at least one topic
  # eventbridge_config: at least one rule
  # dynamodb_config: at least one table
  # s3_config: at least one bucket
  # additional_iam_policies: Action and Resource not empty
  command = plan

  variables {
    sns_config              = { topic_arns = [] }
    eventbridge_config      = { rule_arns = [] }
    dynamodb_config         = { table_arns = [] }
    s3_config               = { bucket_arns = [] }
    additional_iam_policies = [{ Action = [], Resource = ["*"] }]
  }

  expect_failures = [var.sns_config, var.eventbridge_config, var.dynamodb_config, var.s3_config, var.additional_iam_policies]
}

run "trigger_and_access_arns_must_have_the_right_type" {
  # sns_config: standard topic ARNs
  # eventbridge_config: rule ARNs
  # dynamodb_config: table ARNs (not indexes)
  # s3_config: bucket ARNs (not objects)
  # additional_iam_policies: Effect Allow or Deny
  command = plan

  variables {
    sns_config              = { topic_arns = ["arn:aws:sns:us-east-1:123456789012:events.fifo"] }
    eventbridge_config      = { rule_arns = ["arn:aws:events:us-east-1:123456789012:event-bus/default"] }
    dynamodb_config         = { table_arns = ["arn:aws:dynamodb:us-east-1:123456789012:table/orders/index/by-date"] }
    s3_config               = { bucket_arns = ["arn:aws:s3:::my-bucket/*"] }
    additional_iam_policies = [{ Effect = "allow", Action = ["s3:GetObject"], Resource = ["*"] }]
  }

  expect_failures = [var.sns_config, var.eventbridge_config, var.dynamodb_config, var.s3_config, var.additional_iam_policies]
}

run "triggers_must_not_repeat" {
  # sns_config: no repeated topic
  # eventbridge_config: no repeated rule
  command = plan

  variables {
    sns_config         = { topic_arns = ["arn:aws:sns:us-east-1:123456789012:a", "arn:aws:sns:us-east-1:123456789012:a"] }
    eventbridge_config = { rule_arns = ["arn:aws:events:us-east-1:123456789012:rule/a", "arn:aws:events:us-east-1:123456789012:rule/a"] }
  }

  expect_failures = [var.sns_config, var.eventbridge_config]
}

run "error_threshold_at_least_1_and_tags_without_aws_prefix" {
  # monitoring_config: error_threshold >= 1
  # common_tags: no aws: prefix
  command = plan

  variables {
    monitoring_config = { error_threshold = 0 }
    common_tags       = { "aws:owner" = "me" }
  }

  expect_failures = [var.monitoring_config, var.common_tags]
}

run "duration_threshold_within_lambda_limit_and_tag_values_at_most_256" {
  # monitoring_config: duration_threshold 1-900000 ms
  # common_tags: values <= 256 characters
  command = plan

  variables {
    monitoring_config = { duration_threshold = 900001 }
    common_tags       = { Team = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }
  }

  expect_failures = [var.monitoring_config, var.common_tags]
}

run "throttle_threshold_at_least_1" {
  # monitoring_config: throttle_threshold >= 1
  command = plan

  variables {
    monitoring_config = { throttle_threshold = 0 }
  }

  expect_failures = [var.monitoring_config]
}

run "concurrency_threshold_at_least_1" {
  # monitoring_config: concurrent_executions_threshold >= 1
  command = plan

  variables {
    monitoring_config = { concurrent_executions_threshold = 0 }
  }

  expect_failures = [var.monitoring_config]
}

run "alm_2_period_10_20_30_or_multiple_of_60" {
  # monitoring_config: ALM-2: period 10, 20, 30 or a multiple of 60
  command = plan

  variables {
    monitoring_config = { period = 90 }
  }

  expect_failures = [var.monitoring_config]
}

run "alm_2_evaluation_span_at_most_one_day" {
  # monitoring_config: ALM-2: period x evaluation_periods <= 86400
  command = plan

  variables {
    monitoring_config = { period = 300, evaluation_periods = 289 }
  }

  expect_failures = [var.monitoring_config]
}

run "alarm_actions_at_most_5" {
  # monitoring_config: at most 5 alarm actions
  command = plan

  variables {
    monitoring_config = { alarm_actions = [for i in range(6) : "arn:aws:sns:us-east-1:123456789012:t${i}"] }
  }

  expect_failures = [var.monitoring_config]
}
