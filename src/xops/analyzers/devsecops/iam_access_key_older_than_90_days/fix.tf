# Rotate by replacing the key resource (e.g. a new aws_iam_access_key with a rotation suffix),
# then remove the one that holds {resource_id}:
resource "aws_iam_access_key" "rotated" {
  user = "<user>"
}
