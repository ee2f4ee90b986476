# ---------------------------------------------------------------------------------------------------------------------
# Order processor: SQS -> Lambda -> DynamoDB, with alarms to an SNS topic.
# The module block is the spec's "기본 SQS 메시지 처리" usage; everything it references is created here.
# ---------------------------------------------------------------------------------------------------------------------

locals {
  # The module derives the function name the same way: <project>-<environment>-<function>.
  name_prefix = "ecommerce-prod"
  package     = "${path.module}/build/order-processor.zip"
}

# ---------------------------------------------------------------------------------------------------------------------
# What the function reads and writes
# ---------------------------------------------------------------------------------------------------------------------

module "order_queue" {
  source = "../modules/sqs-queue"

  name = "${local.name_prefix}-orders"
  # SQS-9/SQS-10: the visibility timeout must cover the function timeout; AWS recommends 6x.
  visibility_timeout_seconds = var.queue_visibility_timeout_seconds
  max_receive_count          = var.max_receive_count

  tags = { Service = "orders" }
}

resource "aws_dynamodb_table" "orders" {
  name         = "${local.name_prefix}-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "order_id"

  attribute {
    name = "order_id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  tags = { Service = "orders" }
}

resource "aws_sns_topic" "alerts" {
  name = "${local.name_prefix}-order-processor-alerts"

  tags = { Service = "orders" }
}

# ---------------------------------------------------------------------------------------------------------------------
# The function (the spec's block; `source`, the package path and the timeout are the only changes)
# ---------------------------------------------------------------------------------------------------------------------

module "order_processor" {
  source = "../../addons/messaging/lambda-processor"

  project_name  = "ecommerce"
  environment   = "prod"
  function_name = "order-processor"

  # 함수 설정
  runtime     = "python3.11"
  handler     = "app.handler"
  memory_size = 512
  timeout     = var.function_timeout

  # 코드 배포 (built by ./build.sh)
  filename         = local.package
  source_code_hash = filebase64sha256(local.package)

  # SQS 이벤트 소스
  sqs_config = {
    queue_arn  = module.order_queue.queue_arn
    batch_size = 10
    scaling_config = {
      maximum_concurrency = 100
    }
  }

  # 환경 변수
  environment_variables = {
    DB_TABLE_NAME = aws_dynamodb_table.orders.name
    LOG_LEVEL     = "INFO"
  }

  # DynamoDB 액세스
  dynamodb_config = {
    table_arns = [aws_dynamodb_table.orders.arn]
  }

  # 모니터링
  enable_monitoring = true
  monitoring_config = {
    error_threshold    = 5
    duration_threshold = 60000 # 60 seconds
    alarm_actions      = [aws_sns_topic.alerts.arn]
  }

  # Not in the spec's block (the spec's default, false, applies); the local demo turns it on.
  create_dashboard = var.create_dashboard

  common_tags = {
    Team    = "backend"
    Service = "orders"
  }
}
