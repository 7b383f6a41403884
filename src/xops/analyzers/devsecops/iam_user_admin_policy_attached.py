from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register

ADMIN_POLICY = "AdministratorAccess"


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def document(doc: Any) -> dict[str, Any]:
    """A policy document as a dict (boto3 decodes it; the raw API gives URL-encoded JSON)."""
    return doc if isinstance(doc, dict) else dict(json.loads(unquote(str(doc))))


def full_admin_statements(doc: Any) -> list[dict[str, Any]]:
    """The statements that Allow Action "*" on Resource "*"."""
    return [s for s in as_list(document(doc).get("Statement", [])) if isinstance(s, dict)
            and s.get("Effect") == "Allow"
            and any(a in ("*", "*:*") for a in as_list(s.get("Action", [])))
            and "*" in as_list(s.get("Resource", []))]


@register
class IamUserAdminPolicyAttached(Analyzer):
    meta = AnalyzerMeta(
        id="devsecops.iam_user_admin_policy_attached",
        title="IAM users with full administrator permissions attached directly",
        pillar="devsecops",
        severity=Severity.high,
        resource_type="AWS::IAM::User",
        permissions=("iam:ListUsers", "iam:ListAttachedUserPolicies", "iam:ListUserPolicies", "iam:GetUserPolicy",
                     "iam:GetPolicy", "iam:GetPolicyVersion"),
        risk="A user holding '*' on '*' can do anything in the account, including covering its tracks; its "
             "long-lived credentials are the most valuable thing an attacker can steal. Admin access belongs "
             "to roles assumed just in time (IAM Identity Center), not to users.",
        remediation=Remediation(
            summary="Detach the admin policy from the user and grant least-privilege permissions through a group "
                    "or, better, an assumable role / IAM Identity Center permission set.",
            cli="aws iam detach-user-policy --user-name {resource_id} "
                "--policy-arn arn:aws:iam::aws:policy/AdministratorAccess\n"
                "aws iam list-user-policies --user-name {resource_id}  "
                "# then: aws iam delete-user-policy --user-name {resource_id} --policy-name <name>",
            terraform='# Remove aws_iam_user_policy_attachment / aws_iam_user_policy granting "*" to {resource_id};\n'
                      '# grant admin through an assumable role instead:\n'
                      'resource "aws_iam_role_policy_attachment" "admin" {\n  role       = aws_iam_role.admin.name\n'
                      '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"\n}',
        ),
        scope="global",
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        admin_arn = f"arn:{aws.partition}:iam::aws:policy/{ADMIN_POLICY}"
        for user in aws.inventory.list(at, "iam", "list_users", "Users"):
            name = user["UserName"]
            granting: list[str] = []
            attached = aws.inventory.list(at, "iam", "list_attached_user_policies", "AttachedPolicies", UserName=name)
            for p in attached:
                if p["PolicyArn"] == admin_arn or self._managed_is_admin(aws, at, p["PolicyArn"]):
                    granting.append(f"managed:{p['PolicyArn']}")
            inline = aws.inventory.list(at, "iam", "list_user_policies", "PolicyNames", UserName=name)
            for pname in inline:
                doc = aws.inventory.call(at, "iam", "get_user_policy", UserName=name, PolicyName=pname)
                if full_admin_statements(doc["PolicyDocument"]):
                    granting.append(f"inline:{pname}")
            evidence = {"attached_policies": [p["PolicyArn"] for p in attached], "inline_policies": list(inline),
                        "admin_grants": granting}
            if granting:
                yield self.fail(at, name, f"IAM user {name} has full admin permissions attached directly "
                                f"({', '.join(granting)})", arn=user["Arn"], evidence=evidence)
            else:
                yield self.ok(at, name, f"IAM user {name} has no directly attached admin policy", arn=user["Arn"],
                              evidence=evidence)

    @staticmethod
    def _managed_is_admin(aws: AwsContext, at: Target, arn: str) -> bool:
        policy = aws.inventory.call(at, "iam", "get_policy", PolicyArn=arn)["Policy"]
        version = aws.inventory.call(at, "iam", "get_policy_version", PolicyArn=arn,
                                     VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        return bool(full_admin_statements(version["Document"]))
