from datetime import UTC, datetime

from xops.analyzers.finops.cost_spike_by_service.analyzer import MONTHS, month_start
from xops.sandbox import aging
from xops.sandbox.estate.base import Plot

SERVICES = [
    "Amazon Elastic Compute Cloud - Compute", "Amazon Relational Database Service", "Amazon Simple Storage Service",
    "AWS Lambda", "Amazon DynamoDB", "AmazonCloudWatch", "Amazon Elastic Load Balancing",
    "Amazon Virtual Private Cloud", "EC2 - Other", "Amazon Route 53", "Amazon CloudFront",
    "Amazon Elastic Container Service", "Amazon Elastic Kubernetes Service", "Amazon Simple Queue Service",
    "Amazon Simple Notification Service", "AWS Secrets Manager", "Amazon ElastiCache", "Amazon GuardDuty",
    "AWS Config", "AWS CloudTrail", "Amazon OpenSearch Service", "AWS Glue", "Amazon Athena", "AWS Backup",
]
SMALL = "AWS Key Management Service"  # doubles, but by less than min_usd: clean


def plant(plot: Plot) -> None:
    """Six months of UnblendedCost by SERVICE for the management (payer) account, queued in moto for the
    analyzer's request: most services steady (±5%), a few spiking in the last full month. Member accounts
    get no Cost Explorer data (moto answers an empty result)."""
    today = datetime.now(UTC).date()
    months = [month_start(today, back) for back in range(MONTHS, 0, -1)]
    spiking = set(plot.rng.sample(SERVICES, min(plot.count(2), len(SERVICES) // 2)))
    amounts: dict[str, list[str]] = {}
    for service in SERVICES:
        base = plot.rng.uniform(150, 4000)
        series = [base * plot.rng.uniform(0.95, 1.05) for _ in months]
        if service in spiking:
            series[-1] = series[-2] * plot.rng.uniform(1.5, 3.0)
        amounts[service] = [f"{v:.4f}" for v in series]
    amounts[SMALL] = [f"{v:.4f}" for v in (4.0, 4.1, 3.9, 4.2, 4.0, 9.5)]
    results = [{"TimePeriod": {"Start": start.isoformat(), "End": month_start(today, MONTHS - m - 1).isoformat()},
                "Total": {}, "Estimated": False,
                "Groups": [{"Keys": [s], "Metrics": {"UnblendedCost": {"Amount": a[m], "Unit": "USD"}}}
                           for s, a in amounts.items()]} for m, start in enumerate(months)]
    aging.queue_cost_and_usage(plot.management, {"ResultsByTime": results, "DimensionValueAttributes": [],
                                                 "GroupDefinitions": [{"Type": "DIMENSION", "Key": "SERVICE"}]})
    for service, a in amounts.items():
        if service in spiking:
            plot.bad(plot.management, "global", service, f"{a[-2]} -> {a[-1]} USD",
                     usd=float(a[-1]) - float(a[-2]))
        else:
            plot.good(plot.management, "global", service)
