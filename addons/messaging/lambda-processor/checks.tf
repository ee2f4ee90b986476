# =====================================================================================================================
# Warnings: configurations AWS accepts but that probably do not do what the author meant.
# A failing `check` is reported as a warning by plan and apply; it never blocks them.
# =====================================================================================================================

# ---------------------------------------------------------------------------------------------------------------------
# Runtime
# ---------------------------------------------------------------------------------------------------------------------

check "runtime_not_deprecated" {
  assert {
    condition     = local.runtime == null ? true : !contains(local.deprecated_runtimes, local.runtime)
    error_message = "runtime ${coalesce(local.runtime, "-")} is deprecated since ${lookup(local.lambda_runtime_deprecation_dates, coalesce(local.runtime, "-"), "-")}: AWS no longer patches it and blocks creating, then updating, functions on it 30 and 60 days later. Move to a supported runtime (e.g. python3.13, nodejs22.x)."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# SQS scaling
# ---------------------------------------------------------------------------------------------------------------------

check "sqs_maximum_concurrency_within_aws_limit" {
  assert {
    condition     = local.sqs_maximum_concurrency == null ? true : local.sqs_maximum_concurrency <= 1000
    error_message = "sqs_config.scaling_config.maximum_concurrency is ${coalesce(local.sqs_maximum_concurrency, 0)}: AWS documents 2-1000 per event source mapping, so the mapping may be refused at apply. Use 1000 or less."
  }
}

check "sqs_maximum_concurrency_within_reserved_concurrency" {
  assert {
    condition     = local.sqs_maximum_concurrency == null || var.reserved_concurrent_executions < 0 ? true : local.sqs_maximum_concurrency <= var.reserved_concurrent_executions
    error_message = "sqs_config.scaling_config.maximum_concurrency (${coalesce(local.sqs_maximum_concurrency, 0)}) is above reserved_concurrent_executions (${var.reserved_concurrent_executions}): the extra pollers only cause throttles, and throttled batches still use up receives and can reach the DLQ. Keep maximum_concurrency <= reserved concurrency."
  }
}

check "sqs_reserved_concurrency_at_least_five" {
  assert {
    condition     = !local.sqs_enabled || var.reserved_concurrent_executions < 1 || var.reserved_concurrent_executions >= 5
    error_message = "reserved_concurrent_executions is ${var.reserved_concurrent_executions} with an SQS trigger: Lambda starts with 5 concurrent pollers, so fewer than 5 reserved executions causes throttling. Reserve at least 5."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# SQS filters
# ---------------------------------------------------------------------------------------------------------------------

check "sqs_filter_keys_are_record_fields" {
  assert {
    condition = alltrue([
      for filter in local.sqs_filters :
      try(length(setsubtract(keys(jsondecode(filter.pattern)), local.sqs_record_fields)) == 0, true)
    ])
    error_message = "sqs_config.filter_criteria filters on ${jsonencode(distinct(flatten([for filter in local.sqs_filters : try(tolist(setsubtract(keys(jsondecode(filter.pattern)), local.sqs_record_fields)), [])])))}, which are not SQS record fields a filter can match (${join(", ", local.sqs_record_fields)}). Lambda matches patterns against the record, not the message body, so this filter matches nothing and every message is deleted. Wrap body fields: jsonencode({ body = { eventType = [...] } })."
  }
}

check "sqs_filters_delete_unmatched_messages" {
  assert {
    condition     = length(local.sqs_filters) == 0
    error_message = "sqs_config.filter_criteria is set: Lambda deletes every message that matches no filter, without invoking the function and without sending it to the queue's DLQ. Make sure the filters cover every message you want to keep."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# Error handling
# ---------------------------------------------------------------------------------------------------------------------

check "dead_letter_queue_has_async_trigger" {
  assert {
    # Decided by the triggers first: `arn == null` is unknown while the DLQ is being created, and only matters for
    # an SQS-only function.
    condition     = local.sqs_enabled && length(local.sns_topic_arns) == 0 && length(local.eventbridge_rules) == 0 ? var.dead_letter_queue_arn == null : true
    error_message = "dead_letter_queue_arn is set but the only trigger is SQS: a function DLQ only receives failed asynchronous invocations (SNS, EventBridge, Invoke with InvocationType=Event). Messages from an SQS trigger reach a DLQ through the source queue's redrive policy (maxReceiveCount >= 5)."
  }
}

# ---------------------------------------------------------------------------------------------------------------------
# Alarms that could never fire
# ---------------------------------------------------------------------------------------------------------------------

check "duration_threshold_within_timeout" {
  assert {
    condition     = !var.enable_monitoring || local.duration_threshold_ms <= var.timeout * 1000
    error_message = "monitoring_config.duration_threshold (${local.duration_threshold_ms} ms) is above the function timeout (${var.timeout * 1000} ms): no invocation can run that long, so the duration alarm never fires."
  }
}

check "concurrency_threshold_within_reserved_concurrency" {
  assert {
    condition     = !var.enable_monitoring || !var.monitoring_config.create_concurrency_alarm || var.reserved_concurrent_executions < 1 || local.concurrent_executions_threshold <= var.reserved_concurrent_executions
    error_message = "monitoring_config.concurrent_executions_threshold (${local.concurrent_executions_threshold}) is above reserved_concurrent_executions (${var.reserved_concurrent_executions}): concurrency cannot exceed the reservation, so the concurrency alarm never fires."
  }
}
