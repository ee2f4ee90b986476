# =====================================================================================================================
# Inputs. Every AWS limit is a validation whose message names the input path, the rule and the value it got.
# Cross-field rules refer to other inputs (Terraform >= 1.9). A rule whose inputs are unknown until apply (an ARN
# created in the same configuration) is skipped at plan and enforced by AWS at apply.
# Advice (deprecated runtime, filters that delete messages, ...) is a `check` block in checks.tf: a warning.
# =====================================================================================================================

# ---------------------------------------------------------------------------------------------------------------------
# Naming
# ---------------------------------------------------------------------------------------------------------------------

variable "project_name" {
  description = "Project name; the first part of every resource name (<project>-<environment>-<function>)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+$", var.project_name))
    error_message = "project_name must be 1+ characters of [A-Za-z0-9-_] (got ${jsonencode(var.project_name)})."
  }
}

variable "environment" {
  description = "Deployment environment: dev, staging or prod."
  type        = string
  nullable    = false

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod (got ${jsonencode(var.environment)})."
  }
}

variable "function_name" {
  description = "Function name; the deployed name is <project_name>-<environment>-<function_name>."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+$", var.function_name))
    error_message = "function_name must be 1+ characters of [A-Za-z0-9-_] (got ${jsonencode(var.function_name)})."
  }

  validation {
    condition     = length("${var.project_name}-${var.environment}-${var.function_name}") <= 64
    error_message = "The function name <project_name>-<environment>-<function_name> must be at most 64 characters (got ${length("${var.project_name}-${var.environment}-${var.function_name}")}: \"${var.project_name}-${var.environment}-${var.function_name}\")."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# Code: exactly one source: a local zip, a zip in S3, or a container image
# ---------------------------------------------------------------------------------------------------------------------

variable "filename" {
  description = "Path to a local .zip deployment package. One of filename, s3_bucket + s3_key or image_uri is required."
  type        = string
  default     = null

  validation {
    condition = length(compact([
      var.filename == null ? "" : "filename",
      var.s3_bucket == null && var.s3_key == null ? "" : "s3_bucket/s3_key",
      var.image_uri == null ? "" : "image_uri",
    ])) == 1
    error_message = "Exactly one code source is required: filename (zip), s3_bucket + s3_key (zip in S3) or package_type = \"Image\" + image_uri (got ${jsonencode(compact([var.filename == null ? "" : "filename", var.s3_bucket == null && var.s3_key == null ? "" : "s3_bucket/s3_key", var.image_uri == null ? "" : "image_uri"]))})."
  }
}

variable "source_code_hash" {
  description = "Base64 SHA-256 of the package (filebase64sha256(...)); a change redeploys the code. Zip packages only."
  type        = string
  default     = null

  validation {
    condition     = var.source_code_hash == null || var.package_type == "Zip"
    error_message = "source_code_hash applies to zip packages only; remove it when package_type = \"Image\"."
  }
}

variable "s3_bucket" {
  description = "S3 bucket holding the .zip package (with s3_key)."
  type        = string
  default     = null

  validation {
    condition     = (var.s3_bucket == null) == (var.s3_key == null)
    error_message = "s3_bucket and s3_key must be set together (got s3_bucket = ${jsonencode(var.s3_bucket)}, s3_key = ${jsonencode(var.s3_key)})."
  }
}

variable "s3_key" {
  description = "S3 key of the .zip package (with s3_bucket)."
  type        = string
  default     = null
}

variable "s3_object_version" {
  description = "Version of the S3 object holding the package (optional, with s3_bucket + s3_key)."
  type        = string
  default     = null

  validation {
    condition     = var.s3_object_version == null || var.s3_bucket != null
    error_message = "s3_object_version needs s3_bucket + s3_key (got s3_object_version = ${jsonencode(var.s3_object_version)} without s3_bucket)."
  }
}

variable "package_type" {
  description = "Deployment package type: Zip (filename or S3) or Image (image_uri)."
  type        = string
  default     = "Zip"
  nullable    = false

  validation {
    condition     = contains(["Zip", "Image"], var.package_type)
    error_message = "package_type must be Zip or Image (got ${jsonencode(var.package_type)})."
  }

  validation {
    condition     = (var.package_type == "Image") == (var.image_uri != null)
    error_message = "package_type = \"Image\" and image_uri go together (got package_type = ${jsonencode(var.package_type)}, image_uri = ${jsonencode(var.image_uri)})."
  }
}

variable "image_uri" {
  description = "ECR image URI of a container-image function (with package_type = \"Image\")."
  type        = string
  default     = null
}

# ---------------------------------------------------------------------------------------------------------------------
# Runtime
# ---------------------------------------------------------------------------------------------------------------------

variable "runtime" {
  description = "Lambda runtime identifier. null means python3.11 for zip packages; must stay null for container images."
  type        = string
  default     = null

  validation {
    condition     = var.runtime == null ? true : contains(keys(local.lambda_runtime_deprecation_dates), var.runtime)
    error_message = "runtime must be a Lambda runtime that can still be deployed (${join(", ", sort(keys(local.lambda_runtime_deprecation_dates)))}) (got ${jsonencode(var.runtime)})."
  }

  validation {
    condition     = var.runtime == null || var.package_type == "Zip"
    error_message = "runtime must not be set when package_type = \"Image\": the image defines its runtime (got ${jsonencode(var.runtime)})."
  }
}

variable "handler" {
  description = "Function entry point. null means index.handler for zip packages; must stay null for container images."
  type        = string
  default     = null

  validation {
    condition     = var.handler == null ? true : length(var.handler) >= 1 && length(var.handler) <= 128 && !can(regex("\\s", var.handler))
    error_message = "handler must be 1-128 characters without whitespace, e.g. \"app.handler\" (got ${jsonencode(var.handler)})."
  }

  validation {
    condition     = var.handler == null || var.package_type == "Zip"
    error_message = "handler must not be set when package_type = \"Image\": the image's CMD names the handler (got ${jsonencode(var.handler)})."
  }
}

variable "memory_size" {
  description = "Memory in MB (128-10240); CPU scales with it."
  type        = number
  default     = 512
  nullable    = false

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB in 128-10240 (got ${var.memory_size})."
  }
}

