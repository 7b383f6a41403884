resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = "{resource_id}"
  rule {
    id     = "xops-baseline"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
    noncurrent_version_expiration {
      noncurrent_days = 90
    }
    transition {
      days          = 30
      storage_class = "INTELLIGENT_TIERING"
    }
  }
}
