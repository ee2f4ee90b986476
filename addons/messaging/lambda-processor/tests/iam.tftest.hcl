# IAM derived from configuration: each feature adds exactly its statement, on exactly its resources.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  project_name  = "payments"
  environment   = "prod"
  function_name = "payment-processor"
  filename      = "payment.zip"
}

run "dynamodb_tables_and_their_indexes" {
  command = plan

  variables {
    dynamodb_config = {
      table_arns = [
        "arn:aws:dynamodb:us-east-1:123456789012:table/payments",
        "arn:aws:dynamodb:us-east-1:123456789012:table/audit-log",
      ]
    }
  }

  assert {
    condition = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "ReadWriteDynamoDbTables"]).actions == toset([
      "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan",
    ])
    error_message = "the spec's six DynamoDB actions"
  }
  assert {
    condition = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "ReadWriteDynamoDbTables"]).resources == toset([
      "arn:aws:dynamodb:us-east-1:123456789012:table/payments",
      "arn:aws:dynamodb:us-east-1:123456789012:table/payments/index/*",
      "arn:aws:dynamodb:us-east-1:123456789012:table/audit-log",
      "arn:aws:dynamodb:us-east-1:123456789012:table/audit-log/index/*",
    ])
    error_message = "each table and its indexes, nothing else"
  }
}

run "s3_objects_and_bucket_listing" {
  command = plan

  variables {
    s3_config = {
      bucket_arns = ["arn:aws:s3:::payment-files", "arn:aws:s3:::audit-files"]
    }
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "ReadWriteS3Objects"]).actions == toset(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
    error_message = "object actions"
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "ReadWriteS3Objects"]).resources == toset(["arn:aws:s3:::payment-files/*", "arn:aws:s3:::audit-files/*"])
    error_message = "object actions on bucket/*"
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "ListS3Buckets"]).actions == toset(["s3:ListBucket"])
    error_message = "ListBucket"
  }
  assert {
    condition     = one([for s in data.aws_iam_policy_document.execution.statement : s if s.sid == "ListS3Buckets"]).resources == toset(["arn:aws:s3:::payment-files", "arn:aws:s3:::audit-files"])
    error_message = "ListBucket on the buckets themselves"
  }
}

run "additional_policies_in_the_spec_form" {
  command = plan

  variables {
    additional_iam_policies = [
      {
        Effect   = "Allow"
        Action   = ["sns:Publish"]
        Resource = ["arn:aws:sns:us-east-1:123456789012:email", "arn:aws:sns:us-east-1:123456789012:sms"]
      },
      {
        Action   = ["ssm:GetParameter"]
        Resource = ["arn:aws:ssm:us-east-1:123456789012:parameter/payments/*"]
      },
      {
        Effect   = "Deny"
        Action   = ["s3:DeleteObject"]
        Resource = ["*"]
      },
    ]
  }

  assert {
    condition     = [for s in data.aws_iam_policy_document.execution.statement : s.sid] == ["WriteOwnLogGroup", "Additional0", "Additional1", "Additional2"]
    error_message = "additional statements follow the derived ones"
  }
  assert {
    condition     = data.aws_iam_policy_document.execution.statement[1].actions == toset(["sns:Publish"]) && data.aws_iam_policy_document.execution.statement[1].resources == toset(["arn:aws:sns:us-east-1:123456789012:email", "arn:aws:sns:us-east-1:123456789012:sms"])
    error_message = "Action and Resource are passed through"
  }
  assert {
    condition     = data.aws_iam_policy_document.execution.statement[2].effect == "Allow" && data.aws_iam_policy_document.execution.statement[3].effect == "Deny"
    error_message = "Effect defaults to Allow; Deny is kept"
  }
}

run "every_feature_adds_exactly_its_statement" {
  command = plan

  variables {
    sqs_config            = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:payments" }
    kms_key_arn           = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    dead_letter_queue_arn = "arn:aws:sqs:us-east-1:123456789012:payments-dlq"
    tracing_mode          = "Active"
    vpc_config            = { subnet_ids = ["subnet-a"], security_group_ids = ["sg-a"] }
    dynamodb_config       = { table_arns = ["arn:aws:dynamodb:us-east-1:123456789012:table/payments"] }
    s3_config             = { bucket_arns = ["arn:aws:s3:::payment-files"] }
    sns_config            = { topic_arns = ["arn:aws:sns:us-east-1:123456789012:payment-events"] }
  }

  assert {
    condition = [for s in data.aws_iam_policy_document.execution.statement : s.sid] == [
      "WriteOwnLogGroup", "ConsumeSourceQueue", "DecryptEnvironment", "SendToDeadLetterTarget", "WriteXRayTraces",
      "ManageVpcNetworkInterfaces", "ReadWriteDynamoDbTables", "ReadWriteS3Objects", "ListS3Buckets",
    ]
    error_message = "one statement per configured feature"
  }
  assert {
    condition     = toset(flatten([for s in data.aws_iam_policy_document.execution.statement : s.sid if contains(s.resources, "*")])) == toset(["WriteXRayTraces", "ManageVpcNetworkInterfaces"])
    error_message = "only X-Ray and ENI statements use resource *"
  }
  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.execution.statement : s.effect == "Allow"])
    error_message = "derived statements allow"
  }
}

run "role_policy_is_inline_on_the_role" {
  command = plan

  assert {
    condition     = aws_iam_role_policy.this.policy == data.aws_iam_policy_document.execution.json
    error_message = "the inline policy is the derived document"
  }
  assert {
    condition     = aws_iam_role.this.assume_role_policy == data.aws_iam_policy_document.assume_role.json
    error_message = "the trust policy is the Lambda assume-role document"
  }
}
