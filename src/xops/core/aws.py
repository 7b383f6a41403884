"""AwsContext: the one object through which analyzers reach AWS.

It owns credentials (the standard chain: env, profile, SSO), the accounts and regions in scope (the
caller's account or Organizations members through assume-role), one cached client per account, region and
service with adaptive retries, the shared inventory, the price book and the clock. `AWS_ENDPOINT_URL` is
honoured by boto3 for every client; for a custom endpoint we also turn off botocore's host-prefix
injection so that s3control's `<account>.<host>` calls still reach it.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    TokenRetrievalError,
)
from pydantic import BaseModel, Field

from xops import __version__
from xops.core.errors import AccountAccessError, CredentialsError, EndpointError, UsageError
from xops.core.models import GLOBAL_REGION

DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole"


@dataclass(frozen=True, order=True)
class Target:
    """Where one analyzer step runs: an account and a region ("global" for global analyzers)."""

    account_id: str
    region: str


class AwsSettings(BaseModel):
    """Scope and connection settings. Empty lists mean: work it out (see `AwsContext`)."""

    regions: list[str] = Field(default_factory=list, description="Regions to scan; empty = XOPS_REGIONS or all enabled")
    accounts: list[str] = Field(
        default_factory=list, description="Account ids to scan; empty = the caller's; ['all'] = every Organization member"
    )
    role_name: str = Field(
        default_factory=lambda: os.environ.get("XOPS_ASSUME_ROLE", DEFAULT_ROLE_NAME),
        description="Role assumed in other accounts",
    )
    profile: str | None = Field(None, description="AWS profile name (standard chain when unset)")
    max_workers: int = Field(16, ge=1, le=128, description="Concurrent API calls")
    max_attempts: int = Field(5, ge=1, le=20, description="Attempts per API call (adaptive retry mode)")


# One botocore data loader for the process: every Session would otherwise parse the (multi-MB) service
# models and endpoint files again, which costs seconds per AwsContext.
LOADER = botocore.loaders.create_loader()


def new_session(profile: str | None = None, region: str | None = None) -> boto3.Session:
    """A boto3 Session on the standard credential chain that shares the process-wide model loader."""
    core = botocore.session.Session(profile=profile)
    core.register_component("data_loader", LOADER)
    return boto3.Session(botocore_session=core, region_name=region)


def endpoint_url() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL") or None


_ACCOUNT_HOST = re.compile(r"^(https?://)\d{12}\.")


def _strip_account_host(request: Any, **_: Any) -> None:
    """s3control puts the account id in the host (`<account>.<endpoint host>`); a custom endpoint such as
    the sandbox serves it on its own host, so drop the prefix before the request is signed."""
    request.url = _ACCOUNT_HOST.sub(r"\1", request.url)


class AwsContext:
    """Sessions, accounts, regions, clients, inventory, typed resources, prices and the clock for one scan."""

    def __init__(
        self,
        settings: AwsSettings | None = None,
        session: boto3.Session | None = None,
        now: datetime | None = None,
    ) -> None:
        from xops.inventory.cache import Inventory
        from xops.pricing.book import PriceBook
        from xops.resources.layer import ResourceLayer

        self.settings = settings or AwsSettings()
        self._session = session or new_session(self.settings.profile)
        self.home_region: str = self._session.region_name or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        self.now: datetime = now or datetime.now(UTC)
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._sessions: dict[str, boto3.Session] = {}
        self._account_errors: dict[str, AccountAccessError] = {}
        self._caller: dict[str, str] | None = None
        self.scan_regions: list[str] = []  # set by the scanner; global analyzers filter resources by it
        self._config = Config(
            retries={"mode": "adaptive", "max_attempts": self.settings.max_attempts},
            max_pool_connections=max(10, self.settings.max_workers * 2),
            connect_timeout=5,
            read_timeout=60,
            user_agent_extra=f"xops/{__version__}",
            inject_host_prefix=endpoint_url() is None,
        )
        self.inventory = Inventory(self)
        self.resources = ResourceLayer(self)
        self.prices = PriceBook(self)

    # -- identity -------------------------------------------------------------------------------------
    def check(self) -> dict[str, str]:
        """Who we are (sts:GetCallerIdentity), turning the usual failures into clear errors."""
        if self._caller is not None:
            return self._caller
        where = endpoint_url() or "AWS"
        try:
            sts = self._session.client(
                "sts", region_name=self.home_region, config=self._config.merge(Config(retries={"max_attempts": 1}))
            )
            ident = sts.get_caller_identity()
        except (NoCredentialsError, PartialCredentialsError, TokenRetrievalError) as exc:
            raise CredentialsError(
                f"no usable AWS credentials ({exc})",
                "set AWS_PROFILE (run `aws sso login` for SSO), or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; "
                "for the local sandbox run `xops sandbox up` and export what it prints",
            ) from exc
        except EndpointConnectionError as exc:
            raise EndpointError(
                f"cannot reach the AWS endpoint {where}: {exc}",
                "check AWS_ENDPOINT_URL (is the sandbox running?) or your network/proxy settings",
            ) from exc
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            raise CredentialsError(
                f"AWS rejected the credentials ({code}: {exc.response.get('Error', {}).get('Message', '')})",
                "refresh them (`aws sso login`, new access keys) and check the profile and region",
            ) from exc
        except BotoCoreError as exc:
            raise EndpointError(f"cannot talk to {where}: {exc}", "check AWS_ENDPOINT_URL and the network") from exc
        arn = ident["Arn"]
        self._caller = {"account_id": ident["Account"], "arn": arn, "partition": arn.split(":")[1]}
        return self._caller

    @property
    def caller_account(self) -> str:
        return self.check()["account_id"]

    @property
    def partition(self) -> str:
        return self.check()["partition"]

    # -- scope ----------------------------------------------------------------------------------------
    def regions(self) -> list[str]:
        """Explicit regions, else XOPS_REGIONS, else every region enabled for the caller's account."""
        if self.settings.regions:
            return list(dict.fromkeys(self.settings.regions))
        env = [r.strip() for r in os.environ.get("XOPS_REGIONS", "").split(",") if r.strip()]
        if env:
            return env
        ec2 = self.client(Target(self.caller_account, self.home_region), "ec2")
        regions = ec2.describe_regions(AllRegions=False)["Regions"]
        return sorted(r["RegionName"] for r in regions if r.get("OptInStatus") != "not-opted-in")

    def accounts(self) -> list[str]:
        """Explicit account ids, or every ACTIVE Organization member for ['all'], else the caller's."""
        wanted = [a.strip() for a in self.settings.accounts if a.strip()]
        if not wanted:
            return [self.caller_account]
        if wanted == ["all"]:
            org = self.client(Target(self.caller_account, self.home_region), "organizations")
            try:
                pages = org.get_paginator("list_accounts").paginate()
                return sorted(a["Id"] for p in pages for a in p["Accounts"] if a.get("Status", "ACTIVE") == "ACTIVE")
            except ClientError as exc:
                raise UsageError(
                    f"cannot list Organization accounts: {exc}",
                    "run from the management (or a delegated administrator) account, or pass account ids",
                ) from exc
        bad = [a for a in wanted if not (a.isdigit() and len(a) == 12)]
        if bad:
            raise UsageError(f"invalid account id(s): {', '.join(bad)}", "account ids are 12 digits, or use 'all'")
        return list(dict.fromkeys(wanted))

    # -- clients --------------------------------------------------------------------------------------
    def client(self, at: Target, service: str) -> Any:
        """A cached boto3 client for this account, region and service (thread-safe)."""
        region = self.home_region if at.region == GLOBAL_REGION else at.region
        key = (at.account_id, region, service)
        client = self._clients.get(key)
        if client is not None:
            return client
        session = self._session_for(at.account_id)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = session.client(service, region_name=region, config=self._config)
                if service == "s3control" and endpoint_url():
                    client.meta.events.register("before-sign.s3-control", _strip_account_host)
                self._clients[key] = client
        return client

    def _session_for(self, account_id: str) -> boto3.Session:
        if account_id == self.caller_account:
            return self._session
        with self._lock:
            if account_id in self._account_errors:
                raise self._account_errors[account_id]
            session = self._sessions.get(account_id)
        if session is not None:
            return session
        try:
            session = self._assume(account_id)
        except AccountAccessError as exc:
            with self._lock:
                self._account_errors[account_id] = exc
            raise
        with self._lock:
            self._sessions.setdefault(account_id, session)
            return self._sessions[account_id]

    def _assume(self, account_id: str) -> boto3.Session:
        role_arn = f"arn:{self.partition}:iam::{account_id}:role/{self.settings.role_name}"
        sts = self.client(Target(self.caller_account, self.home_region), "sts")

        def fetch() -> dict[str, str]:
            creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=f"xops-{__version__}-readonly")["Credentials"]
            return {
                "access_key": creds["AccessKeyId"],
                "secret_key": creds["SecretAccessKey"],
                "token": creds["SessionToken"],
                "expiry_time": creds["Expiration"].isoformat(),
            }

        try:
            metadata = fetch()
        except (ClientError, BotoCoreError) as exc:
            raise AccountAccessError(
                f"cannot assume {role_arn}: {exc}",
                f"check that the role exists in account {account_id}, trusts the caller and allows sts:AssumeRole "
                "(set XOPS_ASSUME_ROLE for another role name)",
            ) from exc
        session = new_session(region=self.home_region)
        session._session._credentials = RefreshableCredentials.create_from_metadata(metadata, fetch, "assume-role")
        return session

    def targets(self, scope: str, regions: list[str], accounts: list[str]) -> list[Target]:
        """The targets of one analyzer: every account × region, or every account once for global ones."""
        if scope == "global":
            return [Target(a, GLOBAL_REGION) for a in accounts]
        return [Target(a, r) for a in accounts for r in regions]

