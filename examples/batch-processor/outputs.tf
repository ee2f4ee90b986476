# The function (the module's outputs) ----------------------------------------------------------------------------------

output "function_name" {
  description = "Deployed function name."
  value       = module.batch_processor.function_name
}

output "function_arn" {
  description = "Function ARN."
  value       = module.batch_processor.function_arn
}

output "iam_role_arn" {
  description = "Execution role ARN."
  value       = module.batch_processor.iam_role_arn
}

output "log_group_name" {
  description = "The function's CloudWatch log group."
  value       = module.batch_processor.log_group_name
}

output "sqs_event_source_mapping" {
  description = "The SQS event source mapping (uuid, arn, batch settings)."
  value       = module.batch_processor.sqs_event_source_mapping
}

output "cloudwatch_alarms" {
  description = "Alarms by kind (name, arn), including the concurrency alarm."
  value       = module.batch_processor.cloudwatch_alarms
}

# What it reads and writes -------------------------------------------------------------------------------------------

output "queue_url" {
  description = "URL of the data queue (S3 notifications, or {\"bucket\", \"key\"} messages)."
  value       = module.data_queue.queue_url
}

output "queue_arn" {
  description = "ARN of the data queue."
  value       = module.data_queue.queue_arn
}

output "dlq_url" {
  description = "URL of the data queue's dead-letter queue."
  value       = module.data_queue.dlq_url
}

output "dlq_arn" {
  description = "ARN of the data queue's dead-letter queue."
  value       = module.data_queue.dlq_arn
}

output "raw_data_bucket" {
  description = "Bucket to upload raw JSON Lines objects to."
  value       = aws_s3_bucket.raw_data.bucket
}

output "processed_data_bucket" {
  description = "Bucket the processed parts and summaries are written to."
  value       = aws_s3_bucket.processed_data.bucket
}

output "ecr_repository_url" {
  description = "Repository to push the data-processor image to."
  value       = aws_ecr_repository.data_processor.repository_url
}

output "performance_alerts_topic_arn" {
  description = "SNS topic the alarms notify."
  value       = aws_sns_topic.performance_alerts.arn
}

output "image_code_dir" {
  description = "Folder holding the image's handler code (for running it without Docker)."
  value       = abspath("${path.module}/app")
}
