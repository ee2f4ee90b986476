# ---------------------------------------------------------------------------------------------------------------------
# Notification processor: SNS x2 + EventBridge -> Node.js function (code from S3) -> email / SMS topics, with a dashboard.
# The module block is the spec's "다중 이벤트 소스 처리" usage; everything it references is created here.
# ---------------------------------------------------------------------------------------------------------------------

data "aws_caller_identity" "current" {}

locals {
  name_prefix = "notifications-prod"
  package     = "${path.module}/build/notification-handler.zip"
}

# ---------------------------------------------------------------------------------------------------------------------
# The code bucket and the package in it
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_s3_bucket" "lambda_code" {
  bucket = "${local.name_prefix}-lambda-code-${data.aws_caller_identity.current.account_id}"

  tags = { Service = "notifications" }
}

resource "aws_s3_bucket_public_access_block" "lambda_code" {
  bucket                  = aws_s3_bucket.lambda_code.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_object" "code" {
  bucket      = aws_s3_bucket.lambda_code.id
  key         = "notification-handler.zip"
  source      = local.package
  source_hash = filebase64sha256(local.package)

  tags = { Service = "notifications" }
}

# ---------------------------------------------------------------------------------------------------------------------
# Topics: two triggers, two destinations
# ---------------------------------------------------------------------------------------------------------------------

module "user_events" {
  source = "../modules/sns-topic"

  name = "${local.name_prefix}-user-events"
  tags = { Service = "notifications" }
}

module "system_events" {
  source = "../modules/sns-topic"

  name = "${local.name_prefix}-system-events"
  tags = { Service = "notifications" }
}

module "email_notifications" {
  source = "../modules/sns-topic"

  name = "${local.name_prefix}-email"
  tags = { Service = "notifications" }
}

module "sms_notifications" {
  source = "../modules/sns-topic"

  name = "${local.name_prefix}-sms"
  tags = { Service = "notifications" }
}

# ---------------------------------------------------------------------------------------------------------------------
# EventBridge rules: a schedule and a pattern on the default bus
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "scheduled_notifications" {
  name                = "${local.name_prefix}-scheduled-notifications"
  description         = "Send the scheduled notification digest"
  schedule_expression = var.schedule_expression

  tags = { Service = "notifications" }
}

resource "aws_cloudwatch_event_rule" "notification_requests" {
  name        = "${local.name_prefix}-notification-requests"
  description = "Notification requests published by applications with PutEvents"
  event_pattern = jsonencode({
    source        = ["notifications.app"]
    "detail-type" = ["NotificationRequested"]
  })

  tags = { Service = "notifications" }
}

# ---------------------------------------------------------------------------------------------------------------------
# Optional outbox: read back what the function published
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_sqs_queue" "outbox" {
  count = var.create_outbox_queue ? 1 : 0

  name                    = "${local.name_prefix}-outbox"
  sqs_managed_sse_enabled = true

  tags = { Service = "notifications" }
}

data "aws_iam_policy_document" "outbox" {
  count = var.create_outbox_queue ? 1 : 0

  statement {
    sid       = "AllowNotificationTopics"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.outbox[0].arn]

    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [module.email_notifications.topic_arn, module.sms_notifications.topic_arn]
    }
  }
}

resource "aws_sqs_queue_policy" "outbox" {
  count = var.create_outbox_queue ? 1 : 0

  queue_url = aws_sqs_queue.outbox[0].id
  policy    = data.aws_iam_policy_document.outbox[0].json
}

locals {
  # Static keys: the topic ARNs are unknown until apply.
  outbox_topics = var.create_outbox_queue ? {
    email = module.email_notifications.topic_arn
    sms   = module.sms_notifications.topic_arn
  } : {}
}

resource "aws_sns_topic_subscription" "outbox" {
  for_each = local.outbox_topics

  topic_arn            = each.value
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.outbox[0].arn
  raw_message_delivery = true
}

# ---------------------------------------------------------------------------------------------------------------------
# The function (the spec's block; see README for the lines that differ)
# ---------------------------------------------------------------------------------------------------------------------

module "notification_processor" {
  source = "../../addons/messaging/lambda-processor"

  project_name  = "notifications"
  environment   = "prod"
  function_name = "notification-handler"

  # 함수 설정
  runtime     = "nodejs18.x"
  handler     = "index.handler"
  memory_size = 256
  timeout     = var.function_timeout

  # S3 배포 (s3_key from the object resource, so the function waits for the upload)
  s3_bucket        = aws_s3_bucket.lambda_code.bucket
  s3_key           = aws_s3_object.code.key
  source_code_hash = filebase64sha256(local.package)

  # SNS 트리거
  sns_config = {
    topic_arns = [
      module.user_events.topic_arn,
      module.system_events.topic_arn
    ]
  }

  # EventBridge 트리거
  eventbridge_config = {
    rule_arns = [
      aws_cloudwatch_event_rule.scheduled_notifications.arn,
      aws_cloudwatch_event_rule.notification_requests.arn
    ]
  }

  # 처리 결과를 다른 SNS로 발송
  additional_iam_policies = [
    {
      Effect = "Allow"
      Action = ["sns:Publish"]
      Resource = [
        module.email_notifications.topic_arn,
        module.sms_notifications.topic_arn
      ]
    }
  ]

  # Added: where the handler publishes.
  environment_variables = {
    EMAIL_TOPIC_ARN  = module.email_notifications.topic_arn
    SMS_TOPIC_ARN    = module.sms_notifications.topic_arn
    DIGEST_RECIPIENT = var.digest_recipient
  }

  # 대시보드 생성
  create_dashboard = true

  common_tags = {
    Team = "platform"
  }
}
