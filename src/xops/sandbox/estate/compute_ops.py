"""Compute domain (DevSecOps and CloudOps analyzers) of the demo estate: VPCs and flow logs, security groups
and the network interfaces that use them, EBS encryption (by default and per volume), and instances with
IMDSv1 or missing tags. Runs after compute_finops, whose instances and volumes are compliant here.

Every resource created here is clean for every other analyzer: instances run, are current-generation and
have an encrypted gp3 root volume; data volumes are gp3 and attached; flow-log groups have a retention
policy; every security group that is not planted as unused is attached to an instance or an ENI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from xops.sandbox.estate.base import REQUIRED_TAGS, Estate

SG_OPEN = "devsecops.ec2_sg_admin_port_open_to_world"
SG_UNUSED = "cloudops.ec2_security_group_unused"
VOL_UNENCRYPTED = "devsecops.ebs_volume_unencrypted"
EBS_DEFAULT = "devsecops.ebs_default_encryption_disabled"
IMDSV1 = "devsecops.ec2_instance_imdsv1_allowed"
TAGS = "cloudops.ec2_instance_missing_required_tags"
FLOW_LOGS = "cloudops.vpc_flow_logs_disabled"

FLOW_ROLE = "xops-vpc-flow-logs"
LOG_GROUP = "/xops/vpc-flow-logs"
MAX_EXTRA_VPCS = 4  # the default quota is 5 VPCs per region (the default VPC is the fifth): not scaled
INSTANCE_TYPES = ["t3.micro", "t3.small", "m5.large", "c5.large"]
# moto gives every instance an unencrypted gp2 root volume unless the mapping says otherwise.
ROOT = [{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8, "VolumeType": "gp3", "Encrypted": True,
                                           "DeleteOnTermination": True}}]
WORLD4, WORLD6 = [{"CidrIp": "0.0.0.0/0"}], [{"CidrIpv6": "::/0"}]


def _perm(proto: str, lo: int | None = None, hi: int | None = None, v4: list[dict[str, str]] | None = None,
          v6: list[dict[str, str]] | None = None) -> dict[str, Any]:
    perm: dict[str, Any] = {"IpProtocol": proto, "IpRanges": v4 or [], "Ipv6Ranges": v6 or []}
    if lo is not None:
        perm.update(FromPort=lo, ToPort=hi if hi is not None else lo)
    return perm


# Ingress rules that reach 22 or 3389 from the whole internet (IPv4 or IPv6, single port, range or all).
OPEN_RULES: list[tuple[str, dict[str, Any]]] = [
    ("ssh-world", _perm("tcp", 22, v4=WORLD4)),
    ("rdp-world-v6", _perm("tcp", 3389, v6=WORLD6)),
    ("all-tcp", _perm("tcp", 0, 65535, v4=WORLD4)),
    ("all-traffic-v6", _perm("-1", v6=WORLD6)),
    ("legacy-20-25", _perm("tcp", 20, 25, v4=WORLD4)),
    ("rdp-range", _perm("tcp", 3380, 3400, v4=WORLD4, v6=WORLD6)),
]
# Look-alikes that are fine: other ports from the world, admin ports from private/known ranges only.
SAFE_RULES: list[tuple[str, dict[str, Any]]] = [
    ("https", _perm("tcp", 443, v4=WORLD4, v6=WORLD6)),
    ("ssh-corp", _perm("tcp", 22, v4=[{"CidrIp": "10.0.0.0/8"}])),
    ("rdp-bastion", _perm("tcp", 3389, v4=[{"CidrIp": "203.0.113.10/32"}], v6=[{"CidrIpv6": "2001:db8::/32"}])),
    ("between-admin-ports", _perm("tcp", 23, 3388, v4=WORLD4)),
    ("internal-all", _perm("-1", v4=[{"CidrIp": "10.0.0.0/16"}])),
    ("dns-udp", _perm("udp", 53, v4=WORLD4)),
]
# How the tag issue looks: required keys dropped, blanked, or spelled in another case.
TAG_FLAWS = ["no-owner", "no-costcentre-env", "blank-environment", "lowercase-owner", "name-only"]


@dataclass
class Region:
    estate: Estate
    account: str
    region: str
    role_arn: str
    ec2: Any = None
    subnet: str = ""
    instances: list[str] = field(default_factory=list)
    devices: dict[str, int] = field(default_factory=dict)
    groups: int = 0

    def __post_init__(self) -> None:
        self.ec2 = self.estate.client(self.account, self.region, "ec2")
        subnets = self.ec2.describe_subnets(Filters=[
            {"Name": "default-for-az", "Values": ["true"]},
            {"Name": "availability-zone", "Values": [f"{self.region}a"]}])["Subnets"]
        self.subnet = subnets[0]["SubnetId"]

    def issue(self, analyzer_id: str, resource_id: str, note: str) -> None:
        self.estate.issue(analyzer_id, self.account, self.region, resource_id, None, note=note)

    def clean(self, analyzer_id: str, resource_id: str, note: str) -> None:
        self.estate.clean(analyzer_id, self.account, self.region, resource_id, note=note)

    # -- EBS encryption by default ----------------------------------------------------------------------
    def ebs_default(self, enabled: bool) -> None:
        if enabled:
            self.ec2.enable_ebs_encryption_by_default()
            self.clean(EBS_DEFAULT, self.account, "encryption by default enabled")
        else:
            self.issue(EBS_DEFAULT, self.account, "encryption by default left off")

    # -- VPCs and flow logs -----------------------------------------------------------------------------
    def vpcs(self, n: int) -> None:
        rng = self.estate.rng
        default = self.ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        logged: list[str] = []
        plan = [(default, "default VPC", rng.random() < 0.5)]
        for i in range(min(self.estate.count(2), MAX_EXTRA_VPCS)):
            vid = self.ec2.create_vpc(CidrBlock=f"10.{n + i}.0.0/16", TagSpecifications=[
                {"ResourceType": "vpc", "Tags": self.estate.tags(Name=f"app-{n + i}")}])["Vpc"]["VpcId"]
            plan.append((vid, "VPC", i % 2 == 0))
        for vid, kind, on in plan:
            if on:
                logged.append(vid)
                self.clean(FLOW_LOGS, vid, f"{kind} with a flow log to {LOG_GROUP}")
            else:
                self.issue(FLOW_LOGS, vid, f"{kind} without flow logs")
        if logged:
            logs = self.estate.client(self.account, self.region, "logs")
            logs.create_log_group(logGroupName=LOG_GROUP, tags=dict(REQUIRED_TAGS))
            logs.put_retention_policy(logGroupName=LOG_GROUP, retentionInDays=rng.choice([30, 90, 365]))
            self.ec2.create_flow_logs(ResourceIds=logged, ResourceType="VPC", TrafficType="ALL",
                                      LogGroupName=LOG_GROUP, DeliverLogsPermissionArn=self.role_arn)

    # -- security groups --------------------------------------------------------------------------------
    def security_group(self, label: str, perm: dict[str, Any]) -> str:
        self.groups += 1
        name = f"{label}-{self.groups:03d}"
        gid = str(self.ec2.create_security_group(
            GroupName=name, Description=f"xops estate: {label}",
            TagSpecifications=[{"ResourceType": "security-group", "Tags": self.estate.tags()}])["GroupId"])
        self.ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[perm])
        return gid

    def security_groups(self) -> list[str]:
        """Create the groups, record them, and return those to attach (the rest are planted as unused)."""
        rng, attach = self.estate.rng, []
        for _ in range(self.estate.count(2)):
            label, perm = rng.choice(OPEN_RULES)
            gid = self.security_group(label, perm)
            self.issue(SG_OPEN, gid, f"{label}: {perm['IpProtocol']} {perm.get('FromPort', 'all')} from the internet")
            if rng.random() < 0.25:
                self.issue(SG_UNUSED, gid, "world-open and attached to nothing")
            else:
                attach.append(gid)
                self.clean(SG_UNUSED, gid, "attached")
        for i in range(self.estate.count(2)):
            label, perm = rng.choice(SAFE_RULES)
            gid = self.security_group(label, perm)
            self.clean(SG_OPEN, gid, f"{label}: no admin port open to the internet")
            if i % 2 == 1:
                self.issue(SG_UNUSED, gid, f"{label}: attached to nothing")
            else:
                attach.append(gid)
                self.clean(SG_UNUSED, gid, "attached")
        rng.shuffle(attach)
        return attach

    # -- instances and volumes --------------------------------------------------------------------------
    def instance(self, sg: str | None, *, tags: list[dict[str, str]] | None = None, imdsv2: bool = True) -> str:
        extra: dict[str, Any] = {"SecurityGroupIds": [sg]} if sg else {}
        iid = self.estate.run_instance(self.account, self.region, self.estate.rng.choice(INSTANCE_TYPES), tags=tags,
                                       imdsv2=imdsv2, SubnetId=self.subnet, BlockDeviceMappings=ROOT, **extra)
        self.instances.append(iid)
        return iid

    def flawed_tags(self, flaw: str) -> list[dict[str, str]]:
        tags = dict(REQUIRED_TAGS, Name=f"legacy-{flaw}")
        if flaw == "no-owner":
            del tags["Owner"]
        elif flaw == "no-costcentre-env":
            del tags["CostCentre"], tags["Environment"]
        elif flaw == "blank-environment":
            tags["Environment"] = ""
        elif flaw == "lowercase-owner":
            tags["owner"] = tags.pop("Owner")
        else:
            tags = {"Name": tags["Name"]}
        return [{"Key": k, "Value": v} for k, v in tags.items()]

    def instances_and_enis(self, attach: list[str]) -> None:
        rng = self.estate.rng
        for _ in range(self.estate.count(2)):
            iid = self.instance(attach.pop() if attach else None, imdsv2=False)
            self.issue(IMDSV1, iid, "HttpTokens optional")
            self.clean(TAGS, iid, "all required tags")
        for _ in range(self.estate.count(2)):
            flaw = rng.choice(TAG_FLAWS)
            iid = self.instance(attach.pop() if attach else None, tags=self.flawed_tags(flaw))
            self.issue(TAGS, iid, flaw)
            self.clean(IMDSV1, iid, "IMDSv2 required")
        while attach:  # the rest sit on standalone interfaces (up to 5 groups each, as in AWS)
            groups, attach = attach[:5], attach[5:]
            self.ec2.create_network_interface(SubnetId=self.subnet, Groups=groups, Description="xops estate",
                                              TagSpecifications=[{"ResourceType": "network-interface",
                                                                  "Tags": self.estate.tags()}])

    def volume(self, encrypted: bool) -> str:
        size = self.estate.rng.choice([10, 50, 100, 200])
        vid = self.estate.create_volume(self.account, self.region, size, "gp3", encrypted=encrypted)
        iid = self.instances[sum(self.devices.values()) % len(self.instances)]  # round robin: few per instance
        n = self.devices[iid] = self.devices.get(iid, 0) + 1
        self.ec2.attach_volume(VolumeId=vid, InstanceId=iid, Device=f"/dev/sd{chr(ord('e') + n)}")
        return vid

    def volumes(self) -> None:
        for _ in range(self.estate.count(2)):
            self.issue(VOL_UNENCRYPTED, self.volume(encrypted=False), "unencrypted gp3 data volume, attached")
        roots = self.ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": self.instances},
                                                   {"Name": "attachment.device", "Values": ["/dev/sda1"]}])
        for vol in roots["Volumes"]:
            self.clean(VOL_UNENCRYPTED, vol["VolumeId"], "encrypted gp3 root volume")


def flow_logs_role(estate: Estate, account: str) -> str:
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                      "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}}]}
    iam = estate.client(account, estate.regions[0], "iam")
    arn = iam.create_role(RoleName=FLOW_ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
        "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"]}]}
    iam.put_role_policy(RoleName=FLOW_ROLE, PolicyName="deliver-flow-logs", PolicyDocument=json.dumps(policy))
    return str(arn)


def plant(estate: Estate) -> None:
    pairs = [(a, r) for a in estate.accounts for r in estate.regions]
    ebs_off = set(estate.rng.sample(pairs, 2))  # account-level setting: two of the six stay off
    for account in estate.accounts:
        role_arn = flow_logs_role(estate, account)
        for n, region in enumerate(estate.regions):
            r = Region(estate, account, region, role_arn)
            r.ebs_default((account, region) not in ebs_off)
            r.vpcs(n * 50 + 1)
            r.instances_and_enis(r.security_groups())
            r.volumes()
