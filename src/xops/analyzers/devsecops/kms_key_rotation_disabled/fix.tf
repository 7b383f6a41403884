resource "aws_kms_key" "this" {
  # ... existing settings of {resource_id}
  enable_key_rotation     = true
  rotation_period_in_days = 365
}
