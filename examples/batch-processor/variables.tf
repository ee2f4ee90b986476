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
  description = "Visibility timeout of the data queue: at least 6x the function timeout + the 300 s batching window (SQS-10)."
  type        = number
  default     = 5700

  validation {
    condition     = var.queue_visibility_timeout_seconds >= 1 && var.queue_visibility_timeout_seconds <= 43200
    error_message = "queue_visibility_timeout_seconds must be 1-43200 (SQS limit), got ${var.queue_visibility_timeout_seconds}."
  }
}

variable "max_receive_count" {
  description = "Receives before SQS moves a message to the data queue's dead-letter queue (AWS recommends >= 5, SQS-16)."
  type        = number
  default     = 5
}

variable "batching_window_seconds" {
  description = "maximum_batching_window_in_seconds of the mapping (the spec's 300; batch_size 100 needs >= 1, SQS-3)."
  type        = number
  default     = 300
}

variable "notify_queue_on_raw_upload" {
  description = "Send an S3 event notification to the data queue for every object created in the raw bucket."
  type        = bool
  default     = true
}
