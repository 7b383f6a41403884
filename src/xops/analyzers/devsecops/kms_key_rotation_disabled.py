from __future__ import annotations

from collections.abc import Iterator

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register

# Aliases under alias/aws/ are reserved for AWS managed keys: customers cannot create them.
AWS_ALIAS_PREFIX = "alias/aws/"


@register
class KmsKeyRotationDisabled(Analyzer):
    meta = AnalyzerMeta(
        id="devsecops.kms_key_rotation_disabled",
        title="Customer-managed KMS keys without automatic rotation",
        pillar="devsecops",
        severity=Severity.medium,
        resource_type="AWS::KMS::Key",
        permissions=("kms:ListKeys", "kms:ListAliases", "kms:DescribeKey", "kms:GetKeyRotationStatus"),
        risk="Key material that never rotates protects ever more data for ever longer; CIS and PCI require "
             "yearly rotation of symmetric customer-managed keys, which AWS does transparently when enabled.",
        remediation=Remediation(
            summary="Enable automatic key rotation (yearly by default; old material stays available for "
                    "decryption, so nothing breaks).",
            cli="aws kms enable-key-rotation --region {region} --key-id {resource_id}",
            terraform='resource "aws_kms_key" "this" {\n  # ... existing settings of {resource_id}\n'
                      '  enable_key_rotation     = true\n  rotation_period_in_days = 365\n}',
        ),
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        aliases: dict[str, list[str]] = {}
        for a in aws.inventory.list(at, "kms", "list_aliases", "Aliases"):
            if a.get("TargetKeyId"):
                aliases.setdefault(a["TargetKeyId"], []).append(a["AliasName"])
        for k in aws.inventory.list(at, "kms", "list_keys", "Keys"):
            kid = k["KeyId"]
            names = aliases.get(kid, [])
            if any(n.startswith(AWS_ALIAS_PREFIX) for n in names):
                continue  # AWS managed key: AWS rotates it
            meta = aws.inventory.call(at, "kms", "describe_key", KeyId=kid)["KeyMetadata"]
            # Rotation applies to enabled, customer-managed, symmetric keys with AWS-generated material; a
            # multi-Region replica follows its primary.
            if meta.get("KeyManager") != "CUSTOMER":
                continue
            if (meta.get("KeyState") != "Enabled" or meta.get("KeySpec", "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT"
                    or meta.get("Origin", "AWS_KMS") != "AWS_KMS" or meta.get("MultiRegionKeyType") == "REPLICA"):
                # Examined, and automatic rotation does not apply to it: say so (auditors see every key).
                why = {"key_state": meta.get("KeyState", ""), "key_spec": meta.get("KeySpec", ""),
                       "origin": meta.get("Origin", ""), "multi_region_type": meta.get("MultiRegionKeyType", "")}
                yield self.ok(at, kid, f"KMS key {kid}: automatic rotation does not apply "
                                       f"({meta.get('KeyState')}, {meta.get('KeySpec', 'SYMMETRIC_DEFAULT')})",
                              arn=k.get("KeyArn", ""), evidence=why)
                continue
            status = aws.inventory.call(at, "kms", "get_key_rotation_status", KeyId=kid)
            evidence = {"aliases": names, "key_spec": meta.get("KeySpec", ""), "created": str(meta.get("CreationDate", "")),
                        "rotation_enabled": bool(status.get("KeyRotationEnabled"))}
            label = f"{names[0]} ({kid})" if names else kid
            if status.get("KeyRotationEnabled"):
                evidence["rotation_period_days"] = status.get("RotationPeriodInDays", 365)
                yield self.ok(at, kid, f"KMS key {label} rotates automatically", arn=k.get("KeyArn", ""),
                              evidence=evidence)
            else:
                yield self.fail(at, kid, f"Customer-managed KMS key {label} has automatic rotation disabled",
                                arn=k.get("KeyArn", ""), evidence=evidence)
