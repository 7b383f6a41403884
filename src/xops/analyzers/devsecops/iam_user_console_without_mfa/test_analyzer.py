from tests.harness.aws import SandboxAws, fails


def user(sandbox_aws: SandboxAws, name: str, password: bool = True, mfa: bool = False) -> str:
    iam = sandbox_aws.client("iam")
    iam.create_user(UserName=name)
    if password:
        iam.create_login_profile(UserName=name, Password="Corr3ct-Horse-Battery!")
    if mfa:
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                              AuthenticationCode2="654321")
    return name


def test_no_users_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_mfa_and_programmatic_users_pass(sandbox_aws: SandboxAws) -> None:
    user(sandbox_aws, "alice", mfa=True)
    user(sandbox_aws, "ci-bot", password=False)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert {(f.resource_id, f.region) for f in findings} == {("alice", "global"), ("ci-bot", "global")}


def test_console_user_without_mfa_fails(sandbox_aws: SandboxAws) -> None:
    user(sandbox_aws, "alice", mfa=True)
    bob = user(sandbox_aws, "bob")
    findings = fails(sandbox_aws.run())
    assert [(f.resource_id, f.region) for f in findings] == [(bob, "global")]
    assert findings[0].resource_arn == "arn:aws:iam::123456789012:user/bob"
    assert findings[0].evidence["password_enabled"] == "true" and findings[0].evidence["mfa_active"] == "false"
    assert findings[0].evidence["source"].startswith("IAM credential report generated 20")
