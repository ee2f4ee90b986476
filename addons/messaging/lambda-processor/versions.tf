# ---------------------------------------------------------------------------------------------------------------------
# Versions
# Terraform >= 1.9: input validations refer to other inputs (e.g. sqs_config.batch_size is checked against the
# queue type and the batching window). The aws provider range covers 5.x and 6.x; the module uses no argument that
# exists in only one of them. 5.71 is the first release with the event source mapping's `arn` and `tags`.
# ---------------------------------------------------------------------------------------------------------------------

terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.71, < 7.0"
    }
  }
}
