resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = "{resource_id}"
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}
