# Alarms (keyed by kind) and the dashboard.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  project_name  = "analytics"
  environment   = "prod"
  function_name = "data-processor"
  filename      = "data.zip"
}

run "default_alarms" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["errors"].threshold == 5 && aws_cloudwatch_metric_alarm.this["errors"].period == 300 && aws_cloudwatch_metric_alarm.this["errors"].statistic == "Sum"
    error_message = "errors: 5 in 5 minutes"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["duration"].threshold == 48000 && aws_cloudwatch_metric_alarm.this["duration"].statistic == "Maximum"
    error_message = "duration: 80% of the 60 s timeout by default"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["throttles"].threshold == 1 && aws_cloudwatch_metric_alarm.this["throttles"].metric_name == "Throttles"
    error_message = "throttles: any throttle"
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.namespace == "AWS/Lambda" && a.dimensions == tomap({ FunctionName = "analytics-prod-data-processor" })])
    error_message = "MET-1: AWS/Lambda metrics of this function"
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.treat_missing_data == "notBreaching" && a.comparison_operator == "GreaterThanOrEqualToThreshold"])
    error_message = "ALM-11: event-driven metrics treat missing data as notBreaching"
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : length(a.alarm_actions) == 0 && length(a.ok_actions) == 0])
    error_message = "no actions unless configured"
  }
}

run "configured_thresholds_actions_and_concurrency_alarm" {
  command = plan

  variables {
    timeout                        = 900
    reserved_concurrent_executions = 100
    monitoring_config = {
      error_threshold                 = 10
      duration_threshold              = 300000
      throttle_threshold              = 3
      concurrent_executions_threshold = 80
      create_concurrency_alarm        = true
      alarm_actions                   = ["arn:aws:sns:us-east-1:123456789012:performance-alerts"]
      ok_actions                      = ["arn:aws:sns:us-east-1:123456789012:performance-ok"]
      period                          = 60
      evaluation_periods              = 3
    }
  }

  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.this) == ["concurrency", "duration", "errors", "throttles"]
    error_message = "create_concurrency_alarm adds the concurrency alarm"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["concurrency"].metric_name == "ConcurrentExecutions" && aws_cloudwatch_metric_alarm.this["concurrency"].threshold == 80 && aws_cloudwatch_metric_alarm.this["concurrency"].statistic == "Maximum"
    error_message = "concurrency alarm threshold"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["errors"].threshold == 10 && aws_cloudwatch_metric_alarm.this["duration"].threshold == 300000 && aws_cloudwatch_metric_alarm.this["throttles"].threshold == 3
    error_message = "configured thresholds"
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.period == 60 && a.evaluation_periods == 3])
    error_message = "period and evaluation periods apply to every alarm"
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:performance-alerts"]) && a.ok_actions == toset(["arn:aws:sns:us-east-1:123456789012:performance-ok"])])
    error_message = "alarm and OK actions on every alarm"
  }
}

run "concurrency_threshold_defaults_to_80_percent_of_reserved" {
  command = plan

  variables {
    reserved_concurrent_executions = 50
    monitoring_config              = { create_concurrency_alarm = true }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["concurrency"].threshold == 40
    error_message = "80% of reserved concurrency"
  }
}

run "concurrency_threshold_defaults_to_800_without_reservation" {
  command = plan

  variables {
    monitoring_config = { create_concurrency_alarm = true }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["concurrency"].threshold == 800
    error_message = "80% of the default account limit of 1,000"
  }
}

run "duration_threshold_follows_the_timeout" {
  command = plan

  variables {
    timeout = 300
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["duration"].threshold == 240000
    error_message = "80% of 300 s"
  }
}

run "monitoring_off_creates_no_alarms" {
  command = apply

  variables {
    enable_monitoring = false
    monitoring_config = { create_concurrency_alarm = true }
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 0
    error_message = "no alarms"
  }
  assert {
    condition     = output.cloudwatch_alarms == {}
    error_message = "cloudwatch_alarms is an empty map"
  }
}

run "dashboard_without_sqs" {
  command = plan

  variables {
    create_dashboard = true
  }

  assert {
    condition     = aws_cloudwatch_dashboard.this[0].dashboard_name == "analytics-prod-data-processor"
    error_message = "dashboard named after the function"
  }
  assert {
    condition     = [for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w.properties.metrics[0][1] if w.type == "metric"] == ["Invocations", "Errors", "Duration", "Throttles", "ConcurrentExecutions"]
    error_message = "DSH-3: one metric widget per Lambda metric"
  }
  assert {
    condition     = alltrue([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w.properties.metrics[0][0] == "AWS/Lambda" && w.properties.metrics[0][3] == "analytics-prod-data-processor" && w.properties.region == "us-east-1" if w.type == "metric"])
    error_message = "Lambda widgets show this function's metrics in the current region"
  }
  assert {
    condition     = one([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w.properties.query if w.type == "log"]) == "SOURCE '/aws/lambda/analytics-prod-data-processor' | fields @timestamp, @message | sort @timestamp desc | limit 100"
    error_message = "DSH-4: log widget with the latest 100 entries"
  }
  assert {
    condition     = length([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][0], "") == "AWS/SQS"]) == 0
    error_message = "no queue widgets without SQS"
  }
}

run "dashboard_with_sqs_shows_the_source_queue" {
  command = plan

  variables {
    create_dashboard = true
    sqs_config       = { queue_arn = "arn:aws:sqs:us-east-1:123456789012:data-queue" }
  }

  assert {
    condition     = length([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if try(w.properties.metrics[0][0], "") == "AWS/SQS"]) == 3
    error_message = "three queue widgets"
  }
  assert {
    condition = toset(flatten([
      for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : [for m in w.properties.metrics : m[1]] if try(w.properties.metrics[0][0], "") == "AWS/SQS"
      ])) == toset([
      "ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible", "ApproximateAgeOfOldestMessage",
      "NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted",
    ])
    error_message = "MET-10: queue depth, age and throughput"
  }
  assert {
    condition     = alltrue([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : alltrue([for m in w.properties.metrics : m[2] == "QueueName" && m[3] == "data-queue"]) if try(w.properties.metrics[0][0], "") == "AWS/SQS"])
    error_message = "queue widgets use the QueueName dimension parsed from the ARN"
  }
}

run "dashboard_name_output_after_apply" {
  command = apply

  variables {
    create_dashboard = true
  }

  assert {
    condition     = output.dashboard_name == "analytics-prod-data-processor"
    error_message = "dashboard_name output"
  }
}
