resource "aws_db_instance" "{resource_id}" {
  # ...
  publicly_accessible = false
}
