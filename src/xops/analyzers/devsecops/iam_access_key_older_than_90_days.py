from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class IamAccessKeyOlderThan90Days(Analyzer):
    meta = AnalyzerMeta(
        id="devsecops.iam_access_key_older_than_90_days",
        title="Active IAM access keys older than 90 days",
        pillar="devsecops",
        severity=Severity.medium,
        resource_type="AWS::IAM::AccessKey",
        permissions=("iam:ListUsers", "iam:ListAccessKeys"),
        risk="Long-lived access keys end up in laptops, CI logs and repositories; the longer a key lives, the "
             "likelier it has leaked. CIS asks for rotation every 90 days (better: roles and short-lived "
             "credentials).",
        remediation=Remediation(
            summary="Create a new key, move its users to it, deactivate the old key, then delete it once nothing "
                    "fails (or replace the key with a role).",
            cli="USER=$(aws iam get-access-key-last-used --access-key-id {resource_id} --query UserName --output text)\n"
                "aws iam create-access-key --user-name \"$USER\"\n"
                "aws iam update-access-key --user-name \"$USER\" --access-key-id {resource_id} --status Inactive\n"
                "aws iam delete-access-key --user-name \"$USER\" --access-key-id {resource_id}",
            terraform='# Rotate by replacing the key resource (e.g. a new aws_iam_access_key with a rotation '
                      'suffix),\n# then remove the one that holds {resource_id}:\n'
                      'resource "aws_iam_access_key" "rotated" {\n  user = "<user>"\n}',
        ),
        scope="global",
    )

    class Params(AnalyzerParams):
        max_age_days: int = Field(90, ge=1, le=3650, description="Maximum age in days of an active access key")

    def run(self, aws: AwsContext, at: Target, params: Params) -> Iterator[Finding]:
        for user in aws.inventory.list(at, "iam", "list_users", "Users"):
            name = user["UserName"]
            for key in aws.inventory.list(at, "iam", "list_access_keys", "AccessKeyMetadata", UserName=name):
                kid, created, status = key["AccessKeyId"], key["CreateDate"], key["Status"]
                age = (aws.now - created).total_seconds() / 86400
                evidence = {"user": name, "status": status, "created": created.isoformat(),
                            "age_days": int(age), "max_age_days": params.max_age_days}
                if status == "Active" and age > params.max_age_days:
                    yield self.fail(at, kid, f"active access key {kid} of IAM user {name} is {int(age)} days old "
                                    f"(limit {params.max_age_days})", arn=user["Arn"], evidence=evidence)
                else:
                    what = "inactive" if status != "Active" else f"{int(age)} days old"
                    yield self.ok(at, kid, f"access key {kid} of IAM user {name} is {what}", arn=user["Arn"],
                                  evidence=evidence)
