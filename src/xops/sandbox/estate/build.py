"""Builders of the demo estate: every resource is compliant by default, for every analyzer.

A planter asks for a resource and overrides the one property its analyzer checks (`place.volume(50,
attached=False)` is an unattached volume that is otherwise encrypted, gp3, tagged and recent), so a
planter never needs to know the other analyzers. When a new analyzer checks a new property of an existing
type, its compliant value is added here, once.

Compliant defaults: tags (Owner, CostCentre, Environment, and a cost centre alternating between two),
encryption on, IMDSv2 required, current-generation types, busy CPU and network metrics for instances and
NAT gateways, volumes attached, Elastic IPs associated, security groups attached with no world-open admin
port, buckets encrypted with all public access blocked, versioning and a lifecycle rule, databases
encrypted, private, Multi-AZ with 14 days of backups, load balancers with targets and access logs, current
Lambda runtimes, alarms that notify, log groups with a retention, tables with point-in-time recovery,
certificates valid for months, KMS keys rotating, IAM users with MFA, young keys and no admin policy.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from xops.pricing.book import PriceBook
from xops.sandbox import aging

if TYPE_CHECKING:
    from xops.sandbox.estate.base import Estate

PRICES = PriceBook()  # the offline table: the sandbox never answers the Pricing API
HOURS = PRICES.hours_per_month
CURRENT_TYPES = ("t3.micro", "t3.small", "t3.medium", "t3.large", "m5.large", "c5.large", "r5.large", "m6i.large")
AMI = "ami-12c6146b"
METRIC_DAYS = 14
PAB_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
ALL_BLOCKED = dict.fromkeys(PAB_FLAGS, True)
LIFECYCLE_RULES = [{"ID": "baseline", "Status": "Enabled", "Filter": {},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
                    "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]}]
STRONG_PASSWORDS = {"MinimumPasswordLength": 16, "RequireSymbols": True, "RequireNumbers": True,
                    "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
                    "AllowUsersToChangePassword": True, "PasswordReusePrevention": 24, "MaxPasswordAge": 90}


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(service: str) -> str:
    return policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": service}})


@cache
def lambda_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return {'ok': True}\n")
    return buf.getvalue()


@cache
def _cert_key() -> Any:
    # EC keys only: loading an RSA private key (moto validates it on import) costs ~0.4 s each
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


def self_signed(domain: str, not_after: datetime) -> tuple[bytes, bytes]:
    """A self-signed certificate for `domain` valid until `not_after`, and its private key (PEM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = _cert_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(datetime.now(UTC) - timedelta(days=365)).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
            .sign(key, hashes.SHA256()))
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), pem_key


