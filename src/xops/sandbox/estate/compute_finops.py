"""Compute domain (FinOps analyzers) of the demo estate: EC2 instances, EBS volumes and snapshots, Elastic IPs,
NAT gateways, and the CloudWatch metrics of instances and NAT gateways. Plants issues for the FinOps
analyzers that read these.

Every resource is clean for every other analyzer: instances come from `estate.run_instance` (tags, IMDSv2)
and get their volumes through their block device mapping (encrypted; gp3 roots), loose volumes come from
`estate.create_volume` (encrypted, tagged), NAT gateways sit in default subnets. Overlaps among the FinOps
analyzers are planted on purpose and recorded for each analyzer they trip: stopped previous-generation
instances (stopped + previous_generation) and unattached gp2 volumes (unattached + gp2_to_gp3). The only
other gp2 volumes are the data volumes of busy instances (planted for gp2_to_gp3); only idle and busy
instances get CPU metrics, so running instances without metrics (other planters') are never judged idle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from xops.pricing.book import PriceBook
from xops.sandbox.aging import age_snapshot, stop_instance_since
from xops.sandbox.estate.base import Estate

PRICES = PriceBook()  # the offline table: the sandbox never answers the Pricing API
HOURS = PRICES.hours_per_month

UNATTACHED = "finops.ebs_volume_unattached"
EIP = "finops.eip_unassociated"
SNAPSHOT = "finops.ebs_snapshot_old"
STOPPED = "finops.ec2_instance_stopped"
GP2 = "finops.ebs_gp2_to_gp3"
IDLE = "finops.ec2_instance_idle"
NAT = "finops.nat_gateway_idle"
PREVIOUS = "finops.ec2_previous_generation"

CURRENT_TYPES = ["t3.micro", "t3.small", "t3.medium", "t3.large", "m5.large", "c5.large", "r5.large", "m6i.large"]
PREVIOUS_TYPES = {"t2.micro": "t3.micro", "t2.small": "t3.small", "t2.medium": "t3.medium",
                  "m4.large": "m5.large", "c4.large": "c5.large", "r4.large": "r5.large"}
DATA_TYPES = ["gp3", "st1", "sc1"]  # never gp2 unless planted for ebs_gp2_to_gp3
METRIC_DAYS = 14


def ebs_usd(region: str, size: int, vtype: str) -> float:
    return size * PRICES.ebs_gb_month(region, vtype).usd


@dataclass
class Region:
    estate: Estate
    account: str
    region: str
    ec2: Any = None
    cw: Any = None
    subnets: list[str] | None = None
    instance_ids: list[str] = field(default_factory=list)
    volumes: list[tuple[str, int]] = field(default_factory=list)  # (id, GiB) of the volumes kept: snapshot sources
    metric_data: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # namespace -> data, put at the end

    def __post_init__(self) -> None:
        self.ec2 = self.estate.client(self.account, self.region, "ec2")
        self.cw = self.estate.client(self.account, self.region, "cloudwatch")

    def issue(self, analyzer_id: str, resource_id: str, usd: float | None, note: str) -> None:
        self.estate.issue(analyzer_id, self.account, self.region, resource_id, usd, note=note)

    def clean(self, analyzer_id: str, resource_id: str, note: str) -> None:
        self.estate.clean(analyzer_id, self.account, self.region, resource_id, note=note)

    # -- building blocks --------------------------------------------------------------------------------
    def instance(self, itype: str, root_gb: int, data: tuple[int, str] | None = None) -> str:
        """An instance with an encrypted gp3 root volume and, optionally, an encrypted (size, type) data volume."""
        disks = [("/dev/sda1", root_gb, "gp3")] + ([("/dev/sdf", *data)] if data else [])
        mapping = [{"DeviceName": dev, "Ebs": {"VolumeSize": size, "VolumeType": vtype, "Encrypted": True,
                                               "DeleteOnTermination": True}} for dev, size, vtype in disks]
        iid = self.estate.run_instance(self.account, self.region, itype, BlockDeviceMappings=mapping)
        self.instance_ids.append(iid)
        return iid

    def metrics(self, namespace: str, name: str, dim: str, value_id: str, values: list[float], unit: str) -> None:
        """Queue one daily datapoint per value (today first) for `put_metrics`."""
        now = datetime.now(UTC)
        self.metric_data.setdefault(namespace, []).extend(
            {"MetricName": name, "Dimensions": [{"Name": dim, "Value": value_id}],
             "Timestamp": now - timedelta(days=d, hours=2), "Value": v, "Unit": unit}
            for d, v in enumerate(values))

    def put_metrics(self) -> None:
        for namespace, data in self.metric_data.items():
            for i in range(0, len(data), 1000):  # PutMetricData takes up to 1,000 datapoints
                self.cw.put_metric_data(Namespace=namespace, MetricData=data[i:i + 1000])

    def cpu(self, iid: str, lo: float, hi: float) -> None:
        rng = self.estate.rng
        values = [round(rng.uniform(lo, hi), 2) for _ in range(METRIC_DAYS)]
        self.metrics("AWS/EC2", "CPUUtilization", "InstanceId", iid, values, "Percent")

    def subnet(self) -> str:
        if self.subnets is None:
            self.subnets = sorted(s["SubnetId"] for s in self.ec2.describe_subnets(
                Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"])
        return self.estate.rng.choice(self.subnets)

    def gp2_savings(self, size: int) -> float:
        return size * (PRICES.ebs_gb_month(self.region, "gp2").usd - PRICES.ebs_gb_month(self.region, "gp3").usd)

    # -- planting ---------------------------------------------------------------------------------------
    def unattached_volumes(self) -> None:
        rng = self.estate.rng
        for _ in range(self.estate.count(2)):
            size, vtype = rng.choice([20, 50, 100, 500]), rng.choice(["gp3", "st1"])
            vid = self.estate.create_volume(self.account, self.region, size, vtype)
            self.issue(UNATTACHED, vid, ebs_usd(self.region, size, vtype), f"{size} GiB {vtype} available")
            self.clean(GP2, vid, vtype)
            self.volumes.append((vid, size))
        for _ in range(self.estate.count(1)):  # both unattached and gp2
            size = rng.choice([10, 40, 80])
            vid = self.estate.create_volume(self.account, self.region, size, "gp2")
            self.issue(UNATTACHED, vid, ebs_usd(self.region, size, "gp2"), f"{size} GiB gp2 available")
            self.issue(GP2, vid, self.gp2_savings(size), "gp2, unattached")
            self.volumes.append((vid, size))

    def busy_instances(self) -> list[str]:
        """Running current-generation instances with real CPU load, each with a (planted) gp2 data volume."""
        rng, busy = self.estate.rng, []
        for _ in range(self.estate.count(2)):
            itype = rng.choice(CURRENT_TYPES)
            iid = self.instance(itype, rng.choice([8, 20, 30]), data=(rng.choice([50, 100, 250, 1000]), "gp2"))
            self.cpu(iid, 20, 85)
            for analyzer in (IDLE, PREVIOUS, STOPPED):
                self.clean(analyzer, iid, f"busy running {itype}")
            busy.append(iid)
        return busy

    def idle_instances(self) -> None:
        rng = self.estate.rng
        for _ in range(self.estate.count(2)):
            itype = rng.choice(CURRENT_TYPES)
            iid = self.instance(itype, 8)
            self.cpu(iid, 0.1, 3.5)
            price = PRICES.ec2_hour(self.region, itype)
            assert price is not None
            self.issue(IDLE, iid, price.usd * HOURS, f"{itype} under 3.5% CPU every day")
            self.clean(PREVIOUS, iid, itype)
            self.clean(STOPPED, iid, "running")

    def stopped_instances(self) -> None:
        """Stopped instances (one previous-generation) whose root and data volumes are still billed."""
        rng = self.estate.rng
        plan = [rng.choice(CURRENT_TYPES) for _ in range(self.estate.count(2))]
        plan += [rng.choice(sorted(PREVIOUS_TYPES)) for _ in range(self.estate.count(1))]
        stopped: list[tuple[str, str, float]] = []
        for itype in plan:
            root = rng.choice([8, 20, 30, 50])
            data = (rng.choice([50, 100, 200]), rng.choice(DATA_TYPES)) if rng.random() < 0.6 else None
            iid = self.instance(itype, root, data)
            usd = ebs_usd(self.region, root, "gp3") + (ebs_usd(self.region, *data) if data else 0.0)
            stopped.append((iid, itype, usd))
        self.ec2.stop_instances(InstanceIds=[iid for iid, _, _ in stopped])
        for iid, itype, usd in stopped:
            days = rng.randint(1, 200)
            stop_instance_since(self.account, self.region, iid, days)
            self.issue(STOPPED, iid, usd, f"{itype} stopped {days} days ago")
            self.clean(IDLE, iid, "stopped")
            if itype in PREVIOUS_TYPES:
                self.issue(PREVIOUS, iid, self.previous_usd(itype), f"stopped {itype}")
            else:
                self.clean(PREVIOUS, iid, itype)

    def previous_generation(self) -> None:
        """Running previous-generation instances with real CPU load (so never idle)."""
        rng = self.estate.rng
        for _ in range(self.estate.count(1)):
            itype = rng.choice(sorted(PREVIOUS_TYPES))
            iid = self.instance(itype, 8)
            self.cpu(iid, 15, 70)
            self.issue(PREVIOUS, iid, self.previous_usd(itype), f"running {itype}")
            self.clean(IDLE, iid, "busy")
            self.clean(STOPPED, iid, "running")

    def previous_usd(self, itype: str) -> float:
        old, new = PRICES.ec2_hour(self.region, itype), PRICES.ec2_hour(self.region, PREVIOUS_TYPES[itype])
        assert old is not None and new is not None
        return (old.usd - new.usd) * HOURS

    def attached_volumes(self) -> None:
        """The volumes the instances' block device mappings created: gp2 ones planted, all snapshot sources."""
        for vol in self.ec2.describe_volumes(
                Filters=[{"Name": "attachment.instance-id", "Values": self.instance_ids}])["Volumes"]:
            vid, size, vtype = vol["VolumeId"], int(vol["Size"]), vol["VolumeType"]
            self.clean(UNATTACHED, vid, f"{vtype} attached")
            if vtype == "gp2":
                self.issue(GP2, vid, self.gp2_savings(size), f"{size} GiB gp2, attached")
            else:
                self.clean(GP2, vid, vtype)
            self.volumes.append((vid, size))

    def elastic_ips(self, busy: list[str]) -> None:
        usd = PRICES.public_ipv4_hour(self.region).usd * HOURS
        for _ in range(self.estate.count(2)):
            alloc = self.allocate()
            self.issue(EIP, alloc, usd, "allocated, never associated")
        for n in range(self.estate.count(1)):
            alloc = self.allocate()
            self.ec2.associate_address(AllocationId=alloc, InstanceId=busy[n % len(busy)])
            self.clean(EIP, alloc, "associated with an instance")

    def allocate(self) -> str:
        tags = [{"ResourceType": "elastic-ip", "Tags": self.estate.tags()}]
        return str(self.ec2.allocate_address(Domain="vpc", TagSpecifications=tags)["AllocationId"])

    def nat_gateways(self) -> None:
        rng = self.estate.rng
        usd = PRICES.nat_gateway_hour(self.region).usd * HOURS
        for busy in [False] * self.estate.count(2) + [True] * self.estate.count(1):
            alloc = self.allocate()
            nid = str(self.ec2.create_nat_gateway(
                SubnetId=self.subnet(), AllocationId=alloc,
                TagSpecifications=[{"ResourceType": "natgateway", "Tags": self.estate.tags()}],
            )["NatGateway"]["NatGatewayId"])
            self.clean(EIP, alloc, f"used by {nid}")
            lo, hi = (2e8, 4e9) if busy else (0, 50_000)
            values = [float(int(rng.uniform(lo, hi))) for _ in range(METRIC_DAYS)]
            self.metrics("AWS/NATGateway", "BytesOutToDestination", "NatGatewayId", nid, values, "Bytes")
            if busy:
                self.clean(NAT, nid, f"{sum(values):,.0f} bytes out in {METRIC_DAYS} days")
            else:
                self.issue(NAT, nid, usd, f"{sum(values):,.0f} bytes out in {METRIC_DAYS} days")

    def snapshots(self) -> None:
        """Snapshots of volumes planted above (backups that outlived their purpose, or recent ones)."""
        rng = self.estate.rng
        price = PRICES.ebs_snapshot_gb_month(self.region).usd
        plan = [True] * self.estate.count(2) + [False] * self.estate.count(2)
        for old, (vid, size) in zip(plan, rng.sample(self.volumes, len(plan)), strict=True):
            sid = str(self.ec2.create_snapshot(
                VolumeId=vid, Description=f"xops estate backup of {vid}",
                TagSpecifications=[{"ResourceType": "snapshot", "Tags": self.estate.tags()}])["SnapshotId"])
            days = rng.randint(120, 900) if old else rng.randint(1, 60)
            age_snapshot(self.account, self.region, sid, days)
            if old:
                self.issue(SNAPSHOT, sid, size * price, f"{size} GiB, {days} days old")
            else:
                self.clean(SNAPSHOT, sid, f"{days} days old")


def plant(estate: Estate) -> None:
    for account in estate.accounts:
        for region in estate.regions:
            r = Region(estate, account, region)
            r.unattached_volumes()
            busy = r.busy_instances()
            r.idle_instances()
            r.stopped_instances()
            r.previous_generation()
            r.attached_volumes()
            r.elastic_ips(busy)
            r.nat_gateways()
            r.snapshots()
            r.put_metrics()
