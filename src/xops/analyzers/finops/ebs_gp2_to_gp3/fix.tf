resource "aws_ebs_volume" "this" {
  # ...
  type = "gp3"
}
