variable "aws_region" {
  description = "Region to deploy into."
  type        = string
  default     = "us-east-1"
}

variable "function_timeout" {
  description = "Function timeout in seconds (the spec's 300). A local demo can pass a shorter one with -var."
  type        = number
  default     = 300
}

variable "queue_visibility_timeout_seconds" {
  description = "Visibility timeout of the order queue. AWS recommends at least 6x the function timeout (SQS-10)."
  type        = number
  default     = 1800

  validation {
    condition     = var.queue_visibility_timeout_seconds >= 1 && var.queue_visibility_timeout_seconds <= 43200
    error_message = "queue_visibility_timeout_seconds must be 1-43200 (SQS limit), got ${var.queue_visibility_timeout_seconds}."
  }
}

variable "max_receive_count" {
  description = "Receives before SQS moves an order to the dead-letter queue (redrive maxReceiveCount)."
  type        = number
  default     = 3
}

variable "create_dashboard" {
  description = "Create the module's CloudWatch dashboard (the spec's block leaves it at the module default, false; the local demo sets true)."
  type        = bool
  default     = false
}
