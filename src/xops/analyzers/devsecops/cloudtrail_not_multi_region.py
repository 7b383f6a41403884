from __future__ import annotations

from collections.abc import Iterator

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class CloudTrailNotMultiRegion(Analyzer):
    meta = AnalyzerMeta(
        id="devsecops.cloudtrail_not_multi_region",
        title="Accounts without a logging multi-Region CloudTrail trail",
        pillar="devsecops",
        severity=Severity.high,
        resource_type="AWS::::Account",
        permissions=("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"),
        risk="Without a multi-Region trail that is logging, API activity in other Regions (a favourite of "
             "attackers: crypto-mining in an unused Region) and global-service events go unrecorded, so "
             "incidents cannot be detected or investigated.",
        remediation=Remediation(
            summary="Create (or convert) a trail with IsMultiRegionTrail and global service events into a "
                    "locked-down S3 bucket, and start logging; in an Organization, prefer one organization trail.",
            cli="aws cloudtrail create-trail --region {region} --name account-trail --s3-bucket-name "
                "<log-bucket> --is-multi-region-trail --include-global-service-events "
                "--enable-log-file-validation\n"
                "aws cloudtrail start-logging --region {region} --name account-trail",
            terraform='resource "aws_cloudtrail" "account" {\n  name                          = "account-trail"\n'
                      '  s3_bucket_name                = "<log-bucket>"\n  is_multi_region_trail         = true\n'
                      '  include_global_service_events = true\n  enable_log_file_validation    = true\n'
                      '  enable_logging                = true\n}',
        ),
        scope="global",
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        trails = aws.inventory.list(at, "cloudtrail", "describe_trails", "trailList", includeShadowTrails=True)
        seen: dict[str, str] = {}
        for t in trails:
            arn = t.get("TrailARN", t["Name"])
            if arn in seen:
                continue
            if not t.get("IsMultiRegionTrail"):
                seen[arn] = "single-Region"
                continue
            where = Target(at.account_id, t.get("HomeRegion") or at.region)
            status = aws.inventory.call(where, "cloudtrail", "get_trail_status", Name=arn)
            if status.get("IsLogging"):
                yield self.ok(at, at.account_id, f"multi-Region trail {t['Name']} is logging",
                              evidence={"trail": arn, "home_region": t.get("HomeRegion", ""),
                                        "organization_trail": bool(t.get("IsOrganizationTrail"))})
                return
            seen[arn] = "multi-Region, not logging"
        detail = "; ".join(f"{arn.rsplit('/', 1)[-1]}: {what}" for arn, what in seen.items()) or "no trails"
        yield self.fail(at, at.account_id, f"account {at.account_id} has no multi-Region CloudTrail trail that "
                        f"is logging ({detail})", evidence={"trails": seen})
