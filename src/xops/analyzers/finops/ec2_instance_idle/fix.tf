resource "aws_instance" "this" {
  # ...
  instance_type = "t3.micro" # right-size
  # or remove the resource if the workload is gone
}
