"""Compute domain (FinOps analyzers) of the demo estate: EC2 instances, EBS volumes and snapshots, VPC, Elastic IPs, NAT
gateways, and the CloudWatch metrics of instances. Plants issues for the FinOps analyzers
that read these."""

from __future__ import annotations

from xops.pricing.book import PriceBook
from xops.sandbox.estate.base import Estate

PRICES = PriceBook()  # the offline table: the sandbox never answers the Pricing API


def plant(estate: Estate) -> None:
    for account in estate.accounts:
        for region in estate.regions:
            plant_volumes(estate, account, region)


def plant_volumes(estate: Estate, account: str, region: str) -> None:
    for _ in range(estate.count(2)):
        size = estate.rng.choice([20, 50, 100, 500])
        vtype = estate.rng.choice(["gp3", "st1"])
        vid = estate.create_volume(account, region, size, vtype)
        usd = size * PRICES.ebs_gb_month(region, vtype).usd
        estate.issue("finops.ebs_volume_unattached", account, region, vid, usd, note=f"{size} GiB {vtype} available")
