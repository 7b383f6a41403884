from typing import Any

from tests.harness.aws import SandboxAws, failed_ids, fails


def make_sg(sandbox_aws: SandboxAws, name: str, perms: list[dict[str, Any]]) -> str:
    ec2 = sandbox_aws.client("ec2")
    gid = str(ec2.create_security_group(GroupName=name, Description=name)["GroupId"])
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=perms)
    return gid


def tcp(lo: int, hi: int, v4: tuple[str, ...] = (), v6: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": lo, "ToPort": hi, "IpRanges": [{"CidrIp": c} for c in v4],
            "Ipv6Ranges": [{"CidrIpv6": c} for c in v6]}


def test_no_custom_groups_no_fail(sandbox_aws: SandboxAws) -> None:
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert any(f.status == "PASS" for f in findings)  # the default security group was examined


def test_restricted_or_other_ports_pass(sandbox_aws: SandboxAws) -> None:
    clean = [
        make_sg(sandbox_aws, "https", [tcp(443, 443, ("0.0.0.0/0",), ("::/0",))]),
        make_sg(sandbox_aws, "ssh-vpn", [tcp(22, 22, ("10.0.0.0/8",)), tcp(3389, 3389, v6=("2001:db8::/32",))]),
        make_sg(sandbox_aws, "between", [tcp(23, 3388, ("0.0.0.0/0",))]),
        make_sg(sandbox_aws, "internal-all", [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]),
    ]
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert set(clean) <= {f.resource_id for f in findings if f.status == "PASS"}


def test_world_open_admin_ports_fail(sandbox_aws: SandboxAws) -> None:
    ssh = make_sg(sandbox_aws, "ssh", [tcp(22, 22, ("0.0.0.0/0",))])
    rdp6 = make_sg(sandbox_aws, "rdp6", [tcp(3389, 3389, v6=("::/0",))])
    span = make_sg(sandbox_aws, "span", [tcp(20, 25, ("0.0.0.0/0",))])
    allp = make_sg(sandbox_aws, "all", [{"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    make_sg(sandbox_aws, "ok", [tcp(443, 443, ("0.0.0.0/0",))])
    findings = fails(sandbox_aws.run())
    assert {f.resource_id for f in findings} == {ssh, rdp6, span, allp}
    by_id = {f.resource_id: f for f in findings}
    assert by_id[rdp6].evidence["open_rules"] == [
        {"protocol": "tcp", "port_range": "3389-3389", "ports": [3389], "source": "::/0"}]
    assert by_id[allp].evidence["open_rules"][0]["ports"] == [22, 3389]
    assert "22" in by_id[span].message and "0.0.0.0/0" in by_id[span].message


def test_ports_param(sandbox_aws: SandboxAws) -> None:
    ssh = make_sg(sandbox_aws, "ssh", [tcp(22, 22, ("0.0.0.0/0",))])
    db = make_sg(sandbox_aws, "db", [tcp(5432, 5432, ("0.0.0.0/0",))])
    assert failed_ids(sandbox_aws.run()) == {ssh}
    assert failed_ids(sandbox_aws.run(params={"ports": [5432]})) == {db}
