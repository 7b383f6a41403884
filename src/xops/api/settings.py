"""Runbooks API settings, read once from the environment (or files mounted from Secrets Manager)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import yaml
from limits import parse_many
from pydantic import BaseModel, Field, ValidationError, field_validator

from xops.api.keys import ApiKey, parse_keys
from xops.core.errors import UsageError
from xops.settings import data_dir


class CostCentreMap(BaseModel):
    """Who may see which cost centres. A user's centres = their own entry + those of each of their groups."""

    users: dict[str, list[str]] = Field(default_factory=dict, description="user email or id -> cost centres")
    groups: dict[str, list[str]] = Field(default_factory=dict, description="group name -> cost centres")

    @property
    def enabled(self) -> bool:
        return bool(self.users or self.groups)


class ApiSettings(BaseModel):
    data_dir: Path
    database_url: str | None = None
    api_keys: list[ApiKey] = Field(min_length=1, description="Accepted keys, hashed (plain keys are hashed here)")
    api_keys_path: Path | None = Field(None, description="XOPS_API_KEYS_FILE: read again when it changes (rotation)")
    api_key_file: Path | None = Field(None, description="Where a generated key was written (local use)")
    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest request body (413 above)")
    max_header_bytes: int = Field(16_384, ge=1024, description="Largest total of request headers (431 above)")
    rate_limit: str = Field("200/second;6000/minute", description="Requests per key (limits notation; 429 above)")
    run_rate_limit: str = Field("600/minute", description="POST /v1/runs per key (each run scans AWS)")
    auth_failure_limit: str = Field("30/minute", description="Refused keys per client address")
    rate_limit_storage: str = Field("memory://", description="`limits` storage URI (memory://: per replica)")
    drain_seconds: float = Field(110.0, ge=0)
    workers: int = Field(2, ge=1, le=64, description="Step worker threads in this replica")
    step_lease_seconds: float = Field(600.0, gt=0, description="A claimed step older than this is re-run")
    inventory_ttl_seconds: float = Field(60.0, ge=0, description="Runs of the same scope started within this "
                                         "many seconds share their AWS reads (0: every run reads AWS afresh)")
    cost_centre_tag: str = "cost-centre"
    cost_centres: CostCentreMap = Field(default_factory=CostCentreMap)
    allow_writes: bool = False

    @field_validator("api_keys", mode="before")
    @classmethod
    def _hash_keys(cls, value: Any) -> Any:
        return [ApiKey.parse(v) for v in value] if isinstance(value, list) else value

    @field_validator("rate_limit", "run_rate_limit", "auth_failure_limit")
    @classmethod
    def _limits(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a rate limit: write it like 200/second;6000/minute") from exc
        return value



def _load_cost_centres() -> CostCentreMap:
    raw = os.environ.get("XOPS_COST_CENTRES")
    path = os.environ.get("XOPS_COST_CENTRES_FILE")
    if path:
        try:
            raw = Path(path).read_text()
        except OSError as exc:
            raise UsageError(f"cannot read XOPS_COST_CENTRES_FILE {path}: {exc}", "check the path") from exc
    if not raw:
        return CostCentreMap()
    try:
        return CostCentreMap.model_validate(yaml.safe_load(raw) or {})
    except (ValidationError, yaml.YAMLError) as exc:
        raise UsageError(f"invalid cost-centre mapping: {exc}",
                         "expected {users: {email: [cc, ...]}, groups: {group: [cc, ...]}} (YAML or JSON)") from exc


def default_workers() -> int:
    """One step worker per CPU (2 to 8): steps are CPU-bound in this process (botocore parsing), and more
    threads than cores only slow the event loop that serves SSE and new runs (bench/api_load.py: on 2 cores,
    4 workers gave p95 first event 979 ms at the same throughput as 2 workers at 368 ms)."""
    return max(2, min(8, os.cpu_count() or 2))


def load_settings() -> ApiSettings:
    """XOPS_API_KEYS / XOPS_API_KEYS_FILE; without either, a key is generated once into the data dir."""
    root = data_dir()
    keys: list[ApiKey] = []
    key_file: Path | None = None
    keys_path: Path | None = None
    if os.environ.get("XOPS_API_KEYS"):
        keys = parse_keys(os.environ["XOPS_API_KEYS"])
    elif os.environ.get("XOPS_API_KEYS_FILE"):
        keys_path = Path(os.environ["XOPS_API_KEYS_FILE"])
        try:
            keys = parse_keys(keys_path.read_text())
        except OSError as exc:
            raise UsageError(f"cannot read XOPS_API_KEYS_FILE: {exc}", "mount the secret file or set XOPS_API_KEYS") from exc
    if not keys:
        key_file = root / "api-key"
        if not key_file.exists():
            root.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(32) + "\n")
        keys = parse_keys(key_file.read_text())
    try:
        return ApiSettings(
            data_dir=root,
            database_url=os.environ.get("XOPS_DATABASE_URL") or None,
            api_keys=keys,
            api_keys_path=keys_path,
            api_key_file=key_file,
            max_body_bytes=int(os.environ.get("XOPS_API_MAX_BODY_BYTES", "1048576")),
            max_header_bytes=int(os.environ.get("XOPS_API_MAX_HEADER_BYTES", "16384")),
            rate_limit=os.environ.get("XOPS_API_RATE_LIMIT", "200/second;6000/minute"),
            run_rate_limit=os.environ.get("XOPS_API_RUN_RATE_LIMIT", "600/minute"),
            auth_failure_limit=os.environ.get("XOPS_API_AUTH_FAILURE_LIMIT", "30/minute"),
            rate_limit_storage=os.environ.get("XOPS_API_RATE_LIMIT_STORAGE", "memory://"),
            drain_seconds=float(os.environ.get("XOPS_DRAIN_SECONDS", "110")),
            workers=int(os.environ.get("XOPS_API_WORKERS") or default_workers()),
            step_lease_seconds=float(os.environ.get("XOPS_STEP_LEASE_SECONDS", "600")),
            inventory_ttl_seconds=float(os.environ.get("XOPS_INVENTORY_TTL_SECONDS", "60")),
            cost_centre_tag=os.environ.get("XOPS_COST_CENTRE_TAG", "cost-centre"),
            cost_centres=_load_cost_centres(),
            allow_writes=os.environ.get("XOPS_ALLOW_WRITES", "").lower() in ("1", "true", "yes"),
        )
    except (ValidationError, ValueError) as exc:
        raise UsageError(f"invalid API settings: {exc}",
                         "check XOPS_DRAIN_SECONDS, XOPS_API_WORKERS, XOPS_STEP_LEASE_SECONDS, "
                         "XOPS_INVENTORY_TTL_SECONDS, XOPS_API_MAX_*_BYTES and XOPS_API_*RATE_LIMIT") from exc
