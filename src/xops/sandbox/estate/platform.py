"""Platform domain of the demo estate: RDS, load balancers, Lambda, CloudWatch alarms and log groups,
DynamoDB, ACM certificates, and the Cost Explorer history of the management account. Everything lives in
the default VPC (its subnets and default security group). Each resource's ground truth lists exactly the
analyzers it violates and records it clean for the others of its kind."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from xops.analyzers.finops.cost_spike_by_service import MONTHS, month_start
from xops.pricing.book import PriceBook
from xops.sandbox import aging
from xops.sandbox.estate.base import Estate

PRICES = PriceBook()  # the offline table: the sandbox never answers the Pricing API

RDS_PUBLIC = "devsecops.rds_instance_public"
RDS_UNENCRYPTED = "devsecops.rds_storage_unencrypted"
RDS_BACKUP = "cloudops.rds_backup_retention_low"
RDS_SINGLE_AZ = "cloudops.rds_not_multi_az"
ELB_NO_TARGETS = "finops.elb_no_targets"
ELB_NO_LOGS = "cloudops.elbv2_no_access_logs"
LAMBDA_RUNTIME = "cloudops.lambda_runtime_deprecated"
ALARM_NO_ACTIONS = "cloudops.cloudwatch_alarm_no_actions"
LOG_NO_RETENTION = "cloudops.cloudwatch_log_group_no_retention"
DDB_PITR = "cloudops.dynamodb_pitr_disabled"
ACM_EXPIRING = "cloudops.acm_certificate_expiring"
COST_SPIKE = "finops.cost_spike_by_service"

OLD_RUNTIMES = ["python3.8", "python3.7", "nodejs16.x", "nodejs14.x", "go1.x", "ruby2.7", "java8"]
CURRENT_RUNTIMES = ["python3.13", "python3.12", "java21", "provided.al2023", "nodejs24.x"]
ENGINES = [("postgres", "16.3"), ("mysql", "8.0.36"), ("mariadb", "10.11.8")]
LAMBDA_ROLE = "xops-demo-lambda-exec"


_CLIENTS: WeakKeyDictionary[Estate, dict[tuple[str, str, str], Any]] = WeakKeyDictionary()


def client(estate: Estate, account: str, region: str, service: str) -> Any:
    """One boto3 client per account, region and service for this estate (building clients is slow)."""
    clients = _CLIENTS.setdefault(estate, {})
    key = (account, region, service)
    if key not in clients:
        clients[key] = estate.client(account, region, service)
    return clients[key]


def plant(estate: Estate) -> None:
    for account in estate.accounts:
        role_arn = lambda_role(estate, account)
        for region in estate.regions:
            network = default_network(estate, account, region)
            plant_rds(estate, account, region, network)
            plant_load_balancers(estate, account, region, network)
            functions = plant_lambdas(estate, account, region, role_arn)
            plant_alarms(estate, account, region)
            plant_log_groups(estate, account, region, functions)
            plant_tables(estate, account, region)
            plant_certificates(estate, account, region)
    plant_cost_history(estate)


def record(estate: Estate, account: str, region: str, rid: str, violated: dict[str, bool],
           usd: dict[str, float] | None = None) -> None:
    """Ground truth for one resource checked by several analyzers: issue where violated, else clean."""
    for analyzer_id, bad in violated.items():
        if bad:
            estate.issue(analyzer_id, account, region, rid, (usd or {}).get(analyzer_id))
        else:
            estate.clean(analyzer_id, account, region, rid)


def flags(estate: Estate, i: int, n: int) -> list[bool]:
    """Violation flags of the i-th resource: the first is clean, the second violates everything, the rest
    are random."""
    if i == 0:
        return [False] * n
    if i == 1:
        return [True] * n
    return [estate.rng.random() < 0.5 for _ in range(n)]


def default_network(estate: Estate, account: str, region: str) -> tuple[str, list[str], str]:
    """(VPC id, default subnet ids, default security group id) of the default VPC."""
    ec2 = client(estate, account, region, "ec2")
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    subnets.sort(key=lambda s: s["AvailabilityZone"])
    vpc = subnets[0]["VpcId"]
    sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                               {"Name": "group-name", "Values": ["default"]}])
    return vpc, [s["SubnetId"] for s in subnets], sg["SecurityGroups"][0]["GroupId"]


# -- RDS -----------------------------------------------------------------------------------------------
def plant_rds(estate: Estate, account: str, region: str, network: tuple[str, list[str], str]) -> None:
    rds = client(estate, account, region, "rds")
    _, _, sg = network
    for i in range(estate.count(4)):
        public, unencrypted, low_backup, single_az = flags(estate, i, 4)
        engine, version = estate.rng.choice(ENGINES)
        dbid = f"{engine}-{estate.rng.choice(['orders', 'billing', 'users', 'reports'])}-{i:02d}"
        retention = estate.rng.choice([0, 1, 3]) if low_backup else estate.rng.choice([7, 14, 35])
        rds.create_db_instance(
            DBInstanceIdentifier=dbid, DBInstanceClass=estate.rng.choice(["db.t3.micro", "db.m5.large"]),
            Engine=engine, EngineVersion=version, AllocatedStorage=estate.rng.choice([20, 100, 500]),
            MasterUsername="dbadmin", MasterUserPassword="not-a-real-password-1", VpcSecurityGroupIds=[sg],
            PubliclyAccessible=public, StorageEncrypted=not unencrypted, BackupRetentionPeriod=retention,
            MultiAZ=not single_az, Tags=[{"Key": "Owner", "Value": "platform-team"}],
        )
        record(estate, account, region, dbid, {RDS_PUBLIC: public, RDS_UNENCRYPTED: unencrypted,
                                               RDS_BACKUP: low_backup, RDS_SINGLE_AZ: single_az})


# -- ELBv2 ---------------------------------------------------------------------------------------------
def plant_load_balancers(estate: Estate, account: str, region: str, network: tuple[str, list[str], str]) -> None:
    elb = client(estate, account, region, "elbv2")
    vpc, subnets, sg = network
    for i in range(estate.count(3)):
        no_targets, no_logs = flags(estate, i, 2)
        kind = "network" if i % 3 == 2 else "application"
        name = f"{'alb' if kind == 'application' else 'nlb'}-{estate.rng.choice(['web', 'api', 'shop'])}-{i:02d}"
        extra: dict[str, Any] = {"SecurityGroups": [sg]} if kind == "application" else {}
        lb = elb.create_load_balancer(Name=name, Subnets=subnets[:2], Type=kind, Scheme="internet-facing",
                                      **extra)["LoadBalancers"][0]
        arn = lb["LoadBalancerArn"]
        protocol = "HTTP" if kind == "application" else "TCP"
        # an empty LB either has no listener at all or forwards to an empty target group
        if not no_targets or estate.rng.random() < 0.5:
            tg = elb.create_target_group(Name=f"tg-{name}", Protocol=protocol, Port=80, VpcId=vpc,
                                         TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
            elb.create_listener(LoadBalancerArn=arn, Protocol=protocol, Port=80,
                                DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
            if not no_targets:
                ips = {f"172.31.{estate.rng.randint(0, 47)}.{estate.rng.randint(4, 250)}" for _ in range(2)}
                elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": ip, "Port": 80} for ip in sorted(ips)])
        if not no_logs:
            elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
                {"Key": "access_logs.s3.enabled", "Value": "true"},
                {"Key": "access_logs.s3.bucket", "Value": f"xops-demo-elb-logs-{account}-{region}"},
                {"Key": "access_logs.s3.prefix", "Value": name},
            ])
        usd = PRICES.elb_hour(region, kind).usd * PRICES.hours_per_month
        record(estate, account, region, name, {ELB_NO_TARGETS: no_targets, ELB_NO_LOGS: no_logs},
               {ELB_NO_TARGETS: usd})


# -- Lambda --------------------------------------------------------------------------------------------
@cache
def lambda_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return {'ok': True}\n")
    return buf.getvalue()


def lambda_role(estate: Estate, account: str) -> str:
    iam = client(estate, account, estate.regions[0], "iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "lambda.amazonaws.com"}}]}
    role = iam.create_role(RoleName=LAMBDA_ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    logs = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]}]}
    iam.put_role_policy(RoleName=LAMBDA_ROLE, PolicyName="basic-execution", PolicyDocument=json.dumps(logs))
    return str(role["Arn"])


def plant_lambdas(estate: Estate, account: str, region: str, role_arn: str) -> list[str]:
    lam = client(estate, account, region, "lambda")
    names = []
    n = estate.count(2)
    for i in range(2 * n):
        old = i < n
        runtime = estate.rng.choice(OLD_RUNTIMES if old else CURRENT_RUNTIMES)
        name = f"{estate.rng.choice(['ingest', 'resize', 'notify', 'sync'])}-{i:02d}"
        lam.create_function(FunctionName=name, Runtime=runtime, Role=role_arn, Handler="index.handler",
                            Code={"ZipFile": lambda_zip()}, Tags={"Owner": "platform-team"})
        record(estate, account, region, name, {LAMBDA_RUNTIME: old})
        names.append(name)
    return names


# -- CloudWatch ----------------------------------------------------------------------------------------
def plant_alarms(estate: Estate, account: str, region: str) -> None:
    cw = client(estate, account, region, "cloudwatch")
    topic = client(estate, account, region, "sns").create_topic(Name="ops-alerts")["TopicArn"]
    n = estate.count(2)
    for i in range(2 * n):
        silent = i < n
        metric = estate.rng.choice([("AWS/RDS", "CPUUtilization"), ("AWS/Lambda", "Errors"),
                                    ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count")])
        name = f"{metric[1].lower()}-high-{i:02d}"
        actions_disabled = silent and i % 2 == 1  # half the silent ones have actions, but disabled
        cw.put_metric_alarm(
            AlarmName=name, Namespace=metric[0], MetricName=metric[1], Statistic="Sum", Period=300,
            EvaluationPeriods=3, Threshold=10.0, ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[topic] if (not silent or actions_disabled) else [], ActionsEnabled=not actions_disabled,
        )
        record(estate, account, region, name, {ALARM_NO_ACTIONS: silent})


def plant_log_groups(estate: Estate, account: str, region: str, functions: list[str]) -> None:
    logs = client(estate, account, region, "logs")
    n = estate.count(2)
    for i in range(2 * n):
        forever = i < n
        # the silent ones are Lambda log groups (created on first invoke, never given a retention)
        name = f"/aws/lambda/{functions[i % len(functions)]}" if forever else f"/xops/app/service-{i:02d}"
        logs.create_log_group(logGroupName=name)
        if not forever:
            logs.put_retention_policy(logGroupName=name, retentionInDays=estate.rng.choice([30, 90, 365]))
        record(estate, account, region, name, {LOG_NO_RETENTION: forever})


# -- DynamoDB ------------------------------------------------------------------------------------------
def plant_tables(estate: Estate, account: str, region: str) -> None:
    ddb = client(estate, account, region, "dynamodb")
    n = estate.count(2)
    for i in range(2 * n):
        no_pitr = i < n
        name = f"{estate.rng.choice(['orders', 'sessions', 'carts', 'events'])}-{i:02d}"
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        if not no_pitr:
            ddb.update_continuous_backups(TableName=name,
                                          PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        record(estate, account, region, name, {DDB_PITR: no_pitr})


# -- ACM -----------------------------------------------------------------------------------------------
@cache
def _key() -> Any:
    # EC keys only: loading an RSA private key (moto validates it on import) costs ~0.4 s each
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


def self_signed(domain: str, not_after: datetime) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = _key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(datetime.now(UTC) - timedelta(days=365)).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
            .sign(key, hashes.SHA256()))
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), pem_key


# days until NotAfter: expiring within the analyzer's 30 days, expired, or comfortably valid
CERT_DAYS_LEFT = {"expiring": (3, 25), "expired": (-60, -1), "valid": (90, 400)}


def plant_certificates(estate: Estate, account: str, region: str) -> None:
    acm = client(estate, account, region, "acm")
    n = estate.count(1)
    states = ["expiring"] * n + ["expired"] * n + ["valid"] * (2 * n)
    for i, state in enumerate(states):
        left = estate.rng.randint(*CERT_DAYS_LEFT[state])
        domain = f"{estate.rng.choice(['www', 'api', 'shop', 'admin'])}{i:02d}.example.com"
        pem, key = self_signed(domain, datetime.now(UTC) + timedelta(days=max(left, 1)))
        arn = acm.import_certificate(Certificate=pem, PrivateKey=key,
                                     Tags=[{"Key": "Owner", "Value": "platform-team"}])["CertificateArn"]
        if left < 0:
            aging.expire_certificate(account, region, arn, -left)
        record(estate, account, region, arn, {ACM_EXPIRING: state != "valid"})


# -- Cost Explorer -------------------------------------------------------------------------------------
SERVICES = [
    "Amazon Elastic Compute Cloud - Compute", "Amazon Relational Database Service", "Amazon Simple Storage Service",
    "AWS Lambda", "Amazon DynamoDB", "AmazonCloudWatch", "Amazon Elastic Load Balancing",
    "Amazon Virtual Private Cloud", "EC2 - Other", "Amazon Route 53", "Amazon CloudFront",
    "Amazon Elastic Container Service", "Amazon Elastic Kubernetes Service", "Amazon Simple Queue Service",
    "Amazon Simple Notification Service", "AWS Secrets Manager", "Amazon ElastiCache", "Amazon GuardDuty",
    "AWS Config", "AWS CloudTrail", "Amazon OpenSearch Service", "AWS Glue", "Amazon Athena", "AWS Backup",
]
SMALL = "AWS Key Management Service"  # doubles, but by less than min_usd: clean


def plant_cost_history(estate: Estate) -> None:
    """Six months of UnblendedCost by SERVICE for the management (payer) account, queued in moto for the
    analyzer's request: most services steady (±5%), a few spiking in the last full month. Member accounts
    get no Cost Explorer data (moto answers an empty result)."""
    today = datetime.now(UTC).date()
    months = [month_start(today, back) for back in range(MONTHS, 0, -1)]
    pool = list(SERVICES)
    spiking = set(estate.rng.sample(pool, min(estate.count(2), len(pool) // 2)))
    amounts: dict[str, list[str]] = {}
    for service in pool:
        base = estate.rng.uniform(150, 4000)
        series = [base * estate.rng.uniform(0.95, 1.05) for _ in months]
        if service in spiking:
            series[-1] = series[-2] * estate.rng.uniform(1.5, 3.0)
        amounts[service] = [f"{v:.4f}" for v in series]
    amounts[SMALL] = [f"{v:.4f}" for v in (4.0, 4.1, 3.9, 4.2, 4.0, 9.5)]
    results = []
    for m, start in enumerate(months):
        end = month_start(today, MONTHS - m - 1)
        results.append({
            "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()}, "Total": {}, "Estimated": False,
            "Groups": [{"Keys": [s], "Metrics": {"UnblendedCost": {"Amount": a[m], "Unit": "USD"}}}
                       for s, a in amounts.items()],
        })
    aging.queue_cost_and_usage(estate.management, {
        "ResultsByTime": results, "DimensionValueAttributes": [],
        "GroupDefinitions": [{"Type": "DIMENSION", "Key": "SERVICE"}],
    })
    for service, a in amounts.items():
        if service in spiking:
            estate.issue(COST_SPIKE, estate.management, "global", service, float(a[-1]) - float(a[-2]),
                         note=f"{a[-2]} -> {a[-1]} USD")
        else:
            estate.clean(COST_SPIKE, estate.management, "global", service)
