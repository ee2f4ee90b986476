# ---------------------------------------------------------------------------------------------------------------------
# An SNS topic (optionally encrypted with a KMS key).
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

resource "aws_sns_topic" "this" {
  name              = var.name
  kms_master_key_id = var.kms_master_key_id

  tags = var.tags
}