variable "timeout" {
  description = "Function timeout in seconds (1-900)."
  type        = number
  default     = 60
  nullable    = false

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds in 1-900 (got ${var.timeout})."
  }
}

variable "architectures" {
  description = "Instruction set: exactly one of [\"x86_64\"] or [\"arm64\"]."
  type        = list(string)
  default     = ["x86_64"]
  nullable    = false

  validation {
    condition     = length(var.architectures) == 1 && alltrue([for a in var.architectures : contains(["x86_64", "arm64"], a)])
    error_message = "architectures must hold exactly one of \"x86_64\" or \"arm64\" (got ${jsonencode(var.architectures)})."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency: -1 = unreserved (account pool), 0 = function disabled (every invocation throttled), N = reserved and capped at N."
  type        = number
  default     = -1
  nullable    = false

  validation {
    condition     = var.reserved_concurrent_executions >= -1 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions
    error_message = "reserved_concurrent_executions must be -1 (unreserved), 0 (disabled) or a positive whole number (got ${var.reserved_concurrent_executions})."
  }
}

variable "ephemeral_storage_size" {
  description = "Size of /tmp in MB (512-10240)."
  type        = number
  default     = 512
  nullable    = false

  validation {
    condition     = var.ephemeral_storage_size >= 512 && var.ephemeral_storage_size <= 10240 && floor(var.ephemeral_storage_size) == var.ephemeral_storage_size
    error_message = "ephemeral_storage_size must be a whole number of MB in 512-10240 (got ${var.ephemeral_storage_size})."
  }
}

variable "description" {
  description = "Function description (at most 256 characters)."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = length(var.description) <= 256
    error_message = "description must be at most 256 characters (got ${length(var.description)})."
  }
}

