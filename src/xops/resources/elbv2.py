"""Elastic Load Balancing v2: application, network and gateway load balancers and their target groups."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from xops.resources.base import Detail, Listing, Resource, Spec
from xops.resources.ops import Op


class LoadBalancer(Resource):
    spec = Spec(type="AWS::ElasticLoadBalancingV2::LoadBalancer", noun="load balancer", id="LoadBalancerName",
                arn="LoadBalancerArn", list=Listing(Op("elbv2", "describe_load_balancers", "LoadBalancers")),
                details={"attributes": Detail(
                    Op("elbv2", "describe_load_balancer_attributes", "Attributes"),
                    params=lambda lb: {"LoadBalancerArn": lb.arn},
                    parse=lambda attrs: {a["Key"]: a.get("Value", "") for a in attrs})})

    kind: str = Field("application", alias="Type")
    scheme: str = Field("", alias="Scheme")
    dns_name: str = Field("", alias="DNSName")
    created: datetime | None = Field(None, alias="CreatedTime")


class TargetGroup(Resource):
    spec = Spec(type="AWS::ElasticLoadBalancingV2::TargetGroup", noun="target group", id="TargetGroupName",
                arn="TargetGroupArn", list=Listing(Op("elbv2", "describe_target_groups", "TargetGroups")),
                details={"targets": Detail(Op("elbv2", "describe_target_health", "TargetHealthDescriptions"),
                                           params=lambda tg: {"TargetGroupArn": tg.arn})})

    load_balancer_arns: list[str] = Field(default_factory=list, alias="LoadBalancerArns")
