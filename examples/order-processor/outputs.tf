# The function (the module's outputs) ----------------------------------------------------------------------------------

output "function_name" {
  description = "Deployed function name."
  value       = module.order_processor.function_name
}

output "function_arn" {
  description = "Function ARN."
  value       = module.order_processor.function_arn
}

output "iam_role_arn" {
  description = "Execution role ARN."
  value       = module.order_processor.iam_role_arn
}

output "log_group_name" {
  description = "The function's CloudWatch log group."
  value       = module.order_processor.log_group_name
}

output "sqs_event_source_mapping" {
  description = "The SQS event source mapping (uuid, arn, batch settings)."
  value       = module.order_processor.sqs_event_source_mapping
}

output "cloudwatch_alarms" {
  description = "Alarms by kind (name, arn)."
  value       = module.order_processor.cloudwatch_alarms
}

# What it reads and writes -------------------------------------------------------------------------------------------

output "queue_url" {
  description = "URL of the order queue (send orders here)."
  value       = module.order_queue.queue_url
}

output "queue_arn" {
  description = "ARN of the order queue."
  value       = module.order_queue.queue_arn
}

output "dlq_url" {
  description = "URL of the order queue's dead-letter queue (poison orders end here)."
  value       = module.order_queue.dlq_url
}

output "dlq_arn" {
  description = "ARN of the order queue's dead-letter queue."
  value       = module.order_queue.dlq_arn
}

output "orders_table_name" {
  description = "DynamoDB table the orders are written to."
  value       = aws_dynamodb_table.orders.name
}

output "alerts_topic_arn" {
  description = "SNS topic the alarms notify."
  value       = aws_sns_topic.alerts.arn
}