variable "layers" {
  description = "Up to 5 layer version ARNs (arn:aws:lambda:<region>:<account>:layer:<name>:<version>); zip packages only."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.layers) <= 5
    error_message = "layers may hold at most 5 layer versions (got ${length(var.layers)})."
  }

  validation {
    condition     = alltrue([for arn in var.layers : can(regex("^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", arn))])
    error_message = "layers must be layer version ARNs arn:aws:lambda:<region>:<account>:layer:<name>:<version> (got ${jsonencode([for arn in var.layers : arn if !can(regex("^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", arn))])})."
  }

  validation {
    condition     = length(var.layers) == 0 || var.package_type == "Zip"
    error_message = "layers must be empty when package_type = \"Image\": container images cannot use layers; build them into the image (got ${length(var.layers)} layers)."
  }
}

variable "environment_variables" {
  description = "Environment variables for the function (keys [a-zA-Z][a-zA-Z0-9_]+, not reserved by Lambda, 4 KB in total)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for key in keys(var.environment_variables) : can(regex("^[a-zA-Z][a-zA-Z0-9_]+$", key))])
    error_message = "environment_variables keys must match [a-zA-Z][a-zA-Z0-9_]+ (got ${jsonencode([for key in keys(var.environment_variables) : key if !can(regex("^[a-zA-Z][a-zA-Z0-9_]+$", key))])})."
  }

  validation {
    condition     = length(setintersection(keys(var.environment_variables), local.lambda_reserved_environment_keys)) == 0
    error_message = "environment_variables must not set keys reserved by Lambda (got ${jsonencode(sort(setintersection(keys(var.environment_variables), local.lambda_reserved_environment_keys)))}); Lambda sets them itself."
  }

  validation {
    # Lambda measures the JSON of the whole map ("String measured: {...}") against 4 KB.
    condition     = length(jsonencode(var.environment_variables)) <= 4096
    error_message = "environment_variables must total at most 4 KB as JSON (got ${length(jsonencode(var.environment_variables))} characters)."
  }
}

