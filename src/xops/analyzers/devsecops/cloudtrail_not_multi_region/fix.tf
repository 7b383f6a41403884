resource "aws_cloudtrail" "account" {
  name                          = "account-trail"
  s3_bucket_name                = "<log-bucket>"
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  enable_logging                = true
}
