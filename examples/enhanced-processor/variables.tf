variable "aws_region" {
  description = "Region to deploy into (the public Powertools layer ARN is built for it)."
  type        = string
  default     = "us-east-1"
}

variable "function_timeout" {
  description = "Function timeout in seconds (the spec's block leaves the module default, 60)."
  type        = number
  default     = 60
}

variable "queue_visibility_timeout_seconds" {
  description = "Visibility timeout of the events queue: at least 6x the function timeout (SQS-10)."
  type        = number
  default     = 360

  validation {
    condition     = var.queue_visibility_timeout_seconds >= 1 && var.queue_visibility_timeout_seconds <= 43200
    error_message = "queue_visibility_timeout_seconds must be 1-43200 (SQS limit), got ${var.queue_visibility_timeout_seconds}."
  }
}

variable "max_receive_count" {
  description = "Receives before SQS moves a malformed event to the dead-letter queue (AWS recommends >= 5, SQS-16)."
  type        = number
  default     = 5
}
