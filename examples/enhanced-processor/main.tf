# ---------------------------------------------------------------------------------------------------------------------
# Enhanced processor: a filtered SQS trigger and two layers (our shared-libs + AWS's public Powertools layer).
# The resources are the spec's "Lambda Layers와 함께" usage; everything they reference is created here.
# ---------------------------------------------------------------------------------------------------------------------

data "aws_region" "current" {}

locals {
  name_prefix   = "enhanced-prod"
  package       = "${path.module}/build/enhanced-processor.zip"
  layer_package = "${path.module}/build/shared-libs.zip"
}

module "events_queue" {
  source = "../modules/sqs-queue"

  name                       = "${local.name_prefix}-events"
  visibility_timeout_seconds = var.queue_visibility_timeout_seconds
  max_receive_count          = var.max_receive_count

  tags = { Service = "events" }
}

# Lambda Layer 생성 (built by ./build.sh from layers/shared-libs)
resource "aws_lambda_layer_version" "shared_libs" {
  filename         = local.layer_package
  source_code_hash = filebase64sha256(local.layer_package)
  layer_name       = "shared-libs"
  description      = "shared_libs: event envelope, EMF metrics, structured logging"

  compatible_runtimes      = ["python3.11"]
  compatible_architectures = ["x86_64", "arm64"]
}

module "enhanced_processor" {
  source = "../../addons/messaging/lambda-processor"

  project_name  = "enhanced"
  environment   = "prod"
  function_name = "enhanced-processor"

  # 함수 설정
  runtime     = "python3.11"
  handler     = "app.handler"
  memory_size = 512
  timeout     = var.function_timeout

  # 코드 배포 (built by ./build.sh; the spec's block leaves the package out)
  filename         = local.package
  source_code_hash = filebase64sha256(local.package)

  # 레이어 사용
  layers = [
    aws_lambda_layer_version.shared_libs.arn,
    "arn:aws:lambda:${data.aws_region.current.name}:017000801446:layer:AWSLambdaPowertoolsPythonV2:21"
  ]

  # SQS 처리
  sqs_config = {
    queue_arn = module.events_queue.queue_arn
    filter_criteria = {
      filters = [
        {
          # Fixed from the spec's `{ eventType = [...] }`: SQS filters match the record, whose message is in `body`.
          pattern = jsonencode({
            body = {
              eventType = ["IMPORTANT", "CRITICAL"]
            }
          })
        }
      ]
    }
  }

  common_tags = {
    Team = "platform"
  }
}
