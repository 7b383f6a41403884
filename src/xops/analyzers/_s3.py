"""Shared by the S3 bucket analyzers of every pillar: the account's buckets in scope, each with its real
region, and per-bucket reads made in the bucket's own region (one cached call per bucket and scan, whichever
analyzers need it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from xops.core.aws import AwsContext, Target

# GetBucketLocation answers None (or "") for us-east-1 and "EU" for buckets created long ago in Ireland.
LEGACY_LOCATIONS = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}
PERMISSIONS = ("s3:ListAllMyBuckets", "s3:GetBucketLocation")


@dataclass(frozen=True)
class Bucket:
    name: str
    region: str
    arn: str

    def target(self, at: Target) -> Target:
        return Target(at.account_id, self.region)


def buckets(aws: AwsContext, at: Target) -> list[Bucket]:
    """The account's buckets whose region is in the scan (all of them when the scan has no region list)."""
    found = []
    for b in aws.inventory.list(at, "s3", "list_buckets", "Buckets"):
        name = b["Name"]
        region = b.get("BucketRegion")
        if not region:
            loc = aws.inventory.call(at, "s3", "get_bucket_location", Bucket=name).get("LocationConstraint")
            region = LEGACY_LOCATIONS.get(loc, loc)
        if aws.scan_regions and region not in aws.scan_regions:
            continue
        found.append(Bucket(name, str(region), f"arn:{aws.partition}:s3:::{name}"))
    return found


def bucket_call(aws: AwsContext, at: Target, bucket: Bucket, operation: str, missing: str) -> dict[str, Any] | None:
    """One per-bucket read in the bucket's region; None when AWS answers `missing` (nothing configured)."""
    try:
        return aws.inventory.call(bucket.target(at), "s3", operation, Bucket=bucket.name)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == missing:
            return None
        raise
