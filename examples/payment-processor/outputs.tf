# The function (the module's outputs) ----------------------------------------------------------------------------------

output "function_name" {
  description = "Deployed function name."
  value       = module.secure_processor.function_name
}

output "function_arn" {
  description = "Function ARN."
  value       = module.secure_processor.function_arn
}

output "iam_role_arn" {
  description = "Execution role ARN."
  value       = module.secure_processor.iam_role_arn
}

output "log_group_name" {
  description = "The function's CloudWatch log group."
  value       = module.secure_processor.log_group_name
}

output "sqs_event_source_mapping" {
  description = "The SQS event source mapping (uuid, arn, batch settings)."
  value       = module.secure_processor.sqs_event_source_mapping
}

output "cloudwatch_alarms" {
  description = "Alarms by kind (name, arn)."
  value       = module.secure_processor.cloudwatch_alarms
}

# What it reads and writes -------------------------------------------------------------------------------------------

output "queue_url" {
  description = "URL of the payment queue (send payments here)."
  value       = module.payment_queue.queue_url
}

output "queue_arn" {
  description = "ARN of the payment queue."
  value       = module.payment_queue.queue_arn
}

output "dlq_url" {
  description = "URL of the payment queue's redrive DLQ (payments that failed max_receive_count times)."
  value       = module.payment_queue.dlq_url
}

output "dlq_arn" {
  description = "ARN of the payment queue's redrive DLQ."
  value       = module.payment_queue.dlq_arn
}

output "function_dlq_url" {
  description = "URL of the function's own DLQ (failed asynchronous invocations only)."
  value       = module.payment_dlq.queue_url
}

output "function_dlq_arn" {
  description = "ARN of the function's own DLQ."
  value       = module.payment_dlq.queue_arn
}

output "payments_table_name" {
  description = "DynamoDB table of recorded payments."
  value       = aws_dynamodb_table.payments.name
}

output "audit_log_table_name" {
  description = "DynamoDB table of audit entries."
  value       = aws_dynamodb_table.audit_log.name
}

output "payment_files_bucket" {
  description = "Bucket holding the archived payment messages."
  value       = aws_s3_bucket.payment_files.bucket
}

output "audit_files_bucket" {
  description = "Bucket holding the audit entries as JSON."
  value       = aws_s3_bucket.audit_files.bucket
}

output "kms_key_arn" {
  description = "KMS key encrypting the function's environment variables."
  value       = aws_kms_key.lambda_encryption.arn
}

output "vpc_id" {
  description = "VPC the function runs in."
  value       = aws_vpc.this.id
}
