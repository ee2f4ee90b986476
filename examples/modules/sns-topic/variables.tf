variable "name" {
  description = "Topic name."
  type        = string
}

variable "kms_master_key_id" {
  description = "KMS key for server-side encryption; null leaves the topic unencrypted (the local runtime needs no key)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the topic."
  type        = map(string)
  default     = {}
}
