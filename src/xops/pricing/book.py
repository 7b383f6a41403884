"""Prices for FinOps findings: the AWS Pricing API when it answers, else the offline table in prices.json.

Every price is a `Quote` that says where it came from, so a finding's evidence shows the arithmetic:
`100 GiB × $0.08/GB-month (table 2026-11-27, us-east-1) = $8.00/month`.
Set XOPS_PRICING=offline to never call the Pricing API (it is tried once per scan otherwise; the first
failure switches the scan to the table).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from botocore.config import Config

if TYPE_CHECKING:
    from xops.core.aws import AwsContext

FALLBACK_REGION = "us-east-1"
# Pricing API "location" names, for the regions we price.
LOCATIONS = {
    "us-east-1": "US East (N. Virginia)",
    "eu-west-1": "EU (Ireland)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
}
EBS_API_NAMES = {"gp2": "gp2", "gp3": "gp3", "io1": "io1", "io2": "io2", "st1": "st1", "sc1": "sc1", "standard": "standard"}


@dataclass(frozen=True)
class Quote:
    usd: float
    unit: str  # "GB-month", "hour"
    source: str  # "pricing-api" or "table 2026-11-27"
    region: str  # the region the price is for (may be the fallback region)

    def describe(self) -> str:
        return f"${self.usd:g}/{self.unit} ({self.source}, {self.region})"

    def times(self, quantity: float, label: str) -> Cost:
        """A monthly cost: `quantity` units at this price, e.g. quote.times(100, "GiB") ->
        100 GiB × $0.096/GB-month (table 2026-11-27, ap-southeast-2) = $9.60/month."""
        usd = quantity * self.usd
        return Cost(usd, f"{quantity:g} {label} × {self.describe()} = ${usd:,.2f}/month")


@dataclass(frozen=True)
class Cost:
    """A monthly amount in USD with the arithmetic that produced it (kept in the finding's evidence)."""

    usd: float
    arithmetic: str

    def __str__(self) -> str:
        return f"${self.usd:,.2f}/month"


@cache
def table() -> dict[str, Any]:
    return json.loads(resources.files("xops.pricing").joinpath("prices.json").read_text())


class PriceBook:
    def __init__(self, aws: AwsContext | None = None) -> None:
        self._aws = aws
        self._lock = threading.Lock()
        self._api_ok: bool | None = None if os.environ.get("XOPS_PRICING", "auto") != "offline" else False
        self._api_cache: dict[tuple[str, ...], float | None] = {}

    @property
    def hours_per_month(self) -> int:
        return int(table()["hours_per_month"])

    # -- prices analyzers use ------------------------------------------------------------------------
    def ebs_gb_month(self, region: str, volume_type: str) -> Quote:
        api = self._api_price(
            ("ebs", region, volume_type),
            "AmazonEC2",
            {"productFamily": "Storage", "volumeApiName": EBS_API_NAMES.get(volume_type, volume_type)},
            region,
        )
        if api is not None:
            return Quote(api, "GB-month", "pricing-api", region)
        return self._table_quote("ebs_gb_month", region, volume_type, "GB-month")

    def ebs_snapshot_gb_month(self, region: str) -> Quote:
        return self._table_quote("ebs_snapshot_gb_month", region, None, "GB-month")

    def public_ipv4_hour(self, region: str) -> Quote:
        return self._table_quote("public_ipv4_hour", region, None, "hour")

    def nat_gateway_hour(self, region: str) -> Quote:
        return self._table_quote("nat_gateway_hour", region, None, "hour")

    def elb_hour(self, region: str, kind: str) -> Quote:
        return self._table_quote("elb_hour", region, kind, "hour")

    def ec2_hour(self, region: str, instance_type: str) -> Quote | None:
        """On-demand Linux price; None when the type is in neither the API nor the table."""
        api = self._api_price(
            ("ec2", region, instance_type),
            "AmazonEC2",
            {"instanceType": instance_type, "operatingSystem": "Linux", "tenancy": "Shared",
             "preInstalledSw": "NA", "capacitystatus": "Used"},
            region,
        )
        if api is not None:
            return Quote(api, "hour", "pricing-api", region)
        try:
            return self._table_quote("ec2_hour", region, instance_type, "hour")
        except KeyError:
            return None

    def rds_storage_gb_month(self, region: str, storage_type: str) -> Quote:
        return self._table_quote("rds_storage_gb_month", region, storage_type, "GB-month")

    def cw_logs_stored_gb_month(self, region: str) -> Quote:
        return self._table_quote("cw_logs_stored_gb_month", region, None, "GB-month")

    # -- sources ---------------------------------------------------------------------------------------
    def _table_quote(self, kind: str, region: str, item: str | None, unit: str) -> Quote:
        data = table()
        by_region = data[kind]
        used = region if region in by_region else FALLBACK_REGION
        value = by_region[used] if item is None else by_region[used][item]
        source = f"table {data['retrieved']}" + ("" if used == region else f", {region} not in table")
        return Quote(float(value), unit, source, used)

    def _api_price(self, key: tuple[str, ...], service_code: str, filters: dict[str, str], region: str) -> float | None:
        if self._api_ok is False or self._aws is None or region not in LOCATIONS:
            return None
        with self._lock:
            if key in self._api_cache:
                return self._api_cache[key]
            if self._api_ok is False:
                return None
            try:
                price = self._query(service_code, {**filters, "location": LOCATIONS[region]})
                self._api_ok = True
            except Exception:  # any failure: unreachable, unsupported (moto answers 500), denied
                self._api_ok = False
                price = None
            self._api_cache[key] = price
            return price

    def _query(self, service_code: str, filters: dict[str, str]) -> float | None:
        assert self._aws is not None
        session = self._aws._session_for(self._aws.caller_account)
        client = session.client("pricing", region_name="us-east-1",
                                config=Config(retries={"max_attempts": 1}, connect_timeout=3, read_timeout=10))
        response = client.get_products(
            ServiceCode=service_code,
            Filters=[{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in filters.items()],
            MaxResults=10,
        )
        for raw in response.get("PriceList", []):
            product = json.loads(raw) if isinstance(raw, str) else raw
            for term in product.get("terms", {}).get("OnDemand", {}).values():
                for dim in term.get("priceDimensions", {}).values():
                    usd = float(dim.get("pricePerUnit", {}).get("USD", "0") or 0)
                    if usd > 0:
                        return usd
        return None
