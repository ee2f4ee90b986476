variable "aws_region" {
  description = "Region to deploy into."
  type        = string
  default     = "us-east-1"
}

variable "function_timeout" {
  description = "Function timeout in seconds (the spec's 900). A local demo can pass a shorter one with -var."
  type        = number
  default     = 900
}

variable "queue_visibility_timeout_seconds" {
  description = "Visibility timeout of the payment queue: at least 6x the function timeout + the 60 s batching window (SQS-10)."
  type        = number
  default     = 5460

  validation {
    condition     = var.queue_visibility_timeout_seconds >= 1 && var.queue_visibility_timeout_seconds <= 43200
    error_message = "queue_visibility_timeout_seconds must be 1-43200 (SQS limit), got ${var.queue_visibility_timeout_seconds}."
  }
}

variable "max_receive_count" {
  description = "Receives before SQS moves a payment to the queue's dead-letter queue (AWS recommends >= 5, SQS-16)."
  type        = number
  default     = 5
}

variable "vpc_cidr" {
  description = "CIDR of the VPC the function runs in."
  type        = string
  default     = "10.20.0.0/16"
}
