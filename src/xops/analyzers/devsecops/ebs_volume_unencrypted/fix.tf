resource "aws_ebs_volume" "data" {
  availability_zone = "{region}a"
  size              = 100
  encrypted         = true
}

resource "aws_ebs_encryption_by_default" "on" {
  enabled = true
}