variable "kms_key_arn" {
  description = "KMS key ARN that encrypts the environment variables; the role gets kms:Decrypt on it."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null ? true : can(regex("^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN arn:aws:kms:<region>:<account>:key/<id> (got ${jsonencode(var.kms_key_arn)})."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing: null (off), PassThrough or Active. Active adds the X-Ray write permissions."
  type        = string
  default     = null

  validation {
    condition     = var.tracing_mode == null ? true : contains(["PassThrough", "Active"], var.tracing_mode)
    error_message = "tracing_mode must be null, \"PassThrough\" or \"Active\" (got ${jsonencode(var.tracing_mode)})."
  }
}

variable "vpc_config" {
  description = "Run the function in a VPC: 1-16 subnet IDs and 1-5 security group IDs. Adds the ENI permissions."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null

  validation {
    condition     = var.vpc_config == null ? true : length(coalesce(var.vpc_config.subnet_ids, [])) >= 1 && length(coalesce(var.vpc_config.subnet_ids, [])) <= 16
    error_message = "vpc_config.subnet_ids must hold 1-16 subnet IDs (got ${try(length(var.vpc_config.subnet_ids), 0)})."
  }

  validation {
    condition     = var.vpc_config == null ? true : length(coalesce(var.vpc_config.security_group_ids, [])) >= 1 && length(coalesce(var.vpc_config.security_group_ids, [])) <= 5
    error_message = "vpc_config.security_group_ids must hold 1-5 security group IDs (got ${try(length(var.vpc_config.security_group_ids), 0)})."
  }
}

variable "dead_letter_queue_arn" {
  description = "Standard SQS queue or SNS topic ARN for failed asynchronous invocations (SNS, EventBridge). Not used by SQS triggers: give the source queue a redrive policy instead."
  type        = string
  default     = null

  validation {
    condition     = var.dead_letter_queue_arn == null ? true : can(regex("^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", var.dead_letter_queue_arn))
    error_message = "dead_letter_queue_arn must be a standard (non-FIFO) SQS queue or SNS topic ARN (got ${jsonencode(var.dead_letter_queue_arn)})."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's log group in days: one of CloudWatch's values (1, 3, 5, 7, 14, 30, ... 3653), or 0 to never expire."
  type        = number
  default     = 14
  nullable    = false

  validation {
    condition     = contains(local.cloudwatch_log_retention_days, var.log_retention_days)
    error_message = "log_retention_days must be one of ${join(", ", local.cloudwatch_log_retention_days)} (got ${var.log_retention_days})."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# Triggers
# ---------------------------------------------------------------------------------------------------------------------

variable "sqs_config" {
  description = "SQS trigger (event source mapping). batch_size: 1-10 on FIFO queues, 1-10000 on standard queues (above 10 needs maximum_batching_window_in_seconds >= 1). report_batch_item_failures turns on partial-batch responses (batchItemFailures)."
  type = object({
    queue_arn                          = string
    batch_size                         = optional(number, 10)
    maximum_batching_window_in_seconds = optional(number, 0)
    enabled                            = optional(bool, true)
    report_batch_item_failures         = optional(bool, true)
    scaling_config = optional(object({
      maximum_concurrency = number
    }))
    filter_criteria = optional(object({
      filters = list(object({
        pattern = string
      }))
    }))
  })
  default = null

  validation {
    condition     = var.sqs_config == null ? true : can(regex("^arn:aws[a-zA-Z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}(\\.fifo)?$", var.sqs_config.queue_arn))
    error_message = "sqs_config.queue_arn must be an SQS queue ARN arn:aws:sqs:<region>:<account>:<queue> (got ${jsonencode(try(var.sqs_config.queue_arn, null))})."
  }

  validation {
    condition     = var.sqs_config == null ? true : var.sqs_config.batch_size >= 1 && var.sqs_config.batch_size <= 10000 && floor(var.sqs_config.batch_size) == var.sqs_config.batch_size
    error_message = "sqs_config.batch_size must be a whole number in 1-10000 (got ${try(var.sqs_config.batch_size, "null")})."
  }

  validation {
    # FIFO is told by the queue name; when the ARN is unknown until apply, AWS checks this at apply.
    condition     = var.sqs_config == null ? true : try(endswith(var.sqs_config.queue_arn, ".fifo"), false) ? var.sqs_config.batch_size <= 10 : true
    error_message = "sqs_config.batch_size must be 1-10 for FIFO queues (got ${try(var.sqs_config.batch_size, "null")})."
  }

  validation {
    condition     = var.sqs_config == null ? true : var.sqs_config.maximum_batching_window_in_seconds >= 0 && var.sqs_config.maximum_batching_window_in_seconds <= 300 && floor(var.sqs_config.maximum_batching_window_in_seconds) == var.sqs_config.maximum_batching_window_in_seconds
    error_message = "sqs_config.maximum_batching_window_in_seconds must be a whole number in 0-300 (got ${try(var.sqs_config.maximum_batching_window_in_seconds, "null")})."
  }

  validation {
    condition     = var.sqs_config == null ? true : var.sqs_config.batch_size <= 10 || var.sqs_config.maximum_batching_window_in_seconds >= 1
    error_message = "sqs_config.batch_size above 10 needs sqs_config.maximum_batching_window_in_seconds >= 1 (got batch_size ${try(var.sqs_config.batch_size, "null")}, window ${try(var.sqs_config.maximum_batching_window_in_seconds, "null")})."
  }

  validation {
    condition     = var.sqs_config == null ? true : try(endswith(var.sqs_config.queue_arn, ".fifo"), false) ? var.sqs_config.maximum_batching_window_in_seconds == 0 : true
    error_message = "sqs_config.maximum_batching_window_in_seconds must be 0 for FIFO queues: they support no batching window (got ${try(var.sqs_config.maximum_batching_window_in_seconds, "null")})."
  }

  validation {
    condition     = try(var.sqs_config.scaling_config.maximum_concurrency, null) == null ? true : var.sqs_config.scaling_config.maximum_concurrency >= 2 && floor(var.sqs_config.scaling_config.maximum_concurrency) == var.sqs_config.scaling_config.maximum_concurrency
    error_message = "sqs_config.scaling_config.maximum_concurrency must be a whole number >= 2 (got ${try(var.sqs_config.scaling_config.maximum_concurrency, "null")})."
  }

  validation {
    condition     = try(var.sqs_config.filter_criteria.filters, null) == null ? true : length(var.sqs_config.filter_criteria.filters) <= 5
    error_message = "sqs_config.filter_criteria.filters may hold at most 5 filters (got ${try(length(var.sqs_config.filter_criteria.filters), 0)})."
  }

  validation {
    condition     = try(var.sqs_config.filter_criteria.filters, null) == null ? true : alltrue([for f in var.sqs_config.filter_criteria.filters : can(keys(jsondecode(f.pattern)))])
    error_message = "sqs_config.filter_criteria.filters[*].pattern must be a JSON object, e.g. jsonencode({ body = { eventType = [\"CRITICAL\"] } }) (bad filters at indexes ${jsonencode(try([for i, f in var.sqs_config.filter_criteria.filters : i if !can(keys(jsondecode(f.pattern)))], []))})."
  }

  validation {
    condition     = try(var.sqs_config.filter_criteria.filters, null) == null ? true : alltrue([for f in var.sqs_config.filter_criteria.filters : try(length(f.pattern) <= 4096, false)])
    error_message = "sqs_config.filter_criteria.filters[*].pattern must be at most 4096 characters (got ${jsonencode(try([for f in var.sqs_config.filter_criteria.filters : length(f.pattern)], []))})."
  }
}

variable "sns_config" {
  description = "SNS triggers: a subscription and an invoke permission for each topic ARN."
  type = object({
    topic_arns = list(string)
  })
  default = null

  validation {
    condition     = var.sns_config == null ? true : length(coalesce(var.sns_config.topic_arns, [])) >= 1
    error_message = "sns_config.topic_arns must hold at least one topic ARN; set sns_config = null for no SNS trigger."
  }

  validation {
    condition     = var.sns_config == null ? true : alltrue([for arn in coalesce(var.sns_config.topic_arns, []) : can(regex("^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", arn))])
    error_message = "sns_config.topic_arns must be standard SNS topic ARNs arn:aws:sns:<region>:<account>:<topic>; Lambda cannot subscribe to FIFO topics (got ${jsonencode(try([for arn in var.sns_config.topic_arns : arn if !can(regex("^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", arn))], []))})."
  }

  validation {
    condition     = var.sns_config == null ? true : length(distinct(coalesce(var.sns_config.topic_arns, []))) == length(coalesce(var.sns_config.topic_arns, []))
    error_message = "sns_config.topic_arns must not repeat a topic (got ${jsonencode(try(var.sns_config.topic_arns, []))})."
  }
}

variable "eventbridge_config" {
  description = "EventBridge triggers: a target and an invoke permission for each rule ARN (default bus arn:...:rule/<name>, custom or partner bus arn:...:rule/<bus>/<name>)."
  type = object({
    rule_arns = list(string)
  })
  default = null

  validation {
    condition     = var.eventbridge_config == null ? true : length(coalesce(var.eventbridge_config.rule_arns, [])) >= 1
    error_message = "eventbridge_config.rule_arns must hold at least one rule ARN; set eventbridge_config = null for no EventBridge trigger."
  }

  validation {
    condition     = var.eventbridge_config == null ? true : alltrue([for arn in coalesce(var.eventbridge_config.rule_arns, []) : can(regex("^arn:aws[a-zA-Z-]*:events:[a-z0-9-]+:[0-9]{12}:rule/([A-Za-z0-9._-]+/)*[A-Za-z0-9._-]+$", arn))])
    error_message = "eventbridge_config.rule_arns must be rule ARNs arn:aws:events:<region>:<account>:rule/<name> or rule/<bus>/<name> (got ${jsonencode(try([for arn in var.eventbridge_config.rule_arns : arn if !can(regex("^arn:aws[a-zA-Z-]*:events:[a-z0-9-]+:[0-9]{12}:rule/([A-Za-z0-9._-]+/)*[A-Za-z0-9._-]+$", arn))], []))})."
  }

  validation {
    condition     = var.eventbridge_config == null ? true : length(distinct(coalesce(var.eventbridge_config.rule_arns, []))) == length(coalesce(var.eventbridge_config.rule_arns, []))
    error_message = "eventbridge_config.rule_arns must not repeat a rule (got ${jsonencode(try(var.eventbridge_config.rule_arns, []))})."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# Access to other services
# ---------------------------------------------------------------------------------------------------------------------

variable "dynamodb_config" {
  description = "DynamoDB tables the function reads and writes: GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan on each table and its indexes."
  type = object({
    table_arns = list(string)
  })
  default = null

  validation {
    condition     = var.dynamodb_config == null ? true : length(coalesce(var.dynamodb_config.table_arns, [])) >= 1
    error_message = "dynamodb_config.table_arns must hold at least one table ARN; set dynamodb_config = null for no DynamoDB access."
  }

  validation {
    condition     = var.dynamodb_config == null ? true : alltrue([for arn in coalesce(var.dynamodb_config.table_arns, []) : can(regex("^arn:aws[a-zA-Z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[A-Za-z0-9_.-]{3,255}$", arn))])
    error_message = "dynamodb_config.table_arns must be table ARNs arn:aws:dynamodb:<region>:<account>:table/<name> (got ${jsonencode(try([for arn in var.dynamodb_config.table_arns : arn if !can(regex("^arn:aws[a-zA-Z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[A-Za-z0-9_.-]{3,255}$", arn))], []))})."
  }
}

variable "s3_config" {
  description = "S3 buckets the function uses: GetObject, PutObject, DeleteObject on bucket/* and ListBucket on the bucket."
  type = object({
    bucket_arns = list(string)
  })
  default = null

  validation {
    condition     = var.s3_config == null ? true : length(coalesce(var.s3_config.bucket_arns, [])) >= 1
    error_message = "s3_config.bucket_arns must hold at least one bucket ARN; set s3_config = null for no S3 access."
  }

  validation {
    condition     = var.s3_config == null ? true : alltrue([for arn in coalesce(var.s3_config.bucket_arns, []) : can(regex("^arn:aws[a-zA-Z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", arn))])
    error_message = "s3_config.bucket_arns must be bucket ARNs arn:aws:s3:::<bucket>, without a key or /* (got ${jsonencode(try([for arn in var.s3_config.bucket_arns : arn if !can(regex("^arn:aws[a-zA-Z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", arn))], []))})."
  }
}

variable "additional_iam_policies" {
  description = "Extra IAM statements for the execution role, in IAM's own form: { Effect = \"Allow\" | \"Deny\" (default Allow), Action = [...], Resource = [...] }."
  type = list(object({
    Effect   = optional(string, "Allow")
    Action   = list(string)
    Resource = list(string)
  }))
  default  = []
  nullable = false

  validation {
    condition     = alltrue([for s in var.additional_iam_policies : contains(["Allow", "Deny"], s.Effect)])
    error_message = "additional_iam_policies[*].Effect must be \"Allow\" or \"Deny\" (got ${jsonencode([for s in var.additional_iam_policies : s.Effect])})."
  }

  validation {
    condition     = alltrue([for s in var.additional_iam_policies : length(coalesce(s.Action, [])) >= 1 && length(coalesce(s.Resource, [])) >= 1])
    error_message = "additional_iam_policies[*] must each name at least one Action and one Resource (empty at indexes ${jsonencode([for i, s in var.additional_iam_policies : i if length(coalesce(s.Action, [])) == 0 || length(coalesce(s.Resource, [])) == 0])})."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# Monitoring
# ---------------------------------------------------------------------------------------------------------------------

variable "enable_monitoring" {
  description = "Create the CloudWatch alarms (errors, duration, throttles; concurrency with monitoring_config.create_concurrency_alarm)."
  type        = bool
  default     = true
  nullable    = false
}

variable "monitoring_config" {
  description = "Alarm settings. error_threshold: errors per period (default 5 in 5 minutes); duration_threshold: ms, default 80% of the timeout; throttle_threshold: throttles per period (default 1); concurrent_executions_threshold: default 80% of reserved concurrency, else 800; period (s) and evaluation_periods shape every alarm."
  type = object({
    error_threshold                 = optional(number, 5)
    duration_threshold              = optional(number)
    throttle_threshold              = optional(number, 1)
    concurrent_executions_threshold = optional(number)
    create_concurrency_alarm        = optional(bool, false)
    alarm_actions                   = optional(list(string), [])
    ok_actions                      = optional(list(string), [])
    period                          = optional(number, 300)
    evaluation_periods              = optional(number, 1)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.monitoring_config.error_threshold >= 1
    error_message = "monitoring_config.error_threshold must be >= 1 error per period (got ${var.monitoring_config.error_threshold})."
  }

  validation {
    condition     = var.monitoring_config.duration_threshold == null ? true : var.monitoring_config.duration_threshold >= 1 && var.monitoring_config.duration_threshold <= 900000
    error_message = "monitoring_config.duration_threshold must be 1-900000 ms (got ${coalesce(var.monitoring_config.duration_threshold, 0)})."
  }

  validation {
    condition     = var.monitoring_config.throttle_threshold >= 1
    error_message = "monitoring_config.throttle_threshold must be >= 1 throttle per period (got ${var.monitoring_config.throttle_threshold})."
  }

  validation {
    condition     = var.monitoring_config.concurrent_executions_threshold == null ? true : var.monitoring_config.concurrent_executions_threshold >= 1
    error_message = "monitoring_config.concurrent_executions_threshold must be >= 1 (got ${coalesce(var.monitoring_config.concurrent_executions_threshold, 0)})."
  }

  validation {
    condition     = contains([10, 20, 30], var.monitoring_config.period) || (var.monitoring_config.period >= 60 && var.monitoring_config.period % 60 == 0)
    error_message = "monitoring_config.period must be 10, 20, 30 or a multiple of 60 seconds (got ${var.monitoring_config.period})."
  }

  validation {
    condition     = var.monitoring_config.evaluation_periods >= 1 && floor(var.monitoring_config.evaluation_periods) == var.monitoring_config.evaluation_periods && var.monitoring_config.period * var.monitoring_config.evaluation_periods <= (var.monitoring_config.period < 3600 ? 86400 : 604800)
    error_message = "monitoring_config.evaluation_periods must be a whole number >= 1 with period x evaluation_periods <= 86400 s (604800 s for periods of an hour or more) (got ${var.monitoring_config.evaluation_periods} x ${var.monitoring_config.period} s)."
  }

  validation {
    condition     = length(var.monitoring_config.alarm_actions) <= 5 && length(var.monitoring_config.ok_actions) <= 5
    error_message = "monitoring_config.alarm_actions and ok_actions may hold at most 5 ARNs each (got ${length(var.monitoring_config.alarm_actions)} and ${length(var.monitoring_config.ok_actions)})."
  }
}

variable "create_dashboard" {
  description = "Create a CloudWatch dashboard: Lambda metrics, the source queue's metrics when SQS is configured, and the latest 100 log entries."
  type        = bool
  default     = false
  nullable    = false
}

# ---------------------------------------------------------------------------------------------------------------------
# Tags
# ---------------------------------------------------------------------------------------------------------------------

variable "common_tags" {
  description = "Tags for every taggable resource, merged with Project, Environment and ManagedBy = \"terraform\" (those three win)."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for key in keys(var.common_tags) : !startswith(lower(key), "aws:") && length(key) <= 128])
    error_message = "common_tags keys must be at most 128 characters and must not start with the reserved prefix \"aws:\" (got ${jsonencode([for key in keys(var.common_tags) : key if startswith(lower(key), "aws:") || length(key) > 128])})."
  }

  validation {
    condition     = alltrue([for value in values(var.common_tags) : length(value) <= 256])
    error_message = "common_tags values must be at most 256 characters (too long for keys ${jsonencode([for key, value in var.common_tags : key if length(value) > 256])})."
  }
}
