# =====================================================================================================================
# The function and its log group.
# =====================================================================================================================

# ---------------------------------------------------------------------------------------------------------------------
# Log group: created by the module (not lazily by Lambda) so the retention applies from the first log line and the
# role needs no logs:CreateLogGroup.
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

# ---------------------------------------------------------------------------------------------------------------------
# Function
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_lambda_function" "this" {
  function_name = local.name
  description   = var.description
  role          = aws_iam_role.this.arn

  # Code: exactly one source (validated in variables.tf).
  package_type      = var.package_type
  filename          = var.filename
  source_code_hash  = var.source_code_hash
  s3_bucket         = var.s3_bucket
  s3_key            = var.s3_key
  s3_object_version = var.s3_object_version
  image_uri         = var.image_uri

  # null for container images: the image decides.
  runtime = local.runtime
  handler = local.handler
  layers  = local.is_image ? null : var.layers

  memory_size                    = var.memory_size
  timeout                        = var.timeout
  architectures                  = var.architectures
  reserved_concurrent_executions = var.reserved_concurrent_executions
  kms_key_arn                    = var.kms_key_arn

  ephemeral_storage {
    size = var.ephemeral_storage_size
  }

  # An empty environment block would still be sent to AWS; leave it out when there are no variables.
  dynamic "environment" {
    for_each = length(var.environment_variables) > 0 ? [var.environment_variables] : []
    content {
      variables = environment.value
    }
  }

  # Applies to asynchronous invocations only (SNS, EventBridge); SQS triggers use the queue's redrive policy.
  dynamic "dead_letter_config" {
    for_each = var.dead_letter_queue_arn == null ? [] : [var.dead_letter_queue_arn]
    content {
      target_arn = dead_letter_config.value
    }
  }

  dynamic "tracing_config" {
    for_each = var.tracing_mode == null ? [] : [var.tracing_mode]
    content {
      mode = tracing_config.value
    }
  }

  dynamic "vpc_config" {
    for_each = var.vpc_config == null ? [] : [var.vpc_config]
    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  tags = local.tags

  # The log group must exist before the first invocation writes to it, and the role policy before creation:
  # Lambda checks the ENI, DLQ and KMS permissions when the function is created.
  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.this,
  ]
}
