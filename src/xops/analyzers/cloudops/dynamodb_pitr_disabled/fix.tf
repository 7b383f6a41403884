resource "aws_dynamodb_table" "this" {
  name = "{resource_id}"
  # ...
  point_in_time_recovery {
    enabled = true
  }
}
