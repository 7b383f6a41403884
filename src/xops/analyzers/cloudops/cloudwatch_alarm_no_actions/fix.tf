resource "aws_cloudwatch_metric_alarm" "this" {
  alarm_name = "{resource_id}"
  # ...
  actions_enabled = true
  alarm_actions   = [aws_sns_topic.ops.arn]
}
