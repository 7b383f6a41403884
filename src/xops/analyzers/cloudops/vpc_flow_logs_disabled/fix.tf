resource "aws_flow_log" "vpc" {
  vpc_id          = "{resource_id}"
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.flow.arn
  iam_role_arn    = aws_iam_role.flow_logs.arn
}
