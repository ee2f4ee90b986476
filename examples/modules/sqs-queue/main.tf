# ---------------------------------------------------------------------------------------------------------------------
# A source queue for a Lambda event source mapping, with its redrive dead-letter queue.
# The DLQ of an SQS-triggered function is the queue's redrive DLQ (the function's own DeadLetterConfig only applies to
# asynchronous invocations), so every source queue here gets one.
# ---------------------------------------------------------------------------------------------------------------------

terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }
}

locals {
  # FIFO queues (and their DLQs, which must also be FIFO) need the .fifo suffix.
  suffix = var.fifo_queue ? ".fifo" : ""
}

resource "aws_sqs_queue" "dlq" {
  count = var.create_dlq ? 1 : 0

  name                      = "${var.name}-dlq${local.suffix}"
  fifo_queue                = var.fifo_queue
  message_retention_seconds = var.dlq_message_retention_seconds
  sqs_managed_sse_enabled   = true

  tags = merge(var.tags, { Role = "dead-letter-queue" })
}

resource "aws_sqs_queue" "this" {
  name                       = "${var.name}${local.suffix}"
  fifo_queue                 = var.fifo_queue
  visibility_timeout_seconds = var.visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_seconds
  receive_wait_time_seconds  = var.receive_wait_time_seconds
  sqs_managed_sse_enabled    = true

  redrive_policy = var.create_dlq ? jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[0].arn
    maxReceiveCount     = var.max_receive_count
  }) : null

  tags = var.tags
}
