variable "name" {
  description = "Queue name (without the .fifo suffix, which is added for FIFO queues). The DLQ is named <name>-dlq."
  type        = string
}

variable "fifo_queue" {
  description = "Create a FIFO queue (and a FIFO DLQ)."
  type        = bool
  default     = false
}

variable "visibility_timeout_seconds" {
  description = "Visibility timeout. For a Lambda source queue use at least 6x the function timeout (+ the batching window)."
  type        = number
  default     = 30

  validation {
    condition     = var.visibility_timeout_seconds >= 0 && var.visibility_timeout_seconds <= 43200
    error_message = "visibility_timeout_seconds must be 0-43200 (SQS limit), got ${var.visibility_timeout_seconds}."
  }
}

variable "message_retention_seconds" {
  description = "How long the source queue keeps a message (60-1209600)."
  type        = number
  default     = 345600
}

variable "receive_wait_time_seconds" {
  description = "Long-polling wait for receives (0-20)."
  type        = number
  default     = 0
}

variable "create_dlq" {
  description = "Create a dead-letter queue and a redrive policy to it."
  type        = bool
  default     = true
}

variable "max_receive_count" {
  description = "Receives after which SQS moves a message to the DLQ (redrive maxReceiveCount, 1-1000)."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be 1-1000 (SQS redrive policy), got ${var.max_receive_count}."
  }
}

variable "dlq_message_retention_seconds" {
  description = "How long the DLQ keeps a message; longer than the source queue so failures can be inspected."
  type        = number
  default     = 1209600
}

variable "tags" {
  description = "Tags for both queues."
  type        = map(string)
  default     = {}
}