class Place:
    """One account and region of the estate: its clients and the compliant builders."""

    def __init__(self, estate: Estate, account: str, region: str) -> None:
        self.estate, self.account, self.region = estate, account, region
        self.metric_data: dict[str, list[dict[str, Any]]] = {}
        self._subnets: list[str] | None = None
        self._vpc: str | None = None
        self._host: tuple[str, int, list[dict[str, str]]] | None = None  # (instance id, volumes, its tags)

    def client(self, service: str) -> Any:
        return self.estate.client(self.account, self.region, service)

    @property
    def ec2(self) -> Any:
        return self.client("ec2")

    def name(self, prefix: str) -> str:
        """A name unique in the whole estate: prefix-01, prefix-02, ... (so an id names one resource)."""
        return self.estate.name(prefix)

    def tags(self, **extra: str) -> list[dict[str, str]]:
        return self.estate.tags(**extra)

    def tag_dict(self, **extra: str) -> dict[str, str]:
        return {t["Key"]: t["Value"] for t in self.tags(**extra)}

    # -- network -------------------------------------------------------------------------------------
    def subnets(self) -> list[str]:
        """The default VPC's default subnets, by availability zone."""
        if self._subnets is None:
            found = self.ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
            found.sort(key=lambda s: s["AvailabilityZone"])
            self._subnets = [s["SubnetId"] for s in found]
            self._vpc = found[0]["VpcId"]
        return self._subnets

    def default_vpc(self) -> str:
        self.subnets()
        assert self._vpc is not None
        return self._vpc

    def default_security_group(self) -> str:
        groups = self.ec2.describe_security_groups(Filters=[
            {"Name": "vpc-id", "Values": [self.default_vpc()]}, {"Name": "group-name", "Values": ["default"]}])
        return str(groups["SecurityGroups"][0]["GroupId"])

    # -- EC2 -----------------------------------------------------------------------------------------
    def instance(self, instance_type: str = "t3.micro", *, tags: list[dict[str, str]] | None = None,
                 imdsv2: bool = True, root_gb: int = 8, data: tuple[int, str] | None = None,
                 cpu: tuple[float, float] = (20.0, 85.0), security_group: str | None = None) -> str:
        """A running instance: tagged, IMDSv2 required, an encrypted gp3 root (and optional encrypted data
        volume), CPU metrics in `cpu` percent every day (busy by default)."""
        disks = [("/dev/sda1", root_gb, "gp3")] + ([("/dev/sdf", *data)] if data else [])
        mapping = [{"DeviceName": dev, "Ebs": {"VolumeSize": size, "VolumeType": vtype, "Encrypted": True,
                                               "DeleteOnTermination": True}} for dev, size, vtype in disks]
        extra: dict[str, Any] = {"SecurityGroupIds": [security_group]} if security_group else {}
        res = self.ec2.run_instances(
            ImageId=AMI, MinCount=1, MaxCount=1, InstanceType=instance_type, BlockDeviceMappings=mapping,
            SubnetId=self.estate.rng.choice(self.subnets()),
            TagSpecifications=[{"ResourceType": "instance", "Tags": self.tags() if tags is None else tags}],
            MetadataOptions={"HttpTokens": "required" if imdsv2 else "optional", "HttpEndpoint": "enabled"},
            **extra)
        iid = str(res["Instances"][0]["InstanceId"])
        rng = self.estate.rng
        self.metrics("AWS/EC2", "CPUUtilization", "InstanceId", iid,
                     [round(rng.uniform(*cpu), 2) for _ in range(METRIC_DAYS)], "Percent")
        return iid

    def stop(self, instance_id: str, days: int) -> None:
        self.ec2.stop_instances(InstanceIds=[instance_id])
        aging.stop_instance_since(self.account, self.region, instance_id, days)

    def host(self) -> tuple[str, int, list[dict[str, str]]]:
        """A compliant instance that compliant loose volumes are attached to (a new one every 10 volumes)."""
        if self._host is None or self._host[1] >= 10:
            tags = self.tags()
            self._host = (self.instance(tags=tags), 0, tags)
        return self._host

    def volume(self, size: int, volume_type: str = "gp3", *, encrypted: bool = True, attached: bool = True) -> str:
        """An EBS volume, attached to a compliant instance unless `attached=False`. An attached volume carries
        its instance's tags (cost centre included), as a snapshot carries its volume's."""
        host = self.host() if attached else None
        res = self.ec2.create_volume(Size=size, AvailabilityZone=f"{self.region}a", VolumeType=volume_type,
                                     Encrypted=encrypted, TagSpecifications=[{"ResourceType": "volume",
                                                                              "Tags": host[2] if host else self.tags()}])
        vid = str(res["VolumeId"])
        if host is not None:
            iid, n, tags = host
            self._host = (iid, n + 1, tags)
            self.ec2.attach_volume(VolumeId=vid, InstanceId=iid, Device=f"/dev/sd{chr(ord('g') + n)}")
        return vid

    def snapshot(self, days: int = 10, volume_id: str | None = None) -> tuple[str, int]:
        """A snapshot `days` old of `volume_id` (default: a new compliant 20 GiB volume); (id, GiB)."""
        vid = volume_id or self.volume(20)
        volume = self.ec2.describe_volumes(VolumeIds=[vid])["Volumes"][0]
        sid = str(self.ec2.create_snapshot(VolumeId=vid, Description=f"xops estate backup of {vid}",
                                           TagSpecifications=[{"ResourceType": "snapshot", "Tags": volume["Tags"]}]
                                           )["SnapshotId"])
        size = int(volume["Size"])
        aging.age_snapshot(self.account, self.region, sid, days)
        return sid, size

    def elastic_ip(self, *, associated: bool = True) -> str:
        """An Elastic IP, associated with a compliant instance unless `associated=False`."""
        alloc = str(self.ec2.allocate_address(
            Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": self.tags()}])["AllocationId"])
        if associated:
            self.ec2.associate_address(AllocationId=alloc, InstanceId=self.instance())
        return alloc

    def nat_gateway(self, *, bytes_out: tuple[float, float] = (2e8, 4e9)) -> tuple[str, float]:
        """A NAT gateway (its Elastic IP is associated with it) sending `bytes_out` bytes a day; returns its
        id and the bytes it sent over the metric days."""
        alloc = self.elastic_ip(associated=False)
        nid = str(self.ec2.create_nat_gateway(
            SubnetId=self.estate.rng.choice(self.subnets()), AllocationId=alloc,
            TagSpecifications=[{"ResourceType": "natgateway", "Tags": self.tags()}])["NatGateway"]["NatGatewayId"])
        values = [float(int(self.estate.rng.uniform(*bytes_out))) for _ in range(METRIC_DAYS)]
        self.metrics("AWS/NATGateway", "BytesOutToDestination", "NatGatewayId", nid, values, "Bytes")
        return nid, sum(values)

    def security_group(self, label: str, ingress: dict[str, Any] | None = None, *, attached: bool = True) -> str:
        """A security group with one ingress rule (default: HTTPS from a private range), attached to a
        compliant instance unless `attached=False`."""
        name = self.name(label)
        gid = str(self.ec2.create_security_group(
            GroupName=name, Description=f"xops estate: {label}", VpcId=self.default_vpc(),
            TagSpecifications=[{"ResourceType": "security-group", "Tags": self.tags()}])["GroupId"])
        rule = ingress or {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                           "IpRanges": [{"CidrIp": "10.0.0.0/8"}], "Ipv6Ranges": []}
        self.ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[rule])
        if attached:
            self.instance(security_group=gid)
        return gid

    def vpc(self, cidr: str, *, flow_logs: bool = True) -> str:
        vid = str(self.ec2.create_vpc(CidrBlock=cidr, TagSpecifications=[
            {"ResourceType": "vpc", "Tags": self.tags(Name=self.name("app-vpc"))}])["Vpc"]["VpcId"])
        if flow_logs:
            self.flow_logs(vid)
        return vid

    def flow_logs(self, vpc_id: str) -> None:
        """A flow log of the VPC to a log group with a retention."""
        group = "/xops/vpc-flow-logs"
        logs = self.client("logs")
        if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
            self.log_group(group)
        self.ec2.create_flow_logs(ResourceIds=[vpc_id], ResourceType="VPC", TrafficType="ALL", LogGroupName=group,
                                  DeliverLogsPermissionArn=self.estate.account(self.account).role(
                                      "xops-vpc-flow-logs", "vpc-flow-logs.amazonaws.com"))

    def metrics(self, namespace: str, name: str, dim: str, value_id: str, values: list[float], unit: str) -> None:
        """Queue one daily datapoint per value (today first); the estate puts them when seeding ends."""
        now = datetime.now(UTC)
        self.metric_data.setdefault(namespace, []).extend(
            {"MetricName": name, "Dimensions": [{"Name": dim, "Value": value_id}],
             "Timestamp": now - timedelta(days=d, hours=2), "Value": v, "Unit": unit} for d, v in enumerate(values))

    def put_metrics(self) -> None:
        cw = self.client("cloudwatch")
        for namespace, data in self.metric_data.items():
            for i in range(0, len(data), 1000):  # PutMetricData takes up to 1,000 datapoints
                cw.put_metric_data(Namespace=namespace, MetricData=data[i:i + 1000])
        self.metric_data.clear()

    # -- storage, databases, load balancers ------------------------------------------------------------
    def bucket(self, label: str, *, encryption: bool = True, public_access_block: dict[str, bool] | None = ALL_BLOCKED,
               versioning: str | None = "Enabled", lifecycle: list[dict[str, Any]] | None = LIFECYCLE_RULES) -> str:
        """An S3 bucket in this region: default encryption, all public access blocked, versioning and an
        enabled lifecycle rule unless overridden (None: not configured)."""
        name = f"xops-{self.account}-{self.region}-{self.name(label)}"
        s3 = self.client("s3")
        conf = {} if self.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": self.region}}
        s3.create_bucket(Bucket=name, **conf)
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": self.tags()})
        if encryption:
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        if public_access_block is not None:
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=public_access_block)
        if versioning == "Suspended":  # suspended means it was enabled once
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if versioning is not None:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
        if lifecycle is not None:
            s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": lifecycle})
        return name

    def db_instance(self, label: str, **overrides: Any) -> str:
        """An RDS DB instance: encrypted, private, Multi-AZ, 14 days of backups, tagged."""
        dbid = self.name(label)
        params = {"DBInstanceClass": "db.t3.micro", "Engine": "postgres", "EngineVersion": "16.3",
                  "AllocatedStorage": 20, "MasterUsername": "dbadmin", "MasterUserPassword": "not-a-real-password-1",
                  "VpcSecurityGroupIds": [self.default_security_group()], "PubliclyAccessible": False,
                  "StorageEncrypted": True, "BackupRetentionPeriod": 14, "MultiAZ": True, "Tags": self.tags(),
                  **overrides}
        self.client("rds").create_db_instance(DBInstanceIdentifier=dbid, **params)
        return dbid

    def load_balancer(self, label: str, kind: str = "application", *, targets: bool = True,
                      listener: bool = True, access_logs: bool = True) -> tuple[str, str]:
        """An internet-facing ALB (or NLB) forwarding to a target group with two registered targets, writing
        access logs; `targets=False` leaves the group empty, `listener=False` leaves it with no group at
        all. Returns (name, kind)."""
        elb = self.client("elbv2")
        name = self.name(f"{'alb' if kind == 'application' else 'nlb'}-{label}")
        extra: dict[str, Any] = {"SecurityGroups": [self.default_security_group()]} if kind == "application" else {}
        arn = elb.create_load_balancer(Name=name, Subnets=self.subnets()[:2], Type=kind, Scheme="internet-facing",
                                       Tags=self.tags(), **extra)["LoadBalancers"][0]["LoadBalancerArn"]
        protocol = "HTTP" if kind == "application" else "TCP"
        if listener:
            tg = elb.create_target_group(Name=f"tg-{name}", Protocol=protocol, Port=80, VpcId=self.default_vpc(),
                                         TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
            elb.create_listener(LoadBalancerArn=arn, Protocol=protocol, Port=80,
                                DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
            if targets:
                rng = self.estate.rng
                ips = sorted({f"172.31.{rng.randint(0, 47)}.{rng.randint(4, 250)}" for _ in range(2)})
                elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": ip, "Port": 80} for ip in ips])
        if access_logs:
            elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
                {"Key": "access_logs.s3.enabled", "Value": "true"},
                {"Key": "access_logs.s3.bucket", "Value": f"xops-demo-elb-logs-{self.account}-{self.region}"},
                {"Key": "access_logs.s3.prefix", "Value": name}])
        return name, kind

    # -- serverless and operations -------------------------------------------------------------------
    def function(self, label: str, runtime: str = "python3.12") -> str:
        name = self.name(label)
        role = self.estate.account(self.account).role("xops-demo-lambda-exec", "lambda.amazonaws.com")
        self.client("lambda").create_function(FunctionName=name, Runtime=runtime, Role=role, Handler="index.handler",
                                              Code={"ZipFile": lambda_zip()}, Tags=self.tag_dict())
        return name

    def alarm(self, label: str, *, actions: bool = True, actions_enabled: bool = True) -> str:
        """A metric alarm notifying an SNS topic (`actions=False`: none; `actions_enabled=False`: disabled)."""
        name = self.name(f"{label}-high")
        topic = self.client("sns").create_topic(Name="ops-alerts")["TopicArn"]
        self.client("cloudwatch").put_metric_alarm(
            AlarmName=name, Namespace="AWS/EC2", MetricName="CPUUtilization", Statistic="Average", Period=300,
            EvaluationPeriods=3, Threshold=90.0, ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[topic] if actions else [], ActionsEnabled=actions_enabled, Tags=self.tags())
        return name

    def log_group(self, name: str, *, retention_days: int | None = 90) -> str:
        logs = self.client("logs")
        logs.create_log_group(logGroupName=name, tags=self.tag_dict())
        if retention_days:
            logs.put_retention_policy(logGroupName=name, retentionInDays=retention_days)
        return name

    def table(self, label: str, *, pitr: bool = True) -> str:
        name = self.name(label)
        ddb = self.client("dynamodb")
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", Tags=self.tags(),
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        if pitr:
            ddb.update_continuous_backups(TableName=name,
                                          PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        return name

    def certificate(self, label: str, *, days_left: int = 200) -> str:
        """An imported certificate that expires in `days_left` days (negative: expired that long ago)."""
        domain = f"{self.name(label)}.example.com"
        pem, key = self_signed(domain, datetime.now(UTC) + timedelta(days=max(days_left, 1)))
        arn = str(self.client("acm").import_certificate(Certificate=pem, PrivateKey=key, Tags=self.tags())
                  ["CertificateArn"])
        if days_left < 0:
            aging.expire_certificate(self.account, self.region, arn, -days_left)
        return arn

    def kms_key(self, label: str, *, rotation: bool = True, enabled: bool = True) -> str:
        """A customer-managed symmetric key with an alias, rotating yearly unless `rotation=False`."""
        kms = self.client("kms")
        meta = kms.create_key(Description=f"xops estate: {label}",
                              Tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in self.tags()])["KeyMetadata"]
        kms.create_alias(AliasName=f"alias/{self.name(label)}", TargetKeyId=meta["KeyId"])
        if rotation:
            kms.enable_key_rotation(KeyId=meta["KeyId"])
        if not enabled:
            kms.disable_key(KeyId=meta["KeyId"])
        return str(meta["KeyId"])


