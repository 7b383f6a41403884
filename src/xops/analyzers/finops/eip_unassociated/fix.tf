# Remove the unused aws_eip resource, or associate it:
resource "aws_eip_association" "this" {
  allocation_id = "{resource_id}"
  instance_id   = aws_instance.this.id
}
