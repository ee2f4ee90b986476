# =====================================================================================================================
# Triggers. Every count / for_each is keyed by presence or by list index, never by an ARN value, so a plan works
# when the queue, topics and rules are created in the same configuration (their ARNs unknown until apply).
# =====================================================================================================================

# ---------------------------------------------------------------------------------------------------------------------
# SQS: an event source mapping. Lambda polls the queue with the execution role (no resource policy needed).
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_lambda_event_source_mapping" "sqs" {
  count = local.sqs_enabled ? 1 : 0

  event_source_arn                   = var.sqs_config.queue_arn
  function_name                      = aws_lambda_function.this.arn
  batch_size                         = var.sqs_config.batch_size
  maximum_batching_window_in_seconds = var.sqs_config.maximum_batching_window_in_seconds
  enabled                            = var.sqs_config.enabled

  # Without ReportBatchItemFailures Lambda ignores a batchItemFailures response and deletes the whole batch on a
  # normal return, so "retry only the failed messages" needs this switch on.
  function_response_types = var.sqs_config.report_batch_item_failures ? ["ReportBatchItemFailures"] : []

  dynamic "scaling_config" {
    for_each = local.sqs_maximum_concurrency == null ? [] : [local.sqs_maximum_concurrency]
    content {
      maximum_concurrency = scaling_config.value
    }
  }

  dynamic "filter_criteria" {
    for_each = length(local.sqs_filters) > 0 ? [local.sqs_filters] : []
    content {
      dynamic "filter" {
        for_each = filter_criteria.value
        content {
          pattern = filter.value.pattern
        }
      }
    }
  }

  tags = local.tags

  # CreateEventSourceMapping checks that the role may receive from the queue.
  depends_on = [aws_iam_role_policy.this]
}

# ---------------------------------------------------------------------------------------------------------------------
# SNS: a subscription per topic, after the permission that lets the topic invoke the function.
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_lambda_permission" "sns" {
  for_each = local.sns_topics_by_index

  statement_id  = "AllowExecutionFromSNS${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = each.value
}

resource "aws_sns_topic_subscription" "this" {
  for_each = local.sns_topics_by_index

  topic_arn = each.value
  protocol  = "lambda"
  endpoint  = aws_lambda_function.this.arn

  depends_on = [aws_lambda_permission.sns]
}

# ---------------------------------------------------------------------------------------------------------------------
# EventBridge: a target per rule. The rule name and bus come from the ARN with string functions only, so they are
# simply unknown (not an error) while the ARN is:
#   arn:aws:events:<region>:<account>:rule/<name>        -> bus "default"
#   arn:aws:events:<region>:<account>:rule/<bus>/<name>  -> bus <bus> (partner buses contain "/" themselves:
#   rule/aws.partner/example.com/123/<name> -> bus "aws.partner/example.com/123")
# ---------------------------------------------------------------------------------------------------------------------

locals {
  event_rules = {
    for key, arn in local.event_rules_by_index : key => {
      arn            = arn
      name           = element(split("/", arn), length(split("/", arn)) - 1)
      event_bus_name = length(split("/", arn)) > 2 ? join("/", slice(split("/", arn), 1, length(split("/", arn)) - 1)) : "default"
    }
  }
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = local.event_rules

  rule           = each.value.name
  event_bus_name = each.value.event_bus_name
  # Target IDs are at most 64 characters and unique per rule.
  target_id = format("%s-%s", substr(local.name, 0, 60), each.key)
  arn       = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "eventbridge" {
  for_each = local.event_rules

  statement_id  = "AllowExecutionFromEventBridge${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = each.value.arn
}
