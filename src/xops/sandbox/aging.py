"""Set resource ages inside moto's in-memory backends (everything moto creates is created "now").

Only valid in the process that runs the moto server (the sandbox, and the analyzer tests' fixture).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from xops.sandbox.moto_server import backend


def days_ago(days: float) -> datetime:
    """A naive UTC datetime `days` ago (moto stores naive UTC)."""
    return datetime.now(UTC).replace(tzinfo=None) - timedelta(days=days)


def age_volume(account_id: str, region: str, volume_id: str, days: float) -> None:
    backend("ec2", account_id, region).volumes[volume_id].create_time = days_ago(days)


def age_snapshot(account_id: str, region: str, snapshot_id: str, days: float) -> None:
    backend("ec2", account_id, region).snapshots[snapshot_id].start_time = days_ago(days)


def age_access_key(account_id: str, user_name: str, access_key_id: str, days: float) -> None:
    user = backend("iam", account_id, "global").users[user_name]
    for key in user.access_keys:
        if key.access_key_id == access_key_id:
            key.create_date = days_ago(days)
            return
    raise KeyError(f"no access key {access_key_id} for {user_name}")


def age_user(account_id: str, user_name: str, days: float) -> None:
    backend("iam", account_id, "global").users[user_name].create_date = days_ago(days)


def stop_instance_since(account_id: str, region: str, instance_id: str, days: float) -> None:
    """Mark a stopped instance as stopped `days` ago (StateTransitionReason carries the date, as in AWS)."""
    inst = backend("ec2", account_id, region).get_instance(instance_id)
    when = days_ago(days)
    inst._reason = f"User initiated ({when:%Y-%m-%d %H:%M:%S} GMT)"


def expire_certificate(account_id: str, region: str, certificate_arn: str, days: float) -> None:
    """Make an imported self-signed ACM certificate expired since `days` ago (ACM refuses to import expired
    certificates): re-sign it with the same key, subject and serial and the new NotAfter."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    bundle = backend("acm", account_id, region)._certificates[certificate_arn]
    key = serialization.load_pem_private_key(bundle.key, password=None)
    old = bundle._cert
    not_after = days_ago(days)
    not_before = min(old.not_valid_before_utc.replace(tzinfo=None), not_after - timedelta(days=365))
    builder = (x509.CertificateBuilder().subject_name(old.subject).issuer_name(old.issuer)
               .public_key(old.public_key()).serial_number(old.serial_number)
               .not_valid_before(not_before).not_valid_after(not_after))
    for ext in old.extensions:
        builder = builder.add_extension(ext.value, ext.critical)
    new = builder.sign(key, hashes.SHA256())  # type: ignore[arg-type]
    bundle.cert = new.public_bytes(serialization.Encoding.PEM)
    bundle._cert = new
    bundle.status = "EXPIRED"


def queue_cost_and_usage(account_id: str, result: dict[str, object]) -> None:
    """Queue one Cost Explorer GetCostAndUsage answer for an account (what moto's
    POST /moto-api/static/ce/cost-and-usage-results does, without the HTTP round trip)."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.set_ce_cost_usage(result=result, account_id=account_id)
