# Remove the aws_lb "{resource_id}" resource with its listeners and aws_lb_target_group resources, or register targets:
resource "aws_lb_target_group_attachment" "app" {
  target_group_arn = aws_lb_target_group.app.arn
  target_id        = aws_instance.app.id
}
