# ---------------------------------------------------------------------------------------------------------------------
# Payment processor: SQS (with a batching window) -> Lambda in a VPC -> DynamoDB x2 + S3 x2, KMS, X-Ray, DLQ.
# The module block is the spec's "VPC 내 보안 처리" usage; everything it references is created here.
# ---------------------------------------------------------------------------------------------------------------------

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  name_prefix = "payments-prod"
  package     = "${path.module}/build/payment-processor.zip"
  # Bucket names are global: the account id keeps them unique per account.
  account_id = data.aws_caller_identity.current.account_id
}

# ---------------------------------------------------------------------------------------------------------------------
# Queues
# ---------------------------------------------------------------------------------------------------------------------

# The source queue. Failed payments are retried by SQS and moved to its redrive DLQ (`module.payment_queue.dlq_*`).
module "payment_queue" {
  source = "../modules/sqs-queue"

  name                       = "${local.name_prefix}-payments"
  visibility_timeout_seconds = var.queue_visibility_timeout_seconds
  max_receive_count          = var.max_receive_count

  tags = { Service = "payments" }
}

# The spec's `dead_letter_queue_arn`: the function's DLQ. It only receives failed *asynchronous* invocations
# (e.g. `aws lambda invoke --invocation-type Event`); SQS-triggered failures go to the payment queue's redrive DLQ.
module "payment_dlq" {
  source = "../modules/sqs-queue"

  name                      = "${local.name_prefix}-payment-processor-async-dlq"
  create_dlq                = false
  message_retention_seconds = 1209600

  tags = { Service = "payments" }
}

# ---------------------------------------------------------------------------------------------------------------------
# Encryption key for the function's environment variables
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_kms_key" "lambda_encryption" {
  description             = "payment-processor environment variables"
  enable_key_rotation     = true
  deletion_window_in_days = 7

  tags = { Service = "payments" }
}

resource "aws_kms_alias" "lambda_encryption" {
  name          = "alias/${local.name_prefix}-payment-processor"
  target_key_id = aws_kms_key.lambda_encryption.key_id
}

# ---------------------------------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_dynamodb_table" "payments" {
  name         = "${local.name_prefix}-payments"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "payment_id"

  attribute {
    name = "payment_id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  tags = { Service = "payments" }
}

resource "aws_dynamodb_table" "audit_log" {
  name         = "${local.name_prefix}-audit-log"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "audit_id"

  attribute {
    name = "audit_id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  tags = { Service = "payments" }
}

# ---------------------------------------------------------------------------------------------------------------------
# Buckets: private, encrypted; the audit bucket keeps every version
# ---------------------------------------------------------------------------------------------------------------------

resource "aws_s3_bucket" "payment_files" {
  bucket = "${local.name_prefix}-payment-files-${local.account_id}"

  tags = { Service = "payments" }
}

resource "aws_s3_bucket" "audit_files" {
  bucket = "${local.name_prefix}-audit-files-${local.account_id}"

  tags = { Service = "payments" }
}

locals {
  # Static keys: for_each must not key on values known only after apply.
  private_buckets = {
    payment_files = aws_s3_bucket.payment_files.id
    audit_files   = aws_s3_bucket.audit_files.id
  }
}

resource "aws_s3_bucket_public_access_block" "private" {
  for_each = local.private_buckets

  bucket                  = each.value
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# SSE-S3 rather than SSE-KMS: with a KMS key, every PutObject would also need kms:GenerateDataKey on it.
resource "aws_s3_bucket_server_side_encryption_configuration" "private" {
  for_each = local.private_buckets

  bucket = each.value

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "audit_files" {
  bucket = aws_s3_bucket.audit_files.id

  versioning_configuration {
    status = "Enabled"
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# The function (the spec's block; `source`, the package, the timeout and the environment variables are the changes)
# ---------------------------------------------------------------------------------------------------------------------

module "secure_processor" {
  source = "../../addons/messaging/lambda-processor"

  project_name  = "payments"
  environment   = "prod"
  function_name = "payment-processor"

  # 함수 설정
  runtime     = "python3.11"
  handler     = "secure_handler.process"
  memory_size = 1024
  timeout     = var.function_timeout

  # 코드 배포 (built by ./build.sh; the spec's block leaves the package out)
  filename         = local.package
  source_code_hash = filebase64sha256(local.package)

  # VPC 구성
  vpc_config = {
    subnet_ids = [
      aws_subnet.private_a.id,
      aws_subnet.private_b.id
    ]
    security_group_ids = [aws_security_group.lambda.id]
  }

  # 암호화
  kms_key_arn = aws_kms_key.lambda_encryption.arn

  # SQS 처리
  sqs_config = {
    queue_arn                          = module.payment_queue.queue_arn
    batch_size                         = 5
    maximum_batching_window_in_seconds = 60
    scaling_config = {
      maximum_concurrency = 50
    }
  }

  # DLQ 설정 (async invocations only; see module.payment_dlq)
  dead_letter_queue_arn = module.payment_dlq.queue_arn

  # X-Ray 추적
  tracing_mode = "Active"

  # Added: where the handler writes (the spec's block has no environment variables).
  environment_variables = {
    PAYMENTS_TABLE_NAME  = aws_dynamodb_table.payments.name
    AUDIT_TABLE_NAME     = aws_dynamodb_table.audit_log.name
    PAYMENT_FILES_BUCKET = aws_s3_bucket.payment_files.bucket
    AUDIT_FILES_BUCKET   = aws_s3_bucket.audit_files.bucket
  }

  # 다중 서비스 통합
  dynamodb_config = {
    table_arns = [
      aws_dynamodb_table.payments.arn,
      aws_dynamodb_table.audit_log.arn
    ]
  }

  s3_config = {
    bucket_arns = [
      aws_s3_bucket.payment_files.arn,
      aws_s3_bucket.audit_files.arn
    ]
  }

  common_tags = {
    Team        = "payments"
    Compliance  = "PCI-DSS"
    Environment = "prod"
  }
}