class Account:
    """Account-wide (IAM) builders of one account."""

    def __init__(self, estate: Estate, account: str) -> None:
        from xops.sandbox.moto_server import install_aws_managed_policies

        self.estate, self.account = estate, account
        install_aws_managed_policies(account)
        self._roles: dict[str, str] = {}

    @property
    def iam(self) -> Any:
        return self.estate.client(self.account, self.estate.home_region, "iam")

    def role(self, name: str, service: str) -> str:
        """A service role (created once); its ARN."""
        if name not in self._roles:
            self._roles[name] = str(self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(service))
                                    ["Role"]["Arn"])
        return self._roles[name]

    def user(self, name: str, *, console: bool = False, mfa: bool = True) -> str:
        """A tagged IAM user; with `console`, a console password and (unless `mfa=False`) an MFA device."""
        iam = self.iam
        iam.create_user(UserName=name, Tags=self.estate.tags())
        if console:
            iam.create_login_profile(UserName=name, Password="Xops-Demo-Passw0rd!")
            if mfa:
                serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
                iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                                      AuthenticationCode2="654321")
        return name

    def access_key(self, user: str, *, age_days: int = 10, active: bool = True) -> str:
        kid = str(self.iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"])
        aging.age_access_key(self.account, user, kid, age_days)
        if not active:
            self.iam.update_access_key(UserName=user, AccessKeyId=kid, Status="Inactive")
        return kid
