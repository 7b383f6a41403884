from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from pydantic import Field

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register

DAY = 86400


@register
class Ec2InstanceIdle(Analyzer):
    meta = AnalyzerMeta(
        id="finops.ec2_instance_idle",
        title="Running EC2 instances that are idle (low CPU every day)",
        pillar="finops",
        severity=Severity.medium,
        resource_type="AWS::EC2::Instance",
        permissions=("ec2:DescribeInstances", "cloudwatch:GetMetricStatistics"),
        risk="An instance whose busiest day stays under a few percent CPU is paid for by the hour while doing "
             "almost nothing; it is a candidate to stop, downsize or consolidate.",
        remediation=Remediation(
            summary="Confirm with the owner (check network and memory too), then stop or terminate the "
                    "instance, or move the workload to a smaller type.",
            cli="aws ec2 stop-instances --region {region} --instance-ids {resource_id}",
            terraform='resource "aws_instance" "this" {\n  # ...\n  instance_type = "t3.micro"  # right-size\n'
                      '  # or remove the resource if the workload is gone\n}',
        ),
        cost_impact="on-demand Linux price per hour of the instance type × 730 hours",
    )

    class Params(AnalyzerParams):
        cpu_threshold_pct: float = Field(5.0, ge=0, le=100,
                                         description="Idle when the highest daily average CPU is below this %")
        lookback_days: int = Field(14, ge=1, le=455, description="Days of CloudWatch history to read")
        min_days: int = Field(7, ge=1, le=455,
                              description="Days with datapoints needed to judge (fewer: not flagged)")

    def run(self, aws: AwsContext, at: Target, params: Params) -> Iterator[Finding]:
        start, end = aws.now - timedelta(days=params.lookback_days), aws.now
        for res in aws.inventory.list(at, "ec2", "describe_instances", "Reservations"):
            for inst in res.get("Instances", []):
                iid, itype, state = inst["InstanceId"], inst.get("InstanceType", ""), inst["State"]["Name"]
                arn = f"arn:{aws.partition}:ec2:{at.region}:{at.account_id}:instance/{iid}"
                if state != "running":
                    if state not in ("terminated", "shutting-down"):
                        yield self.ok(at, iid, f"instance is {state}, not running", arn=arn)
                    continue
                stats = aws.inventory.call(
                    at, "cloudwatch", "get_metric_statistics", Namespace="AWS/EC2", MetricName="CPUUtilization",
                    Dimensions=[{"Name": "InstanceId", "Value": iid}], StartTime=start, EndTime=end,
                    Period=DAY, Statistics=["Average"],
                )
                daily = [float(p["Average"]) for p in stats.get("Datapoints", [])]
                if len(daily) < params.min_days:
                    yield self.ok(at, iid, f"{len(daily)} day(s) of CPU data (< {params.min_days}): not judged",
                                  arn=arn)
                    continue
                peak = max(daily)
                if peak >= params.cpu_threshold_pct:
                    yield self.ok(at, iid, f"busiest day averaged {peak:.1f}% CPU", arn=arn)
                    continue
                price = aws.prices.ec2_hour(at.region, itype)
                hours = aws.prices.hours_per_month
                usd = None if price is None else price.usd * hours
                cost = "" if usd is None else f" (${usd:,.2f}/month)"
                yield self.fail(
                    at, iid, f"{itype} instance {iid} is idle: its busiest day in {params.lookback_days} days "
                             f"averaged {peak:.2f}% CPU (< {params.cpu_threshold_pct:g}%){cost}",
                    arn=arn, usd=usd,
                    evidence={"instance_type": itype, "max_daily_avg_cpu_pct": round(peak, 3),
                              "days_with_data": len(daily), "lookback_days": params.lookback_days,
                              "cpu_threshold_pct": params.cpu_threshold_pct,
                              "arithmetic": (f"{hours} h × {price.describe()} = ${usd:,.2f}/month" if price
                                             else f"no on-demand price known for {itype}")},
                )
