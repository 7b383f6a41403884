# A multi-Region trail is created once per account, from any Region (its home Region is where you run this):
LOG_BUCKET=my-cloudtrail-logs  # an S3 bucket whose policy lets CloudTrail write to it
aws cloudtrail create-trail --name account-trail --s3-bucket-name "$LOG_BUCKET" --is-multi-region-trail --include-global-service-events --enable-log-file-validation
aws cloudtrail start-logging --name account-trail
