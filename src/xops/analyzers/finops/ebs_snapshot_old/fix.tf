resource "aws_dlm_lifecycle_policy" "ebs" {
  description        = "EBS snapshot retention"
  execution_role_arn = aws_iam_role.dlm.arn
  state              = "ENABLED"
  policy_details {
    resource_types = ["VOLUME"]
    target_tags    = { Backup = "true" }
    schedule {
      name = "daily"
      create_rule { interval = 24 }
      retain_rule { count = 14 }
    }
  }
}
