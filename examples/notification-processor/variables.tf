variable "aws_region" {
  description = "Region to deploy into."
  type        = string
  default     = "us-east-1"
}

variable "function_timeout" {
  description = "Function timeout in seconds (the spec's 60)."
  type        = number
  default     = 60
}

variable "schedule_expression" {
  description = "When the scheduled-notifications rule fires (a SCHEDULED_DIGEST email)."
  type        = string
  default     = "rate(1 hour)"
}

variable "digest_recipient" {
  description = "Email address the scheduled digest is rendered for."
  type        = string
  default     = "notifications@example.com"
}

variable "create_outbox_queue" {
  description = "Subscribe an SQS queue to the email and SMS topics so the rendered notifications can be read back (demos and tests)."
  type        = bool
  default     = false
}
