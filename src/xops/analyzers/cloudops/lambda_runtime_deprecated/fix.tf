resource "aws_lambda_function" "{resource_id}" {
  # ...
  runtime = "python3.13"
}
