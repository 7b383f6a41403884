"""CloudTrail trails (listed once per account, shadow trails included; each in its home region)."""

from __future__ import annotations

from pydantic import Field

from xops.resources.base import Detail, Listing, Resource, Spec
from xops.resources.ops import Op


class Trail(Resource):
    spec = Spec(type="AWS::CloudTrail::Trail", noun="trail", scope="global", arn="TrailARN",
                id=lambda raw: str(raw.get("TrailARN") or raw["Name"]),
                list=Listing(Op("cloudtrail", "describe_trails", "trailList"), params={"includeShadowTrails": True}),
                region_of=lambda raw, fetch, at: str(raw.get("HomeRegion") or at.region), scan_regions_only=False,
                details={"status": Detail(Op("cloudtrail", "get_trail_status"), params=lambda t: {"Name": t.id})})

    name: str = Field(alias="Name")
    home_region: str = Field("", alias="HomeRegion")
    multi_region: bool = Field(False, alias="IsMultiRegionTrail")
    organization_trail: bool = Field(False, alias="IsOrganizationTrail")
