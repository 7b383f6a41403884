import json

from tests.harness.aws import SandboxAws, fails

from xops.sandbox.moto_server import install_aws_managed_policies

STAR = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
NARROW = json.dumps({"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                                   {"Effect": "Deny", "Action": "*", "Resource": "*"}]})


def test_no_users_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_least_privilege_user_passes(sandbox_aws: SandboxAws) -> None:
    install_aws_managed_policies("123456789012")
    iam = sandbox_aws.client("iam")
    iam.create_user(UserName="reader")
    iam.attach_user_policy(UserName="reader", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.put_user_policy(UserName="reader", PolicyName="narrow", PolicyDocument=NARROW)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [(f.resource_id, f.region) for f in findings] == [("reader", "global")]


def test_admin_managed_inline_and_custom_policies_fail(sandbox_aws: SandboxAws) -> None:
    install_aws_managed_policies("123456789012")
    iam = sandbox_aws.client("iam")
    for name in ("aws-admin", "inline-admin", "custom-admin", "reader"):
        iam.create_user(UserName=name)
    iam.attach_user_policy(UserName="aws-admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.put_user_policy(UserName="inline-admin", PolicyName="everything", PolicyDocument=STAR)
    custom = iam.create_policy(PolicyName="god-mode", PolicyDocument=STAR)["Policy"]["Arn"]
    iam.attach_user_policy(UserName="custom-admin", PolicyArn=custom)
    iam.attach_user_policy(UserName="reader", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    findings = {f.resource_id: f for f in fails(sandbox_aws.run())}
    assert set(findings) == {"aws-admin", "inline-admin", "custom-admin"}
    assert findings["aws-admin"].evidence["admin_grants"] == ["managed:arn:aws:iam::aws:policy/AdministratorAccess"]
    assert findings["inline-admin"].evidence["admin_grants"] == ["inline:everything"]
    assert findings["custom-admin"].evidence["admin_grants"] == [f"managed:{custom}"]
    assert all(f.region == "global" for f in findings.values())
