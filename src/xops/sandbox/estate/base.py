"""The demo estate: accounts, regions, clients and the compliant builders (`build.py`) that every
analyzer's planter creates resources through, and the ground truth the planters record (every planted
issue, and the planted-clean resources that must not be flagged).

Each analyzer folder has a `planter.py` with `plant(plot)`: `plot` is the estate seen by that analyzer
(its own random generator, `plot.bad(...)` / `plot.good(...)` recording ground truth under its id).
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from pydantic import BaseModel, Field

from xops.core.aws import new_session
from xops.sandbox.estate.build import Account, Place
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
    """What planters share: accounts, regions, scale, clients, the builders, and the ground truth."""

    def __init__(self, endpoint: str, seed: int, scale: int, member_accounts: list[str]) -> None:
        self.endpoint = endpoint
        self.seed = seed
        self.scale = scale
        self.rng = random.Random(seed)  # the builders' (subnets, metric values, target ips)
        self.management = MANAGEMENT_ACCOUNT
        self.member = member_accounts[0]  # the first member ('prod'); planters plant account-level issues there
        self.accounts = [self.management, *member_accounts]
        self.regions = list(REGIONS)
        self.home_region = HOME_REGION
        self.issues: list[PlantedIssue] = []
        self.clean_resources: list[CleanResource] = []
        self._sessions: dict[str, boto3.Session] = {}
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._places: dict[tuple[str, str], Place] = {}
        self._account_builders: dict[str, Account] = {}
        self._lock = threading.Lock()
        self._names: dict[str, int] = {}
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

    def place(self, account_id: str, region: str) -> Place:
        """The builders of one account and region."""
        key = (account_id, region)
        if key not in self._places:
            self._places[key] = Place(self, account_id, region)
        return self._places[key]

    def account(self, account_id: str) -> Account:
        """The IAM builders of one account."""
        if account_id not in self._account_builders:
            self._account_builders[account_id] = Account(self, account_id)
        return self._account_builders[account_id]

    def count(self, base: int) -> int:
        """How many of a thing to create at this scale (`base` at scale 1)."""
        return max(1, base * self.scale)

    def name(self, prefix: str) -> str:
        """prefix-01, prefix-02, ...: unique across accounts and regions."""
        n = self._names[prefix] = self._names.get(prefix, 0) + 1
        return f"{prefix}-{n:02d}"

    def finish(self) -> None:
        """After the planters: put the queued metrics; build each account's IAM credential report (a real
        account usually has a recent one)."""
        for place in self._places.values():
            place.put_metrics()
        for account in self.accounts:
            self.client(account, HOME_REGION, "iam").generate_credential_report()

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
            accounts={"management": self.management, "member": self.member,
                      **{f"member-{i:02d}": a for i, a in enumerate(self.accounts[2:], start=2)}},
            regions=self.regions,
            issues=sorted(self.issues, key=lambda i: i.key), clean=sorted(self.clean_resources, key=lambda c: c.key),
        )


class Plot:
    """The estate as one analyzer's planter sees it: builders, its own random generator (so one planter's
    choices do not depend on the others'), and ground truth recorded under its analyzer id."""

    def __init__(self, estate: Estate, analyzer_id: str) -> None:
        self.estate, self.analyzer_id = estate, analyzer_id
        self.rng = random.Random(f"{estate.seed}:{analyzer_id}")
        self.accounts, self.regions = estate.accounts, estate.regions
        self.management, self.member, self.home_region = estate.management, estate.member, estate.home_region

    def count(self, base: int) -> int:
        return self.estate.count(base)

    def place(self, account_id: str, region: str) -> Place:
        return self.estate.place(account_id, region)

    def places(self) -> Iterator[Place]:
        """Every account and region, management first."""
        for account in self.accounts:
            for region in self.regions:
                yield self.place(account, region)

    def account(self, account_id: str) -> Account:
        return self.estate.account(account_id)

    def bad(self, account_id: str, region: str, resource_id: str, note: str = "", *, usd: float | None = None) -> None:
        """A resource the analyzer must report as FAIL (with `usd` as its est_monthly_usd)."""
        self.estate.issue(self.analyzer_id, account_id, region, resource_id, usd, note)

    def answer(self, service: str, operation: str, answer: Any, *, account: str, region: str) -> None:
        """What `service`.`operation` (boto3 names) answers in this account and region, for an API moto
        lacks: the sandbox serves it over HTTP in the service's own protocol (xops.sandbox.answers)."""
        from xops.sandbox.answers import ANSWERS

        ANSWERS.plant(service, operation, answer, account=account, region=region)

    def good(self, account_id: str, region: str, resource_id: str, note: str = "") -> None:
        """A resource the analyzer must examine and PASS."""
        self.estate.clean(self.analyzer_id, account_id, region, resource_id, note)
