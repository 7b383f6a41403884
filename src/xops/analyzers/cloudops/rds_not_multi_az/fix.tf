resource "aws_db_instance" "{resource_id}" {
  # ...
  multi_az = true
}
