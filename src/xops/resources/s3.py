"""S3 buckets: listed once per account, each in its own region; per-bucket configuration as details
(called in the bucket's region)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xops.resources.base import Detail, Listing, Resource, Spec
from xops.resources.ops import Op

if TYPE_CHECKING:
    from xops.core.aws import Target
    from xops.resources.layer import Fetcher

# GetBucketLocation answers None (or "") for us-east-1 and "EU" for buckets created long ago in Ireland.
LEGACY_LOCATIONS: dict[str | None, str] = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}
GET_BUCKET_LOCATION = Op("s3", "get_bucket_location", fallback=True)


def bucket_region(raw: dict[str, Any], fetch: Fetcher, at: Target) -> str:
    """ListBuckets carries BucketRegion; older answers do not, then GetBucketLocation tells."""
    if raw.get("BucketRegion"):
        return str(raw["BucketRegion"])
    location = fetch.call(GET_BUCKET_LOCATION, at, Bucket=raw["Name"]).get("LocationConstraint")
    return LEGACY_LOCATIONS.get(location, str(location))


class Bucket(Resource):
    spec = Spec(
        type="AWS::S3::Bucket", noun="S3 bucket", id="Name", arn="arn:{partition}:s3:::{id}", scope="global",
        list=Listing(Op("s3", "list_buckets", "Buckets")),
        region_of=bucket_region, region_ops=(GET_BUCKET_LOCATION,),
        details={
            "encryption": Detail(
                Op("s3", "get_bucket_encryption", missing=("ServerSideEncryptionConfigurationNotFoundError",)),
                params=lambda b: {"Bucket": b.id},
                parse=lambda a: a.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])),
            "public_access_block": Detail(
                Op("s3", "get_public_access_block", missing=("NoSuchPublicAccessBlockConfiguration",)),
                params=lambda b: {"Bucket": b.id},
                parse=lambda a: a.get("PublicAccessBlockConfiguration", {})),
            "versioning": Detail(Op("s3", "get_bucket_versioning"), params=lambda b: {"Bucket": b.id}),
            "lifecycle": Detail(
                Op("s3", "get_bucket_lifecycle_configuration", missing=("NoSuchLifecycleConfiguration",)),
                params=lambda b: {"Bucket": b.id}, parse=lambda a: a.get("Rules", [])),
        },
    )
