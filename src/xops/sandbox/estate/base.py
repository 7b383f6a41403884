"""The demo estate's building blocks: an `Estate` that planters create resources through, and the
ground truth they record (every planted issue, and the planted-clean resources that must not be flagged).

Planters (one module per service domain in this package) get the Estate, create resources in both
accounts and all three regions with boto3 over HTTP, age them in moto's backends where needed, and call
`estate.issue(...)` / `estate.clean(...)` for every resource an analyzer must, or must not, report.
"""

from __future__ import annotations

import json
import random
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from pydantic import BaseModel, Field

from xops.core.aws import new_session
from xops.sandbox.moto_server import FAKE_CREDENTIALS, MANAGEMENT_ACCOUNT

REGIONS = ["ap-southeast-2", "us-east-1", "eu-west-1"]
# Tags every estate resource carries unless a planter plants their absence (cloudops tag analyzer).
REQUIRED_TAGS = {"Owner": "platform-team", "CostCentre": "CC-1001", "Environment": "prod"}
# ABAC in the Runbooks API: estate resources alternate between two cost centres (tag `cost-centre`).
COST_CENTRE_TAG = "cost-centre"
COST_CENTRES = ("platform", "payments")
HOME_REGION = "ap-southeast-2"
MEMBER_ROLE = "OrganizationAccountAccessRole"


class PlantedIssue(BaseModel):
    analyzer_id: str
    account_id: str
    region: str
    resource_id: str
    expected_usd: float | None = Field(None, description="Expected est_monthly_usd (None: no $ impact)")
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.analyzer_id, self.account_id, self.region, self.resource_id)


class CleanResource(BaseModel):
    analyzer_id: str
    account_id: str
    region: str
    resource_id: str
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.analyzer_id, self.account_id, self.region, self.resource_id)


class GroundTruth(BaseModel):
    seed: int
    scale: int
    endpoint: str
    created_at: datetime
    accounts: dict[str, str]
    regions: list[str]
    issues: list[PlantedIssue]
    clean: list[CleanResource]

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.model_dump_json(indent=2))
        tmp.replace(path)
        return path

    @classmethod
    def read(cls, path: Path) -> GroundTruth:
        return cls.model_validate(json.loads(path.read_text()))

    def expected_usd_total(self, pillar: str | None = None) -> float:
        return round(sum(i.expected_usd or 0.0 for i in self.issues
                         if pillar is None or i.analyzer_id.startswith(pillar + ".")), 2)


