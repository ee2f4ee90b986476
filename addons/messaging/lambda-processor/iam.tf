# =====================================================================================================================
# Execution role: one inline policy derived from what is configured, nothing more.
# The policy is inline (aws_iam_role_policy) so `aws iam get-role-policy --role-name <role> --policy-name <policy>`
# shows it; see the iam_role_name and iam_policy_name outputs.
# =====================================================================================================================

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  # `name` works on provider 5.x and 6.x (6.x deprecates it in favour of `region`, with a warning only).
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id

  log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"

  # The DLQ's service is read from its ARN. When the ARN is unknown until apply the action is unknown too, and the
  # policy document is simply computed at apply; no over-broad fallback is needed.
  dead_letter_actions = var.dead_letter_queue_arn == null ? [] : (
    can(regex("^arn:[^:]+:sns:", var.dead_letter_queue_arn)) ? ["sns:Publish"] : ["sqs:SendMessage"]
  )

  # Every statement has the same shape so the list can feed one dynamic block.
  iam_statements = concat(
    [{
      sid       = "WriteOwnLogGroup"
      effect    = "Allow"
      actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      resources = ["${local.log_group_arn}:*"]
    }],
    local.sqs_enabled ? [{
      sid       = "ConsumeSourceQueue"
      effect    = "Allow"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
      resources = [var.sqs_config.queue_arn]
    }] : [],
    var.kms_key_arn == null ? [] : [{
      sid       = "DecryptEnvironment"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = [var.kms_key_arn]
    }],
    var.dead_letter_queue_arn == null ? [] : [{
      sid       = "SendToDeadLetterTarget"
      effect    = "Allow"
      actions   = local.dead_letter_actions
      resources = [var.dead_letter_queue_arn]
    }],
    # X-Ray trace segments have no resource ARN: AWS only accepts "*" for these actions.
    var.tracing_mode == null ? [] : [{
      sid       = "WriteXRayTraces"
      effect    = "Allow"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }],
    # Lambda creates and deletes the VPC network interfaces with the execution role before their IDs exist, so these
    # EC2 actions cannot be scoped to a resource ARN; "*" is what AWSLambdaVPCAccessExecutionRole grants too.
    var.vpc_config == null ? [] : [{
      sid    = "ManageVpcNetworkInterfaces"
      effect = "Allow"
      actions = [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ]
      resources = ["*"]
    }],
    length(local.dynamodb_table_arns) == 0 ? [] : [{
      sid    = "ReadWriteDynamoDbTables"
      effect = "Allow"
      actions = [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "dynamodb:Scan",
      ]
      resources = flatten([for arn in local.dynamodb_table_arns : [arn, "${arn}/index/*"]])
    }],
    length(local.s3_bucket_arns) == 0 ? [] : [
      {
        sid       = "ReadWriteS3Objects"
        effect    = "Allow"
        actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        resources = [for arn in local.s3_bucket_arns : "${arn}/*"]
      },
      {
        sid       = "ListS3Buckets"
        effect    = "Allow"
        actions   = ["s3:ListBucket"]
        resources = local.s3_bucket_arns
      },
    ],
    [for index, statement in var.additional_iam_policies : {
      sid       = "Additional${index}"
      effect    = statement.Effect
      actions   = statement.Action
      resources = statement.Resource
    }],
  )
}

# ---------------------------------------------------------------------------------------------------------------------
# Role
# ---------------------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = local.role_name
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
  tags               = local.tags
}

# ---------------------------------------------------------------------------------------------------------------------
# Permissions
# ---------------------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "execution" {
  dynamic "statement" {
    for_each = local.iam_statements
    content {
      sid       = statement.value.sid
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = local.policy_name
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.execution.json
}
