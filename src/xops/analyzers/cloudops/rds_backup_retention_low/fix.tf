resource "aws_db_instance" "{resource_id}" {
  # ...
  backup_retention_period = 7
}
