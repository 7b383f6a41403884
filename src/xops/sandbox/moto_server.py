"""Run moto in server mode inside this process (so the estate can age resources in moto's backends)."""

from __future__ import annotations

import functools
import json
import os
import socket
from typing import Any

import requests

# Settings moto reads from the environment; they must be set before moto is imported.
MOTO_ENV = {
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",  # else ~1,300 foreign snapshots per region
    # Loading all ~1,300 AWS managed policies costs ~3 s per account and again after every reset;
    # `install_aws_managed_policies` adds just the ones the estate and tests use.
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "false",
}
AWS_MANAGED_POLICIES = ("AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "SecurityAudit")
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
MANAGEMENT_ACCOUNT = "123456789012"  # moto's default account
# Address moto binds: 127.0.0.1 unless XOPS_SANDBOX_BIND says otherwise (0.0.0.0 in the docker-compose
# `sandbox` profile, so the other containers reach it as http://sandbox:5050).
BIND_ENV = "XOPS_SANDBOX_BIND"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MotoServer:
    """A moto server on 127.0.0.1 (or $XOPS_SANDBOX_BIND) in a background thread of this process."""

    def __init__(self, port: int = 0) -> None:
        for k, v in MOTO_ENV.items():
            os.environ.setdefault(k, v)
        from moto.server import ThreadedMotoServer

        _share_kms_key_material()
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.bind = os.environ.get(BIND_ENV, "").strip() or "127.0.0.1"
        self._server: Any = ThreadedMotoServer(ip_address=self.bind, port=self.port, verbose=False)

    def start(self) -> MotoServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def reset(self) -> None:
        requests.post(f"{self.endpoint}/moto-api/reset", timeout=30).raise_for_status()

    def seed_random(self, seed: int) -> None:
        """Make moto's generated ids (vol-…, account ids) deterministic."""
        requests.post(f"{self.endpoint}/moto-api/seed", params={"a": str(seed)}, timeout=30).raise_for_status()

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@functools.cache
def _share_kms_key_material() -> None:
    """moto generates a fresh RSA-2048 private key for every KMS key, symmetric ones included (~0.5 s
    each here; encrypted EBS volumes and DynamoDB tables create keys implicitly). In the sandbox, one
    generated key per key spec serves all keys: moto only uses it to sign and verify."""
    import moto.kms.models as kms_models

    original = kms_models.generate_private_key
    generated: dict[str, Any] = {}

    def shared(key_spec: str) -> Any:
        if key_spec not in generated:
            generated[key_spec] = original(key_spec)
        return generated[key_spec]

    kms_models.generate_private_key = shared


def backend(service: str, account_id: str, region: str) -> Any:
    """moto's in-memory backend for a service, account and region (only valid in moto's own process)."""
    from moto.backends import get_backend

    return get_backend(service)[account_id][region]  # type: ignore[index]


@functools.cache
def _managed_policy_data() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return dict(json.loads(aws_managed_policies_data))


def install_aws_managed_policies(account_id: str, names: tuple[str, ...] = AWS_MANAGED_POLICIES) -> None:
    """Make these AWS managed policies (arn:aws:iam::aws:policy/NAME) exist in one account's IAM."""
    from moto.iam.models import AWSManagedPolicy

    iam = backend("iam", account_id, "global")
    data = _managed_policy_data()
    for name in names:
        policy = AWSManagedPolicy.from_data(name, account_id, "global", data[name])
        if policy.arn not in iam.managed_policies:
            iam.aws_managed_policies.append(policy)
            iam.managed_policies[policy.arn] = policy
