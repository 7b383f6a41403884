from __future__ import annotations

from collections.abc import Iterator

from botocore.exceptions import ClientError
from pydantic import Field

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register

REQUIRED = {"RequireSymbols": "symbols", "RequireNumbers": "numbers", "RequireUppercaseCharacters": "uppercase",
            "RequireLowercaseCharacters": "lowercase"}


@register
class IamPasswordPolicyWeak(Analyzer):
    meta = AnalyzerMeta(
        id="devsecops.iam_password_policy_weak",
        title="Missing or weak IAM account password policy",
        pillar="devsecops",
        severity=Severity.medium,
        resource_type="AWS::::Account",
        permissions=("iam:GetAccountPasswordPolicy",),
        risk="Without a strong password policy IAM users may pick short or simple console passwords that "
             "fall to guessing and credential stuffing (CIS: at least 14 characters).",
        remediation=Remediation(
            summary="Set an account password policy: at least 14 characters with symbols, numbers, upper and "
                    "lower case letters, and no reuse of recent passwords.",
            cli="aws iam update-account-password-policy --minimum-password-length 14 --require-symbols "
                "--require-numbers --require-uppercase-characters --require-lowercase-characters "
                "--password-reuse-prevention 24 --allow-users-to-change-password",
            terraform='resource "aws_iam_account_password_policy" "strict" {\n'
                      '  minimum_password_length        = 14\n  require_symbols                = true\n'
                      '  require_numbers                = true\n  require_uppercase_characters   = true\n'
                      '  require_lowercase_characters   = true\n  password_reuse_prevention      = 24\n'
                      '  allow_users_to_change_password = true\n}',
        ),
        scope="global",
    )

    class Params(AnalyzerParams):
        min_length: int = Field(14, ge=6, le=128, description="Minimum acceptable MinimumPasswordLength")

    def run(self, aws: AwsContext, at: Target, params: Params) -> Iterator[Finding]:
        try:
            policy = aws.inventory.call(at, "iam", "get_account_password_policy")["PasswordPolicy"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NoSuchEntity":
                raise
            yield self.fail(at, at.account_id, f"account {at.account_id} has no IAM password policy (AWS defaults: "
                            "8 characters, no complexity)", evidence={"password_policy": "none"})
            return
        length = int(policy.get("MinimumPasswordLength", 0))
        problems = [f"minimum length {length} < {params.min_length}"] if length < params.min_length else []
        problems += [f"{label} not required" for key, label in REQUIRED.items() if not policy.get(key)]
        evidence = {"minimum_password_length": length, "required_min_length": params.min_length,
                    **{key: bool(policy.get(key)) for key in REQUIRED}}
        if problems:
            yield self.fail(at, at.account_id, f"account {at.account_id} password policy is weak: "
                            f"{'; '.join(problems)}", evidence={**evidence, "problems": problems})
        else:
            yield self.ok(at, at.account_id, f"account {at.account_id} password policy is strong "
                          f"({length}+ characters, full complexity)", evidence=evidence)
