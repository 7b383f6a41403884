from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class VpcFlowLogsDisabled(Analyzer):
    meta = AnalyzerMeta(
        id="cloudops.vpc_flow_logs_disabled",
        title="VPCs without flow logs",
        pillar="cloudops",
        severity=Severity.medium,
        resource_type="AWS::EC2::VPC",
        permissions=("ec2:DescribeVpcs", "ec2:DescribeFlowLogs"),
        risk="Without flow logs there is no record of which traffic reached or left the VPC: connectivity "
             "problems are guesswork and a security incident cannot be scoped.",
        remediation=Remediation(
            summary="Create a VPC flow log (ALL traffic) to a CloudWatch Logs group with a retention policy, "
                    "or to S3.",
            cli="aws logs create-log-group --region {region} --log-group-name /vpc/flow-logs/{resource_id}\n"
                "aws logs put-retention-policy --region {region} --log-group-name /vpc/flow-logs/{resource_id} "
                "--retention-in-days 90\n"
                "aws ec2 create-flow-logs --region {region} --resource-type VPC --resource-ids {resource_id} "
                "--traffic-type ALL --log-group-name /vpc/flow-logs/{resource_id} "
                "--deliver-logs-permission-arn arn:aws:iam::<account-id>:role/<flow-logs-role>",
            terraform='resource "aws_flow_log" "vpc" {\n  vpc_id          = "{resource_id}"\n'
                      '  traffic_type    = "ALL"\n  log_destination = aws_cloudwatch_log_group.flow.arn\n'
                      '  iam_role_arn    = aws_iam_role.flow_logs.arn\n}',
        ),
    )

    class Params(AnalyzerParams):
        include_default_vpcs: bool = Field(True, description="Also require flow logs on default VPCs")

    def run(self, aws: AwsContext, at: Target, params: Params) -> Iterator[Finding]:
        logs: dict[str, list[dict[str, str]]] = {}
        for fl in aws.inventory.list(at, "ec2", "describe_flow_logs", "FlowLogs"):
            if fl.get("FlowLogStatus", "ACTIVE") == "ACTIVE":
                logs.setdefault(fl.get("ResourceId", ""), []).append(
                    {"flow_log_id": fl["FlowLogId"], "traffic_type": fl.get("TrafficType", ""),
                     "destination_type": fl.get("LogDestinationType", ""),
                     "destination": fl.get("LogDestination") or fl.get("LogGroupName", "")})
        for vpc in aws.inventory.list(at, "ec2", "describe_vpcs", "Vpcs"):
            vid, default = vpc["VpcId"], bool(vpc.get("IsDefault"))
            if default and not params.include_default_vpcs:
                continue
            arn = f"arn:{aws.partition}:ec2:{at.region}:{at.account_id}:vpc/{vid}"
            kind = "default VPC" if default else "VPC"
            evidence = {"is_default": default, "cidr": vpc.get("CidrBlock", ""), "flow_logs": logs.get(vid, [])}
            if vid in logs:
                yield self.ok(at, vid, f"{kind} {vid} has {len(logs[vid])} active flow log(s)", arn=arn,
                              evidence=evidence)
            else:
                yield self.fail(at, vid, f"{kind} {vid} ({vpc.get('CidrBlock', '')}) has no active flow log",
                                arn=arn, evidence=evidence)
