# Function settings: code sources, runtime configuration, environment, networking, encryption, tracing, DLQ.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  project_name  = "shop"
  environment   = "prod"
  function_name = "worker"
  filename      = "worker.zip"
}

run "s3_code_source" {
  command = plan

  variables {
    filename          = null
    s3_bucket         = "code-bucket"
    s3_key            = "worker.zip"
    s3_object_version = "v3"
    runtime           = "nodejs22.x"
  }

  assert {
    condition     = aws_lambda_function.this.s3_bucket == "code-bucket" && aws_lambda_function.this.s3_key == "worker.zip" && aws_lambda_function.this.s3_object_version == "v3"
    error_message = "S3 code source is passed through"
  }
  assert {
    condition     = aws_lambda_function.this.filename == null && aws_lambda_function.this.runtime == "nodejs22.x"
    error_message = "no local file with an S3 source; runtime as given"
  }
}

run "container_image_has_no_runtime_handler_or_layers" {
  command = plan

  variables {
    filename      = null
    package_type  = "Image"
    image_uri     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:latest"
    architectures = ["arm64"]
  }

  assert {
    condition     = aws_lambda_function.this.package_type == "Image" && aws_lambda_function.this.image_uri == "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:latest"
    error_message = "image package"
  }
  assert {
    condition     = aws_lambda_function.this.runtime == null && aws_lambda_function.this.handler == null && aws_lambda_function.this.layers == null
    error_message = "runtime, handler and layers are not sent for images"
  }
  assert {
    condition     = aws_lambda_function.this.architectures == tolist(["arm64"])
    error_message = "arm64 architecture"
  }
}

run "runtime_settings_pass_through" {
  command = plan

  variables {
    runtime                        = "python3.13"
    handler                        = "app.handler"
    memory_size                    = 3008
    timeout                        = 900
    reserved_concurrent_executions = 100
    ephemeral_storage_size         = 10240
    description                    = "processes work"
    log_retention_days             = 7
    layers = [
      "arn:aws:lambda:us-east-1:123456789012:layer:shared-libs:3",
      "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:21",
    ]
  }

  assert {
    condition     = aws_lambda_function.this.runtime == "python3.13" && aws_lambda_function.this.handler == "app.handler"
    error_message = "runtime and handler"
  }
  assert {
    condition     = aws_lambda_function.this.memory_size == 3008 && aws_lambda_function.this.timeout == 900
    error_message = "memory and timeout"
  }
  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 100 && aws_lambda_function.this.ephemeral_storage[0].size == 10240
    error_message = "reserved concurrency and /tmp size"
  }
  assert {
    condition     = aws_lambda_function.this.description == "processes work" && aws_cloudwatch_log_group.this.retention_in_days == 7
    error_message = "description and log retention"
  }
  assert {
    condition     = aws_lambda_function.this.layers == tolist(["arn:aws:lambda:us-east-1:123456789012:layer:shared-libs:3", "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:21"])
    error_message = "layers in order"
  }
}

run "reserved_concurrency_zero_disables_the_function" {
  command = plan

  variables {
    reserved_concurrent_executions = 0
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 0
    error_message = "0 is passed through (function throttled), not treated as unset"
  }
}

run "environment_variables_create_the_environment_block" {
  command = plan

  variables {
    environment_variables = {
      DB_TABLE_NAME = "orders"
      LOG_LEVEL     = "INFO"
    }
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables == tomap({ DB_TABLE_NAME = "orders", LOG_LEVEL = "INFO" })
    error_message = "environment variables are set"
  }
}

run "vpc_config_and_eni_permissions" {
  command = plan

  variables {
    vpc_config = {
      subnet_ids         = ["subnet-aaa", "subnet-bbb"]
      security_group_ids = ["sg-123"]
    }
  }

  assert {
    condition     = aws_lambda_function.this.vpc_config[0].subnet_ids == toset(["subnet-aaa", "subnet-bbb"]) && aws_lambda_function.this.vpc_config[0].security_group_ids == toset(["sg-123"])
    error_message = "vpc_config is passed through"
  }
  assert {
    condition = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "ManageVpcNetworkInterfaces"]).actions == toset([
      "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
    ])
    error_message = "VPC adds the five ENI actions"
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "ManageVpcNetworkInterfaces"]).resources == toset(["*"])
    error_message = "ENI actions need resource *"
  }
}

run "kms_key_encrypts_environment_and_grants_decrypt" {
  command = plan

  variables {
    kms_key_arn           = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    environment_variables = { SECRET_NAME = "x" }
  }

  assert {
    condition     = aws_lambda_function.this.kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "kms_key_arn on the function"
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "DecryptEnvironment"]).actions == toset(["kms:Decrypt"])
    error_message = "kms:Decrypt is granted"
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "DecryptEnvironment"]).resources == toset(["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"])
    error_message = "kms:Decrypt on that key only"
  }
}

run "active_tracing_and_xray_permissions" {
  command = plan

  variables {
    tracing_mode = "Active"
  }

  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "Active"
    error_message = "tracing mode Active"
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "WriteXRayTraces"]).actions == toset(["xray:PutTraceSegments", "xray:PutTelemetryRecords"])
    error_message = "X-Ray write actions"
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "WriteXRayTraces"]).resources == toset(["*"])
    error_message = "X-Ray actions need resource *"
  }
}

run "passthrough_tracing" {
  command = plan

  variables {
    tracing_mode = "PassThrough"
  }

  assert {
    condition     = aws_lambda_function.this.tracing_config[0].mode == "PassThrough"
    error_message = "tracing mode PassThrough"
  }
}

run "sqs_dead_letter_queue_gets_send_message_only" {
  command = plan

  variables {
    dead_letter_queue_arn = "arn:aws:sqs:us-east-1:123456789012:worker-dlq"
  }

  assert {
    condition     = aws_lambda_function.this.dead_letter_config[0].target_arn == "arn:aws:sqs:us-east-1:123456789012:worker-dlq"
    error_message = "dead_letter_config target"
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "SendToDeadLetterTarget"]).actions == toset(["sqs:SendMessage"])
    error_message = "an SQS DLQ gets sqs:SendMessage"
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "SendToDeadLetterTarget"]).resources == toset(["arn:aws:sqs:us-east-1:123456789012:worker-dlq"])
    error_message = "on the DLQ only"
  }
}

run "sns_dead_letter_topic_gets_publish_only" {
  command = plan

  variables {
    dead_letter_queue_arn = "arn:aws:sns:us-east-1:123456789012:worker-failures"
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "SendToDeadLetterTarget"]).actions == toset(["sns:Publish"])
    error_message = "an SNS DLQ gets sns:Publish"
  }
}

run "function_runs_with_the_module_role" {
  command = apply

  assert {
    condition     = aws_lambda_function.this.role == aws_iam_role.this.arn
    error_message = "the function runs with the module's role"
  }
  assert {
    condition     = aws_iam_role_policy.this.role == aws_iam_role.this.id
    error_message = "the inline policy is attached to the role"
  }
}
