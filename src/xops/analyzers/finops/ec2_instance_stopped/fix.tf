# Remove the aws_instance resource, keeping an image of it if needed:
resource "aws_ami_from_instance" "backup" {
  name               = "{resource_id}-backup"
  source_instance_id = "{resource_id}"
}
