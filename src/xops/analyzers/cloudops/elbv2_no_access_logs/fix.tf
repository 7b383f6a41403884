resource "aws_lb" "{resource_id}" {
  # ...
  access_logs {
    bucket  = aws_s3_bucket.elb_logs.id
    prefix  = "{resource_id}"
    enabled = true
  }
}
