"""EC2 and VPC resources: instances, volumes, snapshots, Elastic IPs, NAT gateways, security groups,
network interfaces, VPCs and flow logs; EBS encryption by default; the CPU and NAT metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasPath, Field

from xops.resources.base import Listing, Metric, Resource, Setting, Spec
from xops.resources.ops import Op

GONE_STATES = frozenset({"terminated", "shutting-down"})


def _ec2_arn(kind: str) -> str:
    return "arn:{partition}:ec2:{region}:{account}:" + kind + "/{id}"


class Instance(Resource):
    """A live EC2 instance (terminated and shutting-down instances are not listed)."""

    spec = Spec(type="AWS::EC2::Instance", noun="instance", id="InstanceId", arn=_ec2_arn("instance"),
                list=Listing(Op("ec2", "describe_instances", "Reservations"), flatten="Instances"),
                gone=lambda raw: raw.get("State", {}).get("Name", "") in GONE_STATES)

    instance_type: str = Field("", alias="InstanceType")
    state: str = Field("", validation_alias=AliasPath("State", "Name"))
    state_reason: str = Field("", alias="StateTransitionReason")
    http_tokens: str = Field("optional", validation_alias=AliasPath("MetadataOptions", "HttpTokens"))
    http_endpoint: str = Field("enabled", validation_alias=AliasPath("MetadataOptions", "HttpEndpoint"))
    launch_time: datetime | None = Field(None, alias="LaunchTime")


class Volume(Resource):
    spec = Spec(type="AWS::EC2::Volume", noun="EBS volume", id="VolumeId", arn=_ec2_arn("volume"),
                list=Listing(Op("ec2", "describe_volumes", "Volumes")))

    size_gib: int = Field(alias="Size")
    volume_type: str = Field("gp2", alias="VolumeType")
    state: str = Field("", alias="State")
    encrypted: bool = Field(False, alias="Encrypted")
    iops: int | None = Field(None, alias="Iops")
    kms_key_id: str = Field("", alias="KmsKeyId")
    snapshot_id: str = Field("", alias="SnapshotId")
    create_time: datetime | None = Field(None, alias="CreateTime")
    attachments: list[dict[str, Any]] = Field(default_factory=list, alias="Attachments")

    @property
    def attached_to(self) -> list[str]:
        return [a["InstanceId"] for a in self.attachments if a.get("InstanceId")]


class Snapshot(Resource):
    """An EBS snapshot this account owns."""

    spec = Spec(type="AWS::EC2::Snapshot", noun="EBS snapshot", id="SnapshotId",
                arn="arn:{partition}:ec2:{region}::snapshot/{id}",
                list=Listing(Op("ec2", "describe_snapshots", "Snapshots"), params={"OwnerIds": ["self"]}))

    start_time: datetime = Field(alias="StartTime")
    volume_size_gib: int = Field(0, alias="VolumeSize")
    volume_id: str = Field("", alias="VolumeId")
    description: str = Field("", alias="Description")


class Address(Resource):
    """An Elastic IP address (id: its allocation id, or the address itself for EC2-Classic)."""

    spec = Spec(type="AWS::EC2::EIP", noun="Elastic IP", arn=_ec2_arn("elastic-ip"),
                id=lambda raw: str(raw.get("AllocationId") or raw["PublicIp"]),
                list=Listing(Op("ec2", "describe_addresses", "Addresses")))

    public_ip: str = Field(alias="PublicIp")
    domain: str = Field("", alias="Domain")
    association_id: str = Field("", alias="AssociationId")
    instance_id: str = Field("", alias="InstanceId")
    network_interface_id: str = Field("", alias="NetworkInterfaceId")

    @property
    def associated_with(self) -> str:
        return self.association_id or self.instance_id or self.network_interface_id


class NatGateway(Resource):
    spec = Spec(type="AWS::EC2::NatGateway", noun="NAT gateway", id="NatGatewayId", arn=_ec2_arn("natgateway"),
                list=Listing(Op("ec2", "describe_nat_gateways", "NatGateways")))

    state: str = Field("", alias="State")
    vpc_id: str = Field("", alias="VpcId")
    subnet_id: str = Field("", alias="SubnetId")


class SecurityGroup(Resource):
    spec = Spec(type="AWS::EC2::SecurityGroup", noun="security group", id="GroupId",
                arn=lambda raw, partition, account, region: str(
                    raw.get("SecurityGroupArn")
                    or f"arn:{partition}:ec2:{region}:{account}:security-group/{raw['GroupId']}"),
                list=Listing(Op("ec2", "describe_security_groups", "SecurityGroups")))

    group_name: str = Field("", alias="GroupName")
    vpc_id: str = Field("", alias="VpcId")
    ingress: list[dict[str, Any]] = Field(default_factory=list, alias="IpPermissions")


class NetworkInterface(Resource):
    spec = Spec(type="AWS::EC2::NetworkInterface", noun="network interface", id="NetworkInterfaceId",
                arn=_ec2_arn("network-interface"),
                list=Listing(Op("ec2", "describe_network_interfaces", "NetworkInterfaces")))

    groups: list[dict[str, Any]] = Field(default_factory=list, alias="Groups")

    @property
    def group_ids(self) -> list[str]:
        return [g["GroupId"] for g in self.groups]


class Vpc(Resource):
    spec = Spec(type="AWS::EC2::VPC", noun="VPC", id="VpcId", arn=_ec2_arn("vpc"),
                list=Listing(Op("ec2", "describe_vpcs", "Vpcs")))

    is_default: bool = Field(False, alias="IsDefault")
    cidr_block: str = Field("", alias="CidrBlock")


class FlowLog(Resource):
    spec = Spec(type="AWS::EC2::FlowLog", noun="flow log", id="FlowLogId", arn=_ec2_arn("vpc-flow-log"),
                list=Listing(Op("ec2", "describe_flow_logs", "FlowLogs")))

    resource_id: str = Field("", alias="ResourceId")
    status: str = Field("ACTIVE", alias="FlowLogStatus")
    traffic_type: str = Field("", alias="TrafficType")
    destination_type: str = Field("", alias="LogDestinationType")
    destination: str = Field("", alias="LogDestination")
    log_group_name: str = Field("", alias="LogGroupName")


EBS_ENCRYPTION_BY_DEFAULT = Setting(
    "EBS encryption by default", Op("ec2", "get_ebs_encryption_by_default"),
    parse=lambda answer: bool(answer.get("EbsEncryptionByDefault")))

CPU_DAILY_AVERAGE = Metric("AWS/EC2", "CPUUtilization", "InstanceId", "Average")
NAT_BYTES_OUT_DAILY = Metric("AWS/NATGateway", "BytesOutToDestination", "NatGatewayId", "Sum")
