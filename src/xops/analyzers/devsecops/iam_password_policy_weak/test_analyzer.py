from tests.harness.aws import SandboxAws, failed_ids, fails

ACCOUNT = "123456789012"
STRONG = {"MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": True,
          "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True}


def test_no_policy_fails_on_the_account(sandbox_aws: SandboxAws) -> None:
    findings = fails(sandbox_aws.run())
    assert [(f.resource_id, f.region) for f in findings] == [(ACCOUNT, "global")]
    assert findings[0].evidence == {"password_policy": "none"}


def test_strong_policy_passes(sandbox_aws: SandboxAws) -> None:
    sandbox_aws.client("iam").update_account_password_policy(**STRONG)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [(f.resource_id, f.status.value) for f in findings] == [(ACCOUNT, "PASS")]


def test_weak_policies_fail_and_min_length_param(sandbox_aws: SandboxAws) -> None:
    iam = sandbox_aws.client("iam")
    iam.update_account_password_policy(**{**STRONG, "RequireSymbols": False})
    findings = fails(sandbox_aws.run())
    assert findings[0].evidence["problems"] == ["symbols not required"]
    iam.update_account_password_policy(**{**STRONG, "MinimumPasswordLength": 10})
    findings = fails(sandbox_aws.run())
    assert findings[0].evidence["problems"] == ["minimum length 10 < 14"]
    assert failed_ids(sandbox_aws.run(params={"min_length": 10})) == set()
