from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from xops.analyzers._ec2 import instances
from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class Ec2InstanceMissingRequiredTags(Analyzer):
    meta = AnalyzerMeta(
        id="cloudops.ec2_instance_missing_required_tags",
        title="EC2 instances missing required tags",
        pillar="cloudops",
        severity=Severity.low,
        resource_type="AWS::EC2::Instance",
        permissions=("ec2:DescribeInstances",),
        risk="Untagged instances cannot be attributed to an owner, cost centre or environment: their cost is "
             "unallocated, nobody is paged for them, and clean-up and patching decisions stall.",
        remediation=Remediation(
            summary="Add the missing tags (and enforce them with tag policies or an SCP on ec2:RunInstances).",
            cli="aws ec2 create-tags --region {region} --resources {resource_id} "
                "--tags Key=Owner,Value=<team> Key=CostCentre,Value=<cc> Key=Environment,Value=<env>",
            terraform='provider "aws" {\n  default_tags {\n    tags = {\n      Owner       = "<team>"\n'
                      '      CostCentre  = "<cc>"\n      Environment = "<env>"\n    }\n  }\n}',
        ),
    )

    class Params(AnalyzerParams):
        required_tags: list[str] = Field(
            default_factory=lambda: ["Owner", "CostCentre", "Environment"], min_length=1,
            description="Tag keys every instance must carry with a non-empty value (keys are case-sensitive)",
        )

    def run(self, aws: AwsContext, at: Target, params: Params) -> Iterator[Finding]:
        for inst, arn in instances(aws, at):
            iid = inst["InstanceId"]
            tags = {t["Key"]: t.get("Value", "") for t in inst.get("Tags", [])}
            missing = [k for k in params.required_tags if not tags.get(k, "").strip()]
            evidence = {"required": params.required_tags, "missing": missing,
                        "present": {k: tags[k] for k in params.required_tags if k in tags}}
            if missing:
                yield self.fail(at, iid, f"instance {iid} is missing required tag(s): {', '.join(missing)}",
                                arn=arn, evidence=evidence)
            else:
                yield self.ok(at, iid, f"instance {iid} has all required tags", arn=arn, evidence=evidence)
