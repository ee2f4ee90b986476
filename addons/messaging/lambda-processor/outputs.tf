# =====================================================================================================================
# Outputs. None of them fails when its feature is off: optional ones are null or empty.
# =====================================================================================================================

# ---------------------------------------------------------------------------------------------------------------------
# Function and role
# ---------------------------------------------------------------------------------------------------------------------

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "function_name" {
  description = "Deployed function name: <project_name>-<environment>-<function_name>."
  value       = aws_lambda_function.this.function_name
}

output "function_invoke_arn" {
  description = "ARN for invoking the function from API Gateway."
  value       = aws_lambda_function.this.invoke_arn
}

output "iam_role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.this.arn
}

output "iam_role_name" {
  description = "Name of the execution role (for `aws iam get-role-policy --role-name`)."
  value       = aws_iam_role.this.name
}

output "iam_policy_name" {
  description = "Name of the role's inline policy (for `aws iam get-role-policy --policy-name`)."
  value       = aws_iam_role_policy.this.name
}

output "log_group_name" {
  description = "Name of the function's log group: /aws/lambda/<function name>."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the function's log group."
  value       = aws_cloudwatch_log_group.this.arn
}

# ---------------------------------------------------------------------------------------------------------------------
# Triggers
# ---------------------------------------------------------------------------------------------------------------------

output "sqs_event_source_mapping" {
  description = "The SQS event source mapping (uuid, arn, function_arn, event_source_arn, batch settings, maximum_concurrency, function_response_types, enabled), or null without sqs_config."
  value = local.sqs_enabled ? {
    uuid                               = aws_lambda_event_source_mapping.sqs[0].uuid
    arn                                = aws_lambda_event_source_mapping.sqs[0].arn
    function_arn                       = aws_lambda_event_source_mapping.sqs[0].function_arn
    event_source_arn                   = aws_lambda_event_source_mapping.sqs[0].event_source_arn
    batch_size                         = aws_lambda_event_source_mapping.sqs[0].batch_size
    maximum_batching_window_in_seconds = aws_lambda_event_source_mapping.sqs[0].maximum_batching_window_in_seconds
    maximum_concurrency                = local.sqs_maximum_concurrency
    function_response_types            = aws_lambda_event_source_mapping.sqs[0].function_response_types
    enabled                            = aws_lambda_event_source_mapping.sqs[0].enabled
  } : null
}

output "sns_subscription_arns" {
  description = "ARNs of the SNS subscriptions, in the order of sns_config.topic_arns (empty without SNS)."
  value       = [for index in range(length(local.sns_topic_arns)) : aws_sns_topic_subscription.this[tostring(index)].arn]
}

output "eventbridge_target_ids" {
  description = "IDs of the EventBridge targets, in the order of eventbridge_config.rule_arns (empty without EventBridge)."
  value       = [for index in range(length(local.eventbridge_rules)) : aws_cloudwatch_event_target.this[tostring(index)].target_id]
}

# ---------------------------------------------------------------------------------------------------------------------
# Monitoring
# ---------------------------------------------------------------------------------------------------------------------

output "cloudwatch_alarms" {
  description = "Alarms by kind (errors, duration, throttles, concurrency), each { name, arn }; empty when enable_monitoring = false."
  value = {
    for kind, alarm in aws_cloudwatch_metric_alarm.this : kind => {
      name = alarm.alarm_name
      arn  = alarm.arn
    }
  }
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard, or null when create_dashboard = false."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null)
}
