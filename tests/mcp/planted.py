"""Three planted issues, one per pillar, that the MCP tests expect the tools to find."""

from __future__ import annotations

from tests.harness.aws import SandboxAws
from xops.mcp.tools import GENERIC_DESCRIPTIONS, direct_analyzers, tool_name

CASES = {  # tool -> analyzer id
    "finops_ebs_volume_unattached": "finops.ebs_volume_unattached",
    "cloudops_s3_bucket_versioning_disabled": "cloudops.s3_bucket_versioning_disabled",
    "devsecops_ebs_volume_unencrypted": "devsecops.ebs_volume_unencrypted",
}


GENERIC = set(GENERIC_DESCRIPTIONS)


def server_tools(server: str) -> set[str]:
    """What a server lists: its featured analyzers as tools of their own, and the generic tools."""
    return {tool_name(a.meta.id) for a in direct_analyzers(server)} | GENERIC


def plant(sandbox_aws: SandboxAws) -> dict[str, set[str]]:
    """Create the resources; returns tool name -> resource ids it must report as FAIL."""
    ec2 = sandbox_aws.client("ec2")
    az = f"{sandbox_aws.region}a"
    loose = ec2.create_volume(Size=100, AvailabilityZone=az, VolumeType="gp3", Encrypted=True)["VolumeId"]
    plain = ec2.create_volume(Size=8, AvailabilityZone=az, VolumeType="gp3", Encrypted=False)["VolumeId"]
    sandbox_aws.client("s3").create_bucket(
        Bucket="mcp-unversioned", CreateBucketConfiguration={"LocationConstraint": sandbox_aws.region})
    return {
        "finops_ebs_volume_unattached": {loose, plain},
        "cloudops_s3_bucket_versioning_disabled": {"mcp-unversioned"},
        "devsecops_ebs_volume_unencrypted": {plain},
    }
