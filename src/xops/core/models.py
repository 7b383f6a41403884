"""Typed records shared by every surface: analyzer metadata, parameters and findings."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Pillar = Literal["finops", "cloudops", "devsecops"]
Scope = Literal["regional", "global"]
Kind = Literal["each", "age", "setting", "metric", "class"]
PILLARS: tuple[Pillar, ...] = ("finops", "cloudops", "devsecops")
GLOBAL_REGION = "global"


class Severity(StrEnum):
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class Status(StrEnum):
    FAIL = "FAIL"
    PASS = "PASS"
    ERROR = "ERROR"


class Remediation(BaseModel):
    """How to fix a finding: prose plus copy-paste snippets (the analyzer folder's fix.sh and fix.tf) with
    the placeholders {resource_id}, {region} and {account_id}."""

    model_config = ConfigDict(frozen=True)

    summary: str = Field(min_length=10, description="What to do, in one or two sentences")
    cli: str = Field(min_length=5, description="An AWS CLI command (or short script) that fixes one resource")
    terraform: str = Field(min_length=5, description="A Terraform snippet that keeps the resource compliant")
    writes: bool = Field(True, description="True when the remediation changes the account (needs approval)")

    def cli_for(self, resource_id: str, region: str, account_id: str = "") -> str:
        """The CLI snippet for one finding: placeholders {resource_id}, {region}, {account_id} filled, each
        value one shell word (names come from the account and are untrusted)."""
        from xops.security.untrusted import shell_value

        return fill(self.cli, resource_id, region, account_id, quote=shell_value)

    def terraform_for(self, resource_id: str, region: str, account_id: str = "") -> str:
        """The Terraform snippet for one finding (values escaped for an HCL string)."""
        return fill(self.terraform, resource_id, region, account_id, quote=hcl_value)


PLACEHOLDERS = ("{resource_id}", "{region}", "{account_id}")


def hcl_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("${", "$${").replace("%{", "%%{")


def fill(snippet: str, resource_id: str, region: str, account_id: str = "",
         quote: Callable[[str], str] = lambda v: v) -> str:
    return (snippet.replace("{resource_id}", quote(resource_id)).replace("{region}", quote(region))
            .replace("{account_id}", quote(account_id) if account_id else "ACCOUNT_ID"))


class AnalyzerMeta(BaseModel):
    """What an analyzer checks, why it matters, what it needs, and how to fix what it finds.

    Built by the loader: the id from the analyzer's folder, the words from its meta.yaml, the snippets
    from its fix.sh and fix.tf, and resource type, scope, service and permissions from what it reads."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^(finops|cloudops|devsecops)\.[a-z0-9_]+$", description="Stable public id")
    title: str = Field(min_length=5)
    pillar: Pillar
    severity: Severity
    resource_type: str = Field(description="CloudFormation-style type, e.g. AWS::EC2::Volume")
    permissions: tuple[str, ...] = Field(min_length=1, description="Read-only IAM actions the analyzer needs")
    risk: str = Field(min_length=10, description="Why a FAIL matters")
    remediation: Remediation
    cost_impact: str = Field("", description="How est_monthly_usd is computed; empty when it has no $ impact")
    scope: Scope = Field("regional", description="regional: runs once per account and region; global: once per account")
    service: str = Field("", description="The AWS service of its resource (boto3 name, e.g. ec2, s3, iam)")
    kind: Kind = Field("class", description="Its check kind: each, age, setting, metric, or class")
    featured: bool = Field(False, description="Offered as its own MCP tool (a few per pillar)")

    @property
    def name(self) -> str:
        """The id without its pillar, e.g. `ebs_volume_unattached`."""
        return self.id.split(".", 1)[1]


class AnalyzerParams(BaseModel):
    """Base of every analyzer's parameter model. Every field must have a description."""

    model_config = ConfigDict(extra="forbid")


class Finding(BaseModel):
    """One result of one analyzer for one resource (or one ERROR for one step)."""

    analyzer_id: str
    account_id: str
    region: str
    resource_id: str
    resource_arn: str = ""
    status: Status
    severity: Severity
    message: str
    evidence: dict[str, Any] = Field(default_factory=dict)
    est_monthly_usd: float | None = Field(None, description="Estimated monthly cost (waste or savings), USD")

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Identity of a finding within a run: analyzer, account, region, resource."""
        return (self.analyzer_id, self.account_id, self.region, self.resource_id)
