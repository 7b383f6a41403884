# Remove the aws_ebs_volume resource (keep an aws_ebs_snapshot of it if needed):
resource "aws_ebs_snapshot" "keep" {
  volume_id = "{resource_id}"
}
