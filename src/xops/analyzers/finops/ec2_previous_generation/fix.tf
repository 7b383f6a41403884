resource "aws_instance" "this" {
  # ...
  instance_type = "m5.large" # the suggested successor
}
