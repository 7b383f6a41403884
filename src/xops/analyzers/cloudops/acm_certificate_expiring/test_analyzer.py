from datetime import UTC, datetime, timedelta

from tests.harness.aws import SandboxAws, failed_ids, fails

from xops.sandbox import aging
from xops.sandbox.estate.build import self_signed


def import_cert(sandbox_aws: SandboxAws, domain: str, days: int) -> str:
    """An imported self-signed certificate expiring in `days` days (negative: expired that long ago)."""
    pem, key = self_signed(domain, datetime.now(UTC) + timedelta(days=max(days, 1), hours=1))
    arn: str = sandbox_aws.client("acm").import_certificate(Certificate=pem, PrivateKey=key)["CertificateArn"]
    if days < 0:
        aging.expire_certificate(sandbox_aws.account_id, sandbox_aws.region, arn, -days)
    return arn


def test_no_certificates_no_fail(sandbox_aws: SandboxAws) -> None:
    assert sandbox_aws.run() == []


def test_valid_certificate_passes(sandbox_aws: SandboxAws) -> None:
    arn = import_cert(sandbox_aws, "www.example.com", 200)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [f.resource_id for f in findings] == [arn]


def test_expiring_and_expired_certificates_fail(sandbox_aws: SandboxAws) -> None:
    soon = import_cert(sandbox_aws, "soon.example.com", 10)
    expired = import_cert(sandbox_aws, "old.example.com", -5)
    import_cert(sandbox_aws, "fine.example.com", 200)
    findings = fails(sandbox_aws.run())
    assert {f.resource_id for f in findings} == {soon, expired}
    by_id = {f.resource_id: f for f in findings}
    assert by_id[soon].evidence["domain"] == "soon.example.com" and 9 < by_id[soon].evidence["days_left"] <= 10.1
    assert "expires on" in by_id[soon].message
    assert by_id[expired].evidence["days_left"] < -4.9 and "expired on" in by_id[expired].message
    assert by_id[expired].evidence["status"] == "EXPIRED"


def test_days_param(sandbox_aws: SandboxAws) -> None:
    soon = import_cert(sandbox_aws, "soon.example.com", 10)
    later = import_cert(sandbox_aws, "later.example.com", 45)
    assert failed_ids(sandbox_aws.run(params={"days": 5})) == set()
    assert failed_ids(sandbox_aws.run(params={"days": 60})) == {soon, later}
