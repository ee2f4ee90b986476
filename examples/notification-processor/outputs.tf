# The function (the module's outputs) ----------------------------------------------------------------------------------

output "function_name" {
  description = "Deployed function name."
  value       = module.notification_processor.function_name
}

output "function_arn" {
  description = "Function ARN."
  value       = module.notification_processor.function_arn
}

output "iam_role_arn" {
  description = "Execution role ARN."
  value       = module.notification_processor.iam_role_arn
}

output "log_group_name" {
  description = "The function's CloudWatch log group."
  value       = module.notification_processor.log_group_name
}

output "cloudwatch_alarms" {
  description = "Alarms by kind (name, arn)."
  value       = module.notification_processor.cloudwatch_alarms
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the function."
  value       = module.notification_processor.dashboard_name
}

output "sns_subscription_arns" {
  description = "The function's subscriptions to the trigger topics."
  value       = module.notification_processor.sns_subscription_arns
}

output "eventbridge_target_ids" {
  description = "The function's targets on the EventBridge rules."
  value       = module.notification_processor.eventbridge_target_ids
}

# Triggers and destinations -------------------------------------------------------------------------------------------

output "user_events_topic_arn" {
  description = "Trigger topic: publish user notification requests here."
  value       = module.user_events.topic_arn
}

output "system_events_topic_arn" {
  description = "Trigger topic: publish system notification requests here."
  value       = module.system_events.topic_arn
}

output "email_topic_arn" {
  description = "Destination topic of rendered email notifications."
  value       = module.email_notifications.topic_arn
}

output "sms_topic_arn" {
  description = "Destination topic of rendered SMS notifications."
  value       = module.sms_notifications.topic_arn
}

output "scheduled_rule_arn" {
  description = "EventBridge schedule rule."
  value       = aws_cloudwatch_event_rule.scheduled_notifications.arn
}

output "notification_requests_rule_arn" {
  description = "EventBridge pattern rule (source notifications.app, detail-type NotificationRequested)."
  value       = aws_cloudwatch_event_rule.notification_requests.arn
}

output "code_bucket" {
  description = "Bucket holding the function package."
  value       = aws_s3_bucket.lambda_code.bucket
}

output "outbox_queue_url" {
  description = "Queue receiving every published notification (null unless create_outbox_queue)."
  value       = try(aws_sqs_queue.outbox[0].url, null)
}
