# ---------------------------------------------------------------------------------------------------------------------
# Batch processor: raw bucket -> (S3 notification) -> data queue -> arm64 container-image function -> processed bucket.
# The module block is the spec's "고성능 배치 처리" usage; everything it references is created here.
# ---------------------------------------------------------------------------------------------------------------------

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  name_prefix = "analytics-prod"
  account_id  = data.aws_caller_identity.current.account_id
}

# ---------------------------------------------------------------------------------------------------------------------
# Image repository (the spec's image_uri points at <account>.dkr.ecr.<region>.amazonaws.com/data-processor)
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_ecr_repository" "data_processor" {
  name                 = "data-processor"
  image_tag_mutability = "MUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  tags = { Service = "analytics" }
}

# ---------------------------------------------------------------------------------------------------------------------
# Buckets and the queue between them
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_s3_bucket" "raw_data" {
  bucket = "${local.name_prefix}-raw-data-${local.account_id}"

  tags = { Service = "analytics" }
}

resource "aws_s3_bucket" "processed_data" {
  bucket = "${local.name_prefix}-processed-data-${local.account_id}"

  tags = { Service = "analytics" }
}

locals {
  # Static keys: for_each must not key on values known only after apply.
  data_buckets = {
    raw_data       = aws_s3_bucket.raw_data.id
    processed_data = aws_s3_bucket.processed_data.id
  }
}

resource "aws_s3_bucket_public_access_block" "data" {
  for_each = local.data_buckets

  bucket                  = each.value
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

module "data_queue" {
  source = "../modules/sqs-queue"

  name                       = "${local.name_prefix}-data"
  visibility_timeout_seconds = var.queue_visibility_timeout_seconds
  max_receive_count          = var.max_receive_count

  tags = { Service = "analytics" }
}

data "aws_iam_policy_document" "data_queue" {
  count = var.notify_queue_on_raw_upload ? 1 : 0

  statement {
    sid       = "AllowRawBucketNotifications"
    actions   = ["sqs:SendMessage"]
    resources = [module.data_queue.queue_arn]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.raw_data.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sqs_queue_policy" "data_queue" {
  count = var.notify_queue_on_raw_upload ? 1 : 0

  queue_url = module.data_queue.queue_url
  policy    = data.aws_iam_policy_document.data_queue[0].json
}

resource "aws_s3_bucket_notification" "raw_data" {
  count = var.notify_queue_on_raw_upload ? 1 : 0

  bucket = aws_s3_bucket.raw_data.id

  queue {
    queue_arn = module.data_queue.queue_arn
    events    = ["s3:ObjectCreated:*"]
  }

  # S3 checks that it may send to the queue when the notification is created.
  depends_on = [aws_sqs_queue_policy.data_queue]
}

resource "aws_sns_topic" "performance_alerts" {
  name = "${local.name_prefix}-data-processor-performance-alerts"

  tags = { Service = "analytics" }
}

# ---------------------------------------------------------------------------------------------------------------------
# The function (the spec's block; `runtime` is removed, see README)
# ---------------------------------------------------------------------------------------------------------------------

module "batch_processor" {
  source = "../../addons/messaging/lambda-processor"

  project_name  = "analytics"
  environment   = "prod"
  function_name = "data-processor"

  # 고성능 설정 (no `runtime`: a container image brings its own, and AWS rejects Runtime for images)
  architectures                  = ["arm64"] # 20% 비용 절약
  memory_size                    = 3008
  timeout                        = var.function_timeout
  reserved_concurrent_executions = 100

  # 컨테이너 이미지 사용
  package_type = "Image"
  image_uri    = "${data.aws_caller_identity.current.account_id}.dkr.ecr.${data.aws_region.current.name}.amazonaws.com/data-processor:latest"

  # 대량 배치 처리
  sqs_config = {
    queue_arn                          = module.data_queue.queue_arn
    batch_size                         = 100
    maximum_batching_window_in_seconds = var.batching_window_seconds
    scaling_config = {
      maximum_concurrency = 50
    }
  }

  # 환경 변수
  environment_variables = {
    BATCH_SIZE       = "1000"
    PARALLEL_WORKERS = "4"
    S3_BUCKET        = aws_s3_bucket.processed_data.bucket
  }

  # S3 액세스
  s3_config = {
    bucket_arns = [
      aws_s3_bucket.raw_data.arn,
      aws_s3_bucket.processed_data.arn
    ]
  }

  # 성능 모니터링
  monitoring_config = {
    duration_threshold              = 300000 # 5 minutes
    concurrent_executions_threshold = 80
    create_concurrency_alarm        = true
    alarm_actions                   = [aws_sns_topic.performance_alerts.arn]
  }

  common_tags = {
    Team        = "data"
    Performance = "high"
  }
}
