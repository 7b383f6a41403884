from xops.sandbox.estate.base import Plot
from xops.sandbox.estate.build import policy

GLOBAL = "global"


def plant(plot: Plot) -> None:
    """The management account has a logging multi-Region trail; the member one a single-Region trail, a
    stopped multi-Region trail, or none."""
    for account in plot.accounts:
        place = plot.place(account, plot.home_region)
        bucket = place.bucket("cloudtrail-logs")
        place.client("s3").put_bucket_policy(Bucket=bucket, Policy=policy(
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{bucket}"},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{account}/*",
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}))
        ct = place.client("cloudtrail")
        if account == plot.management:
            ct.create_trail(Name="account-audit", S3BucketName=bucket, IsMultiRegionTrail=True,
                            IncludeGlobalServiceEvents=True, EnableLogFileValidation=True, TagsList=place.tags())
            ct.start_logging(Name="account-audit")
            plot.good(account, GLOBAL, account, "multi-Region trail account-audit logging")
            continue
        variant = plot.rng.choice(["single-region", "stopped", "none"])
        if variant == "single-region":
            ct.create_trail(Name="local-audit", S3BucketName=bucket, IsMultiRegionTrail=False, TagsList=place.tags())
            ct.start_logging(Name="local-audit")
        elif variant == "stopped":
            ct.create_trail(Name="account-audit", S3BucketName=bucket, IsMultiRegionTrail=True, TagsList=place.tags())
        plot.bad(account, GLOBAL, account, f"trail: {variant}")
