"""ACM certificates (issued and expired)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import Field

from xops.resources.base import Detail, Listing, Resource, Spec
from xops.resources.ops import Op

# ListCertificates returns only RSA_2048 certificates unless asked for every key type.
KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]


class Certificate(Resource):
    spec = Spec(type="AWS::CertificateManager::Certificate", noun="certificate", id="CertificateArn",
                arn="CertificateArn",
                list=Listing(Op("acm", "list_certificates", "CertificateSummaryList"),
                             params={"CertificateStatuses": ["ISSUED", "EXPIRED"], "Includes": {"keyTypes": KEY_TYPES}}),
                details={"description": Detail(
                    # older ListCertificates answers carry no NotAfter: then DescribeCertificate does
                    Op("acm", "describe_certificate", fallback=True), params=lambda c: {"CertificateArn": c.arn},
                    parse=lambda a: a["Certificate"], when=lambda c: c.listed_not_after is None)})

    domain: str = Field("", alias="DomainName")
    status: str = Field("", alias="Status")
    kind: str = Field("", alias="Type")
    in_use: bool | None = Field(None, alias="InUse")
    renewal_eligibility: str = Field("", alias="RenewalEligibility")
    listed_not_after: datetime | None = Field(None, alias="NotAfter")

    @property
    def not_after(self) -> datetime | None:
        """When it expires (UTC), from the listing or else from DescribeCertificate; None if not issued."""
        when = self.listed_not_after or (self.detail("description") or {}).get("NotAfter")
        if when is None:
            return None
        return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
