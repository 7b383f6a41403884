from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

from pydantic import Field

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register

# ListCertificates only returns RSA_1024/RSA_2048 certificates unless asked for every key type.
KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]


@register
class AcmCertificateExpiring(Analyzer):
    meta = AnalyzerMeta(
        id="cloudops.acm_certificate_expiring",
        title="ACM certificates expired or expiring soon",
        pillar="cloudops",
        severity=Severity.high,
        resource_type="AWS::CertificateManager::Certificate",
        permissions=("acm:ListCertificates", "acm:DescribeCertificate"),
        risk="When a certificate expires, every load balancer, CloudFront distribution or API using it fails "
             "TLS handshakes: clients see an outage. Imported certificates are never renewed by ACM, and a "
             "managed certificate this close to expiry means its automatic renewal is failing.",
        remediation=Remediation(
            summary="Renew the certificate (re-import a renewed one, or fix DNS/email validation of the "
                    "managed one so ACM can renew it) and confirm the resources using it pick it up.",
            cli="aws acm describe-certificate --region {region} --certificate-arn {resource_id} "
                "--query 'Certificate.[NotAfter,RenewalSummary,InUseBy]'\n"
                "aws acm import-certificate --region {region} --certificate-arn {resource_id} "
                "--certificate fileb://cert.pem --private-key fileb://key.pem --certificate-chain fileb://chain.pem",
            terraform='resource "aws_acm_certificate" "this" {\n  domain_name       = "example.com"\n'
                      '  validation_method = "DNS"\n  lifecycle {\n    create_before_destroy = true\n  }\n}',
        ),
    )

    class Params(AnalyzerParams):
        days: int = Field(30, ge=1, le=365, description="Flag certificates expiring within this many days")

    def run(self, aws: AwsContext, at: Target, params: Params) -> Iterator[Finding]:
        certs = aws.inventory.list(at, "acm", "list_certificates", "CertificateSummaryList",
                                   CertificateStatuses=["ISSUED", "EXPIRED"], Includes={"keyTypes": KEY_TYPES})
        for cert in certs:
            arn, domain = cert["CertificateArn"], cert.get("DomainName", "")
            not_after = cert.get("NotAfter")
            if not_after is None:
                detail = aws.inventory.call(at, "acm", "describe_certificate", CertificateArn=arn)["Certificate"]
                not_after = detail.get("NotAfter")
            if not_after is None:
                continue  # not issued yet: nothing expires
            not_after = not_after.astimezone(UTC) if not_after.tzinfo else not_after.replace(tzinfo=UTC)
            days_left = (not_after - aws.now).total_seconds() / 86400
            if days_left > params.days:
                yield self.ok(at, arn, f"certificate for {domain} is valid until {not_after:%Y-%m-%d}", arn=arn)
                continue
            in_use = cert.get("InUse")
            when = (f"expired on {not_after:%Y-%m-%d} ({int(-days_left)} days ago)" if days_left <= 0
                    else f"expires on {not_after:%Y-%m-%d} (in {int(days_left)} days)")
            yield self.fail(
                at, arn, f"{cert.get('Type', '').lower() or 'ACM'} certificate for {domain} {when}"
                         + (" and is in use" if in_use else ""),
                arn=arn,
                evidence={"domain": domain, "not_after": not_after.isoformat(), "days_left": round(days_left, 1),
                          "threshold_days": params.days, "status": cert.get("Status"), "type": cert.get("Type"),
                          "in_use": in_use, "renewal_eligibility": cert.get("RenewalEligibility")},
            )

