resource "aws_cloudwatch_log_group" "this" {
  name              = "{resource_id}"
  retention_in_days = 90
}
