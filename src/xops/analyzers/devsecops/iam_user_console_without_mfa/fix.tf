# MFA devices are registered by the user; deny everything without MFA:
resource "aws_iam_user_policy_attachment" "require_mfa" {
  user       = "{resource_id}"
  policy_arn = aws_iam_policy.deny_without_mfa.arn
}
