resource "aws_db_instance" "{resource_id}" {
  # ...
  storage_encrypted = true
  kms_key_id        = aws_kms_key.rds.arn
}
