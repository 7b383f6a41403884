resource "aws_s3_bucket_versioning" "this" {
  bucket = "{resource_id}"
  versioning_configuration {
    status = "Enabled"
  }
}
