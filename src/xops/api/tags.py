"""The cost centre of each finding's resource, from its tag (key configurable, default `cost-centre`).

Two reads per account and region, cached by the scan's inventory: the Resource Groups Tagging API
(every taggable service, by ARN) and ec2:DescribeTags (EC2 ids, for findings that carry no ARN).
A resource whose tag cannot be read has no cost centre: only admins see it (ABAC fails closed).
"""

from __future__ import annotations

from xops.core.aws import AwsContext, Target
from xops.core.models import GLOBAL_REGION, Finding


def _tag_maps(aws: AwsContext, at: Target, tag_key: str) -> tuple[dict[str, str], dict[str, str]]:
    by_arn: dict[str, str] = {}
    by_id: dict[str, str] = {}
    try:
        for r in aws.inventory.list(at, "resourcegroupstaggingapi", "get_resources", "ResourceTagMappingList",
                                    TagFilters=[{"Key": tag_key}]):
            for t in r.get("Tags", []):
                if t.get("Key") == tag_key:
                    by_arn[r["ResourceARN"]] = t.get("Value", "")
    except Exception:  # noqa: BLE001  # nosec B110 # unreadable tags mean "no cost centre", never a failed step
        pass
    if at.region != GLOBAL_REGION:
        try:
            for t in aws.inventory.list(at, "ec2", "describe_tags", "Tags",
                                        Filters=[{"Name": "key", "Values": [tag_key]}]):
                by_id[t["ResourceId"]] = t.get("Value", "")
        except Exception:  # noqa: BLE001  # nosec B110 # as above
            pass
    return by_arn, by_id


def cost_centres(aws: AwsContext, findings: list[Finding], tag_key: str) -> list[str | None]:
    """One cost centre (or None) per finding, in order."""
    maps: dict[Target, tuple[dict[str, str], dict[str, str]]] = {}
    out: list[str | None] = []
    for f in findings:
        if not f.resource_id:
            out.append(None)
            continue
        region = f.region if f.region != GLOBAL_REGION else aws.home_region
        at = Target(f.account_id, region)
        if at not in maps:
            maps[at] = _tag_maps(aws, at, tag_key)
        by_arn, by_id = maps[at]
        value = by_arn.get(f.resource_arn) if f.resource_arn else None
        if value is None:
            value = by_id.get(f.resource_id)
        if value is None:
            value = next((v for arn, v in by_arn.items()
                          if arn.endswith((f":{f.resource_id}", f"/{f.resource_id}"))), None)
        out.append(value or None)
    return out
