from __future__ import annotations

from collections.abc import Iterator

from xops.analyzers._ec2 import instances
from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class Ec2InstanceImdsv1Allowed(Analyzer):
    meta = AnalyzerMeta(
        id="devsecops.ec2_instance_imdsv1_allowed",
        title="EC2 instances allowing IMDSv1",
        pillar="devsecops",
        severity=Severity.high,
        resource_type="AWS::EC2::Instance",
        permissions=("ec2:DescribeInstances",),
        risk="IMDSv1 answers plain GET requests, so an SSRF bug or open proxy on the instance can read the "
             "instance role's temporary credentials; IMDSv2 requires a session token that such requests lack.",
        remediation=Remediation(
            summary="Require IMDSv2 (HttpTokens=required) after checking the instance's SDKs/agents support it.",
            cli="aws ec2 modify-instance-metadata-options --region {region} --instance-id {resource_id} "
                "--http-tokens required --http-endpoint enabled",
            terraform='resource "aws_instance" "app" {\n  # ...\n  metadata_options {\n'
                      '    http_endpoint = "enabled"\n    http_tokens   = "required"\n  }\n}',
        ),
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        for inst, arn in instances(aws, at):
            iid, state = inst["InstanceId"], inst.get("State", {}).get("Name", "")
            opts = inst.get("MetadataOptions", {})
            tokens, endpoint = opts.get("HttpTokens", "optional"), opts.get("HttpEndpoint", "enabled")
            evidence = {"http_tokens": tokens, "http_endpoint": endpoint, "state": state}
            if tokens == "required" or endpoint == "disabled":
                why = "IMDSv2 is required" if tokens == "required" else "the metadata endpoint is disabled"
                yield self.ok(at, iid, f"instance {iid}: {why}", arn=arn, evidence=evidence)
            else:
                yield self.fail(at, iid, f"instance {iid} ({state}) accepts IMDSv1 requests "
                                         f"(HttpTokens={tokens})", arn=arn, evidence=evidence)
