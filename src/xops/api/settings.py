"""Runbooks API settings, read once from the environment (or files mounted from Secrets Manager)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

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
    api_keys: list[str] = Field(min_length=1)
    api_key_file: Path | None = Field(None, description="Where a generated key was written (local use)")
    drain_seconds: float = Field(110.0, ge=0)
    workers: int = Field(2, ge=1, le=64, description="Step worker threads in this replica")
    step_lease_seconds: float = Field(600.0, gt=0, description="A claimed step older than this is re-run")
    inventory_ttl_seconds: float = Field(60.0, ge=0, description="Runs of the same scope started within this "
                                         "many seconds share their AWS reads (0: every run reads AWS afresh)")
    cost_centre_tag: str = "cost-centre"
    cost_centres: CostCentreMap = Field(default_factory=CostCentreMap)
    allow_writes: bool = False


def _read_keys(value: str) -> list[str]:
    """Keys from a comma/newline list, or a JSON secret ({"keys": [...]}, ["..."], or {"api_key": "..."})."""
    text = value.strip()
    if text.startswith(("{", "[")):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise UsageError(f"the API key secret is not valid JSON: {exc}",
                             'use {"keys": ["..."]}, a JSON list, or one key per line') from exc
        if isinstance(doc, dict):
            doc = doc.get("keys") or [v for k, v in doc.items() if "key" in k.lower()]
        return [str(k).strip() for k in doc if str(k).strip()]
    return [k.strip() for k in text.replace("\n", ",").split(",") if k.strip()]


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
    keys: list[str] = []
    key_file: Path | None = None
    if os.environ.get("XOPS_API_KEYS"):
        keys = _read_keys(os.environ["XOPS_API_KEYS"])
    elif os.environ.get("XOPS_API_KEYS_FILE"):
        try:
            keys = _read_keys(Path(os.environ["XOPS_API_KEYS_FILE"]).read_text())
        except OSError as exc:
            raise UsageError(f"cannot read XOPS_API_KEYS_FILE: {exc}", "mount the secret file or set XOPS_API_KEYS") from exc
    if not keys:
        key_file = root / "api-key"
        if not key_file.exists():
            root.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(32) + "\n")
        keys = _read_keys(key_file.read_text())
    try:
        return ApiSettings(
            data_dir=root,
            database_url=os.environ.get("XOPS_DATABASE_URL") or None,
            api_keys=keys,
            api_key_file=key_file,
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
                         "check XOPS_DRAIN_SECONDS, XOPS_API_WORKERS, XOPS_STEP_LEASE_SECONDS and "
                         "XOPS_INVENTORY_TTL_SECONDS") from exc
