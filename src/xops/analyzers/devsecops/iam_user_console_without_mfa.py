from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register

ROOT = "<root_account>"  # the root user's row: its MFA is a separate (root) check
POLL_SECONDS = (0.2, 0.5, 1.0, 2.0, 2.0, 4.0, 4.0, 8.0)  # ~22 s at most for AWS to build the report


def credential_report(aws: AwsContext, at: Target) -> tuple[list[dict[str, str]], str]:
    """The IAM credential report (one CSV row per user) and when it was generated; AWS builds a new one
    when there is none from the last 4 hours."""
    state = aws.inventory.call(at, "iam", "generate_credential_report").get("State")
    for delay in POLL_SECONDS:
        if state == "COMPLETE":
            break
        time.sleep(delay)  # polling must see the state change: an uncached (but recorded) call
        state = aws.inventory.fresh(at, "iam", "generate_credential_report").get("State")
    report = aws.inventory.call(at, "iam", "get_credential_report")
    content = report["Content"]
    text = content.decode() if isinstance(content, bytes) else str(content)
    return list(csv.DictReader(io.StringIO(text))), str(report.get("GeneratedTime", ""))


@register
class IamUserConsoleWithoutMfa(Analyzer):
    meta = AnalyzerMeta(
        id="devsecops.iam_user_console_without_mfa",
        title="IAM users with a console password and no MFA device",
        pillar="devsecops",
        severity=Severity.high,
        resource_type="AWS::IAM::User",
        permissions=("iam:GenerateCredentialReport", "iam:GetCredentialReport"),
        risk="A console password without MFA is one phished or reused password away from account access; "
             "CIS requires MFA for every IAM user with a console password.",
        remediation=Remediation(
            summary="Have the user register an MFA device (or remove the console password if the user does "
                    "not need the console); enforce MFA with a policy that denies actions without it.",
            cli="aws iam create-virtual-mfa-device --virtual-mfa-device-name {resource_id} "
                "--outfile {resource_id}-qr.png --bootstrap-method QRCodePNG\n"
                "aws iam enable-mfa-device --user-name {resource_id} --serial-number "
                "arn:aws:iam::<account-id>:mfa/{resource_id} --authentication-code1 <code1> "
                "--authentication-code2 <code2>\n"
                "# or, if the user needs no console access:\naws iam delete-login-profile --user-name {resource_id}",
            terraform='# MFA devices are registered by the user; deny everything without MFA:\n'
                      'resource "aws_iam_user_policy_attachment" "require_mfa" {\n  user       = "{resource_id}"\n'
                      '  policy_arn = aws_iam_policy.deny_without_mfa.arn\n}',
        ),
        scope="global",
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        rows, generated = credential_report(aws, at)
        for row in rows:
            user = row.get("user", "")
            if not user or user == ROOT:
                continue
            arn = row.get("arn", "")
            evidence = {"password_enabled": row.get("password_enabled", ""), "mfa_active": row.get("mfa_active", ""),
                        "password_last_used": row.get("password_last_used", ""),
                        "user_creation_time": row.get("user_creation_time", ""),
                        "source": f"IAM credential report generated {generated}"}
            if row.get("password_enabled") != "true":
                yield self.ok(at, user, f"IAM user {user} has no console password", arn=arn, evidence=evidence)
            elif row.get("mfa_active") == "true":
                yield self.ok(at, user, f"IAM user {user} signs in to the console with MFA", arn=arn,
                              evidence=evidence)
            else:
                yield self.fail(at, user, f"IAM user {user} has a console password and no MFA device", arn=arn,
                                evidence=evidence)
