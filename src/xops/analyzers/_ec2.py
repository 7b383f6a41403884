"""Shared by the EC2 instance analyzers of every pillar: the live instances of one account and region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from xops.core.aws import AwsContext, Target

GONE = frozenset({"terminated", "shutting-down"})
PERMISSIONS = ("ec2:DescribeInstances",)


def instances(aws: AwsContext, at: Target) -> Iterator[tuple[dict[str, Any], str]]:
    """Each instance that is not terminated or shutting down, with its ARN (one shared DescribeInstances)."""
    for res in aws.inventory.list(at, "ec2", "describe_instances", "Reservations"):
        for inst in res.get("Instances", []):
            if inst.get("State", {}).get("Name", "") not in GONE:
                yield inst, f"arn:{aws.partition}:ec2:{at.region}:{at.account_id}:instance/{inst['InstanceId']}"
