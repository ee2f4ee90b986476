# The function (the module's outputs) ----------------------------------------------------------------------------------

output "function_name" {
  description = "Deployed function name."
  value       = module.enhanced_processor.function_name
}

output "function_arn" {
  description = "Function ARN."
  value       = module.enhanced_processor.function_arn
}

output "iam_role_arn" {
  description = "Execution role ARN."
  value       = module.enhanced_processor.iam_role_arn
}

output "log_group_name" {
  description = "The function's CloudWatch log group."
  value       = module.enhanced_processor.log_group_name
}

output "sqs_event_source_mapping" {
  description = "The SQS event source mapping (uuid, arn, batch settings)."
  value       = module.enhanced_processor.sqs_event_source_mapping
}

output "cloudwatch_alarms" {
  description = "Alarms by kind (name, arn)."
  value       = module.enhanced_processor.cloudwatch_alarms
}

# What it reads ------------------------------------------------------------------------------------------------------

output "queue_url" {
  description = "URL of the events queue (only IMPORTANT and CRITICAL events reach the function)."
  value       = module.events_queue.queue_url
}

output "queue_arn" {
  description = "ARN of the events queue."
  value       = module.events_queue.queue_arn
}

output "dlq_url" {
  description = "URL of the events queue's dead-letter queue (malformed IMPORTANT/CRITICAL events)."
  value       = module.events_queue.dlq_url
}

output "dlq_arn" {
  description = "ARN of the events queue's dead-letter queue."
  value       = module.events_queue.dlq_arn
}

output "shared_libs_layer_arn" {
  description = "Version ARN of the shared-libs layer."
  value       = aws_lambda_layer_version.shared_libs.arn
}

output "powertools_layer_arn" {
  description = "The public AWS Lambda Powertools layer the function uses."
  value       = "arn:aws:lambda:${data.aws_region.current.name}:017000801446:layer:AWSLambdaPowertoolsPythonV2:21"
}
