# Remove aws_iam_user_policy_attachment / aws_iam_user_policy granting "*" to {resource_id};
# grant admin through an assumable role instead:
resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
