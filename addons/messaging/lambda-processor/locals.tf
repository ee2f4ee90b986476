# ---------------------------------------------------------------------------------------------------------------------
# Reference data: AWS facts the validations and warnings are checked against.
# Kept here, in one place, so that updating the module for a new AWS runtime or limit is a one-line change.
# ---------------------------------------------------------------------------------------------------------------------

locals {
  # Lambda runtime identifiers that CreateFunction still accepts for .zip packages, with the deprecation date AWS
  # publishes (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html). Runtimes missing here
  # (python3.7, nodejs14.x, go1.x, ...) can no longer be deployed and are rejected. A runtime whose date is on or
  # before `lambda_runtime_table_date` is still accepted but raises the `runtime_not_deprecated` warning: AWS keeps
  # running it without security patches, and blocks creating, then updating, such functions 30 and 60 days later.
  # The warning is judged against the table's date, not the clock, so a plan gives the same answer every day;
  # refresh the table (and its date) when AWS publishes new dates.
  lambda_runtime_table_date = "2026-11-27"
  lambda_runtime_deprecation_dates = {
    "nodejs24.x"      = "2028-04-30"
    "nodejs22.x"      = "2027-04-30"
    "nodejs20.x"      = "2026-04-30"
    "nodejs18.x"      = "2025-09-01"
    "nodejs16.x"      = "2024-06-12"
    "python3.14"      = "2029-06-30"
    "python3.13"      = "2029-06-30"
    "python3.12"      = "2028-10-31"
    "python3.11"      = "2027-06-30"
    "python3.10"      = "2026-10-31"
    "python3.9"       = "2025-12-15"
    "python3.8"       = "2024-10-14"
    "java25"          = "2029-06-30"
    "java21"          = "2029-06-30"
    "java17"          = "2027-06-30"
    "java11"          = "2027-06-30"
    "java8.al2"       = "2027-06-30"
    "dotnet10"        = "2028-11-14"
    "dotnet8"         = "2026-11-10"
    "ruby3.4"         = "2028-03-31"
    "ruby3.3"         = "2027-03-31"
    "ruby3.2"         = "2026-03-31"
    "provided.al2023" = "2029-06-30"
    "provided.al2"    = "2026-06-30"
  }

  # Environment variable keys Lambda sets itself and refuses in the function configuration
  # (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
  # `_HANDLER` and `_X_AMZN_TRACE_ID` are reserved too; the key pattern already rejects them (leading underscore).
  lambda_reserved_environment_keys = [
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
  ]

  # retentionInDays values CloudWatch Logs accepts; 0 is Terraform's "never expire".
  cloudwatch_log_retention_days = [
    0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
  ]

  # Top-level keys of an SQS record that a filter can match (aws-semantics SQS-60). A filter on any other key (e.g.
  # `eventType`, a field of the message body) never matches, so every message is deleted (FLT-2). eventSource,
  # eventSourceARN and awsRegion are left out: Lambda adds them to the record after filtering (FLT-9).
  sqs_record_fields = [
    "messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody", "md5OfMessageAttributes",
  ]
}

# ---------------------------------------------------------------------------------------------------------------------
# Derived names and settings
# ---------------------------------------------------------------------------------------------------------------------

locals {
  deprecated_runtimes = [
    for runtime, date in local.lambda_runtime_deprecation_dates : runtime
    if timecmp("${date}T00:00:00Z", "${local.lambda_runtime_table_date}T00:00:00Z") <= 0
  ]

  # One stem names the function, role, policy, log group, alarms and dashboard.
  name = "${var.project_name}-${var.environment}-${var.function_name}"

  # IAM role names are limited to 64 characters like function names; the "-role" suffix is dropped when it would not
  # fit, so every valid function name still yields a valid role name.
  role_name   = length(local.name) <= 59 ? "${local.name}-role" : local.name
  policy_name = "${local.name}-policy"

  log_group_name = "/aws/lambda/${local.name}"

  tags = merge(var.common_tags, {
    Project     = var.project_name
    Environment = var.environment
    ManagedBy   = "terraform"
  })

  is_image = var.package_type == "Image"

  # Runtime and handler do not apply to container images (the image's CMD/ENTRYPOINT decide).
  runtime = local.is_image ? null : coalesce(var.runtime, "python3.11")
  handler = local.is_image ? null : coalesce(var.handler, "index.handler")

  sqs_enabled         = var.sqs_config != null
  sns_topic_arns      = var.sns_config == null ? [] : var.sns_config.topic_arns
  eventbridge_rules   = var.eventbridge_config == null ? [] : var.eventbridge_config.rule_arns
  dynamodb_table_arns = var.dynamodb_config == null ? [] : var.dynamodb_config.table_arns
  s3_bucket_arns      = var.s3_config == null ? [] : var.s3_config.bucket_arns

  # Static index keys: plan-safe when every ARN is unknown until apply (only the list length must be known).
  sns_topics_by_index  = { for index, arn in local.sns_topic_arns : tostring(index) => arn }
  event_rules_by_index = { for index, arn in local.eventbridge_rules : tostring(index) => arn }

  # FIFO is a property of the queue name; unknown until apply when the queue is created alongside.
  sqs_queue_arn  = local.sqs_enabled ? var.sqs_config.queue_arn : null
  sqs_queue_name = local.sqs_enabled ? element(split(":", var.sqs_config.queue_arn), 5) : null

  sqs_filters = local.sqs_enabled ? try(var.sqs_config.filter_criteria.filters, null) == null ? [] : var.sqs_config.filter_criteria.filters : []

  sqs_maximum_concurrency = local.sqs_enabled ? try(var.sqs_config.scaling_config.maximum_concurrency, null) : null

  # Monitoring thresholds whose defaults depend on other inputs.
  duration_threshold_ms = coalesce(var.monitoring_config.duration_threshold, floor(var.timeout * 1000 * 0.8))
  concurrent_executions_threshold = coalesce(
    var.monitoring_config.concurrent_executions_threshold,
    # 80% of the reserved concurrency when there is one, else 80% of the default account limit (1,000).
    var.reserved_concurrent_executions > 0 ? max(1, floor(var.reserved_concurrent_executions * 0.8)) : 800,
  )
}
