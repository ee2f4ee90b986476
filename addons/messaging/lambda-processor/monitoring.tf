# =====================================================================================================================
# Monitoring: alarms keyed by kind and an optional dashboard.
# =====================================================================================================================

# ---------------------------------------------------------------------------------------------------------------------
# Alarms. Lambda publishes these metrics only while the function runs, so a quiet period has no datapoints;
# notBreaching keeps an idle function OK instead of INSUFFICIENT_DATA (aws-semantics ALM-11).
# ---------------------------------------------------------------------------------------------------------------------

locals {
  alarm_definitions = {
    errors = {
      metric_name = "Errors"
      statistic   = "Sum"
      threshold   = var.monitoring_config.error_threshold
      description = "Errors (exceptions, timeouts) reached ${var.monitoring_config.error_threshold} in ${var.monitoring_config.period} s."
    }
    duration = {
      metric_name = "Duration"
      statistic   = "Maximum"
      threshold   = local.duration_threshold_ms
      description = "An invocation ran ${local.duration_threshold_ms} ms or longer (timeout ${var.timeout * 1000} ms)."
    }
    throttles = {
      metric_name = "Throttles"
      statistic   = "Sum"
      threshold   = var.monitoring_config.throttle_threshold
      description = "Throttled invocations reached ${var.monitoring_config.throttle_threshold} in ${var.monitoring_config.period} s."
    }
    concurrency = {
      metric_name = "ConcurrentExecutions"
      statistic   = "Maximum"
      threshold   = local.concurrent_executions_threshold
      description = "Concurrent executions reached ${local.concurrent_executions_threshold}."
    }
  }

  alarms = var.enable_monitoring ? {
    for kind, alarm in local.alarm_definitions : kind => alarm
    if kind != "concurrency" || var.monitoring_config.create_concurrency_alarm
  } : {}
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name        = "${local.name}-${each.key}"
  alarm_description = each.value.description

  namespace   = "AWS/Lambda"
  metric_name = each.value.metric_name
  dimensions = {
    FunctionName = aws_lambda_function.this.function_name
  }
  statistic           = each.value.statistic
  period              = var.monitoring_config.period
  evaluation_periods  = var.monitoring_config.evaluation_periods
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"

  alarm_actions = var.monitoring_config.alarm_actions
  ok_actions    = var.monitoring_config.ok_actions

  tags = local.tags
}

# ---------------------------------------------------------------------------------------------------------------------
# Dashboard: one widget per Lambda metric, the source queue's metrics when SQS is configured, the latest logs.
# ---------------------------------------------------------------------------------------------------------------------

locals {
  lambda_metric_widgets = [
    for index, metric in [
      { name = "Invocations", title = "Invocations", stats = ["Sum"] },
      { name = "Errors", title = "Errors", stats = ["Sum"] },
      { name = "Duration", title = "Duration (ms)", stats = ["Average", "Maximum"] },
      { name = "Throttles", title = "Throttles", stats = ["Sum"] },
      { name = "ConcurrentExecutions", title = "Concurrent executions", stats = ["Maximum"] },
      ] : {
      type   = "metric"
      x      = (index % 3) * 8
      y      = floor(index / 3) * 6
      width  = 8
      height = 6
      properties = {
        title   = metric.title
        region  = local.region
        view    = "timeSeries"
        stacked = false
        period  = 60
        metrics = [for stat in metric.stats : ["AWS/Lambda", metric.name, "FunctionName", local.name, { stat = stat, label = "${metric.name} ${stat}" }]]
      }
    }
  ]

  sqs_metric_widgets = local.sqs_enabled ? [
    for index, group in [
      { title = "Queue depth", stat = "Maximum", metrics = ["ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible"] },
      { title = "Age of oldest message (s)", stat = "Maximum", metrics = ["ApproximateAgeOfOldestMessage"] },
      { title = "Queue throughput", stat = "Sum", metrics = ["NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted"] },
      ] : {
      type   = "metric"
      x      = index * 8
      y      = 12
      width  = 8
      height = 6
      properties = {
        title   = group.title
        region  = local.region
        view    = "timeSeries"
        stacked = false
        period  = 60
        metrics = [for metric in group.metrics : ["AWS/SQS", metric, "QueueName", local.sqs_queue_name, { stat = group.stat }]]
      }
    }
  ] : []

  log_widget = {
    type   = "log"
    x      = 0
    y      = local.sqs_enabled ? 18 : 12
    width  = 24
    height = 6
    properties = {
      title  = "Latest log entries"
      region = local.region
      view   = "table"
      query  = "SOURCE '${local.log_group_name}' | fields @timestamp, @message | sort @timestamp desc | limit 100"
    }
  }

  dashboard_body = jsonencode({
    widgets = concat(local.lambda_metric_widgets, local.sqs_metric_widgets, [local.log_widget])
  })
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.create_dashboard ? 1 : 0

  dashboard_name = local.name
  dashboard_body = local.dashboard_body
}
