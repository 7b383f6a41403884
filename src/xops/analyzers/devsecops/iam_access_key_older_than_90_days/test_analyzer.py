from tests.harness.aws import SandboxAws, failed_ids, fails

from xops.sandbox.aging import age_access_key

ACCOUNT = "123456789012"


def key(sandbox_aws: SandboxAws, user: str, age_days: float, active: bool = True) -> str:
    iam = sandbox_aws.client("iam")
    iam.create_user(UserName=user)
    kid = iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"]
    age_access_key(ACCOUNT, user, kid, age_days)
    if not active:
        iam.update_access_key(UserName=user, AccessKeyId=kid, Status="Inactive")
    return str(kid)


def test_no_users_no_fail(sandbox_aws: SandboxAws) -> None:
    sandbox_aws.client("iam").create_user(UserName="keyless")
    assert fails(sandbox_aws.run()) == []


def test_recent_and_inactive_keys_pass(sandbox_aws: SandboxAws) -> None:
    fresh = key(sandbox_aws, "fresh", 30)
    parked = key(sandbox_aws, "parked", 400, active=False)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert {f.resource_id for f in findings} == {fresh, parked}


def test_old_active_key_fails_and_max_age_param(sandbox_aws: SandboxAws) -> None:
    old = key(sandbox_aws, "old", 120)
    mid = key(sandbox_aws, "mid", 60)
    findings = fails(sandbox_aws.run())
    assert [(f.resource_id, f.region) for f in findings] == [(old, "global")]
    assert findings[0].evidence["age_days"] == 120 and findings[0].evidence["user"] == "old"
    assert failed_ids(sandbox_aws.run(params={"max_age_days": 45})) == {old, mid}
    assert failed_ids(sandbox_aws.run(params={"max_age_days": 200})) == set()
