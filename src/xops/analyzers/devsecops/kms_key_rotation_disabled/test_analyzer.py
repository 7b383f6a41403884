from tests.harness.aws import SandboxAws, failed_ids, fails

from xops.sandbox.moto_server import backend


def test_no_keys_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_rotating_key_passes_and_out_of_scope_keys_pass_with_the_reason(sandbox_aws: SandboxAws) -> None:
    kms = sandbox_aws.client("kms")
    rotating = kms.create_key(Description="app data")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=rotating)
    asymmetric = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    disabled = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=disabled)
    # What moto does on the first encrypted EBS volume: an "AWS managed" key aliased alias/aws/ebs (AWS
    # rotates those itself; customers cannot create alias/aws/* names).
    managed = kms.create_key()["KeyMetadata"]["KeyId"]
    backend("kms", sandbox_aws.account_id, sandbox_aws.region).create_alias(managed, "alias/aws/ebs")
    assert any(a["AliasName"] == "alias/aws/ebs" and a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"])
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert sorted((f.resource_id, f.status.value) for f in findings) == sorted(
        [(rotating, "PASS"), (asymmetric, "PASS"), (disabled, "PASS")])  # the AWS managed key is skipped
    reasons = {f.resource_id: f.message for f in findings}
    assert "does not apply (Disabled" in reasons[disabled] and "ECC_NIST_P256" in reasons[asymmetric]


def test_customer_key_without_rotation_fails(sandbox_aws: SandboxAws) -> None:
    kms = sandbox_aws.client("kms")
    stale = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/payments", TargetKeyId=stale["KeyId"])
    rotating = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=rotating)
    findings = fails(sandbox_aws.run())
    assert [(f.resource_id, f.region) for f in findings] == [(stale["KeyId"], sandbox_aws.region)]
    assert findings[0].resource_arn == stale["Arn"]
    assert findings[0].evidence["aliases"] == ["alias/payments"] and "alias/payments" in findings[0].message
    other = sandbox_aws.client("kms", "eu-west-1").create_key()["KeyMetadata"]["KeyId"]
    assert failed_ids(sandbox_aws.run(regions=["eu-west-1"])) == {other}