class Estate:
    """What a planter needs: accounts, regions, scale, a seeded RNG, clients, and the ground-truth recorder."""

    def __init__(self, endpoint: str, seed: int, scale: int, member_account: str) -> None:
        self.endpoint = endpoint
        self.seed = seed
        self.scale = scale
        self.rng = random.Random(seed)
        self.management = MANAGEMENT_ACCOUNT
        self.member = member_account
        self.accounts = [self.management, self.member]
        self.regions = list(REGIONS)
        self.issues: list[PlantedIssue] = []
        self.clean_resources: list[CleanResource] = []
        self._sessions: dict[str, boto3.Session] = {}
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()
        self._tagged = 0  # alternates the cost centre of tagged resources (not the RNG: ids stay stable)
        # Seeding runs inside moto's in-process mock (see seed_estate): clients must not be sent to a
        # configured endpoint (AWS_ENDPOINT_URL), or they would bypass the mock and go over HTTP.
        self._config = Config(retries={"max_attempts": 3}, max_pool_connections=32,
                              ignore_configured_endpoint_urls=True)

    # -- AWS access -----------------------------------------------------------------------------------
    def session(self, account_id: str) -> boto3.Session:
        with self._lock:
            if account_id not in self._sessions:
                base = new_session(region=HOME_REGION)
                base._session.set_credentials(FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                                              FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
                if account_id != self.management:
                    sts = base.client("sts", config=self._config)
                    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{MEMBER_ROLE}",
                                        RoleSessionName="xops-sandbox-seed")["Credentials"]
                    base = new_session(region=HOME_REGION)
                    base._session.set_credentials(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
                self._sessions[account_id] = base
            return self._sessions[account_id]

    def client(self, account_id: str, region: str, service: str) -> Any:
        """A cached client (a new one costs ~0.2 s of model loading and a new connection)."""
        key = (account_id, region, service)
        client = self._clients.get(key)
        if client is None:
            session = self.session(account_id)
            with self._lock:
                client = self._clients.get(key)
                if client is None:
                    client = session.client(service, region_name=region, config=self._config)
                    self._clients[key] = client
        return client

    def tags(self, **extra: str) -> list[dict[str, str]]:
        """The required tags, a cost centre (alternating) and extras, in EC2 TagSpecification form."""
        self._tagged += 1
        centre = COST_CENTRES[self._tagged % len(COST_CENTRES)]
        return [{"Key": k, "Value": v} for k, v in {**REQUIRED_TAGS, COST_CENTRE_TAG: centre, **extra}.items()]

    def run_instance(self, account_id: str, region: str, instance_type: str = "t3.micro", *,
                     tags: list[dict[str, str]] | None = None, imdsv2: bool = True, **kwargs: Any) -> str:
        """One instance, compliant by default (required tags, IMDSv2 required, encrypted gp3 root volume:
        moto's default root is an unencrypted gp2 volume); returns its id."""
        ec2 = self.client(account_id, region, "ec2")
        kwargs.setdefault("BlockDeviceMappings", [
            {"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3", "Encrypted": True}}])
        spec = [{"ResourceType": "instance", "Tags": self.tags() if tags is None else tags}]
        res = ec2.run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType=instance_type, TagSpecifications=spec,
            MetadataOptions={"HttpTokens": "required" if imdsv2 else "optional", "HttpEndpoint": "enabled"},
            **kwargs,
        )
        return str(res["Instances"][0]["InstanceId"])

    def create_volume(self, account_id: str, region: str, size: int, volume_type: str = "gp3", *,
                      encrypted: bool = True, tags: list[dict[str, str]] | None = None) -> str:
        """One EBS volume, compliant by default (encrypted, tagged); returns its id."""
        ec2 = self.client(account_id, region, "ec2")
        spec = [{"ResourceType": "volume", "Tags": self.tags() if tags is None else tags}]
        res = ec2.create_volume(Size=size, AvailabilityZone=f"{region}a", VolumeType=volume_type,
                                Encrypted=encrypted, TagSpecifications=spec)
        return str(res["VolumeId"])

    def count(self, base: int) -> int:
        """How many of a thing to create at this scale (`base` at scale 1)."""
        return max(1, base * self.scale)

    # -- ground truth ---------------------------------------------------------------------------------
    def issue(self, analyzer_id: str, account_id: str, region: str, resource_id: str,
              usd: float | None = None, note: str = "") -> None:
        with self._lock:
            self.issues.append(PlantedIssue(analyzer_id=analyzer_id, account_id=account_id, region=region,
                                            resource_id=resource_id,
                                            expected_usd=None if usd is None else round(usd, 2), note=note))

    def clean(self, analyzer_id: str, account_id: str, region: str, resource_id: str, note: str = "") -> None:
        with self._lock:
            self.clean_resources.append(CleanResource(analyzer_id=analyzer_id, account_id=account_id,
                                                      region=region, resource_id=resource_id, note=note))

    def ground_truth(self) -> GroundTruth:
        return GroundTruth(
            seed=self.seed, scale=self.scale, endpoint=self.endpoint, created_at=datetime.now(UTC),
            accounts={"management": self.management, "member": self.member}, regions=self.regions,
            issues=sorted(self.issues, key=lambda i: i.key), clean=sorted(self.clean_resources, key=lambda c: c.key),
        )
