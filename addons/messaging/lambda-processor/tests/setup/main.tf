# Plan-safety fixture: every ARN the module receives comes from a resource created in the same configuration, so
# under `terraform plan` (mocked provider) all of them are unknown. The module must still plan: every count and
# for_each is keyed by presence or list index, never by an ARN value.

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

resource "aws_sqs_queue" "source" {
  name = "plan-safety-source.fifo"
}

resource "aws_sqs_queue" "dead_letter" {
  name = "plan-safety-dlq"
}

resource "aws_sns_topic" "user_events" {
  name = "plan-safety-user-events"
}

resource "aws_sns_topic" "system_events" {
  name = "plan-safety-system-events"
}

resource "aws_cloudwatch_event_bus" "custom" {
  name = "plan-safety-bus"
}

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = "plan-safety-schedule"
  schedule_expression = "rate(5 minutes)"
}

resource "aws_cloudwatch_event_rule" "on_custom_bus" {
  name           = "plan-safety-custom"
  event_bus_name = aws_cloudwatch_event_bus.custom.name
  event_pattern  = jsonencode({ source = ["plan.safety"] })
}

resource "aws_dynamodb_table" "items" {
  count        = 2
  name         = "plan-safety-items-${count.index}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }
}

resource "aws_s3_bucket" "data" {
  count  = 2
  bucket = "plan-safety-data-${count.index}"
}

resource "aws_kms_key" "lambda" {
  description = "plan safety"
}

resource "aws_lambda_layer_version" "shared" {
  layer_name = "plan-safety-shared"
  filename   = "shared.zip"
}

resource "aws_sns_topic" "alerts" {
  name = "plan-safety-alerts"
}

module "processor" {
  source = "../.."

  project_name  = "plansafety"
  environment   = "dev"
  function_name = "unknown-arns"
  filename      = "function.zip"

  kms_key_arn           = aws_kms_key.lambda.arn
  dead_letter_queue_arn = aws_sqs_queue.dead_letter.arn
  layers                = [aws_lambda_layer_version.shared.arn]
  tracing_mode          = "Active"

  environment_variables = {
    TABLE_NAME = aws_dynamodb_table.items[0].name
  }

  sqs_config = {
    queue_arn = aws_sqs_queue.source.arn
    scaling_config = {
      maximum_concurrency = 10
    }
  }

  sns_config = {
    topic_arns = [aws_sns_topic.user_events.arn, aws_sns_topic.system_events.arn]
  }

  eventbridge_config = {
    rule_arns = [aws_cloudwatch_event_rule.schedule.arn, aws_cloudwatch_event_rule.on_custom_bus.arn]
  }

  dynamodb_config = {
    table_arns = aws_dynamodb_table.items[*].arn
  }

  s3_config = {
    bucket_arns = aws_s3_bucket.data[*].arn
  }

  additional_iam_policies = [{
    Action   = ["sns:Publish"]
    Resource = [aws_sns_topic.alerts.arn]
  }]

  monitoring_config = {
    create_concurrency_alarm = true
    alarm_actions            = [aws_sns_topic.alerts.arn]
  }

  create_dashboard = true
}

output "sns_subscription_arns" {
  description = "Subscription ARNs from the module (unknown at plan, but one per topic)."
  value       = module.processor.sns_subscription_arns
}

output "eventbridge_target_ids" {
  description = "Target IDs from the module (known at plan: they do not depend on the rule ARNs)."
  value       = module.processor.eventbridge_target_ids
}

output "cloudwatch_alarms" {
  description = "Alarms from the module, keyed by kind."
  value       = module.processor.cloudwatch_alarms
}

output "sqs_event_source_mapping" {
  description = "The SQS mapping from the module."
  value       = module.processor.sqs_event_source_mapping
}

output "dashboard_name" {
  description = "Dashboard name from the module."
  value       = module.processor.dashboard_name
}
