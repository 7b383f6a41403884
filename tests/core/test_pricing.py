"""The price book: offline table with its source, and the AWS Pricing API when it answers."""

import json

import pytest
from botocore.stub import Stubber

from xops.pricing.book import PriceBook, table


def test_table_has_source_date_and_three_regions() -> None:
    data = table()
    assert data["source"] and data["retrieved"] == "2026-11-27"
    for kind in ("ebs_gb_month", "ebs_snapshot_gb_month", "public_ipv4_hour", "nat_gateway_hour", "elb_hour", "ec2_hour"):
        assert {"ap-southeast-2", "us-east-1", "eu-west-1"} <= set(data[kind]), kind


def test_table_quotes_and_fallback_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XOPS_PRICING", "offline")
    book = PriceBook()
    q = book.ebs_gb_month("ap-southeast-2", "gp3")
    assert (q.usd, q.unit, q.region) == (0.096, "GB-month", "ap-southeast-2")
    assert q.describe() == "$0.096/GB-month (table 2026-11-27, ap-southeast-2)"
    other = book.ebs_gb_month("sa-east-1", "gp2")
    assert other.usd == 0.10 and other.region == "us-east-1" and "sa-east-1 not in table" in other.source
    assert book.ec2_hour("us-east-1", "x9.huge") is None
    assert book.hours_per_month == 730


class FakeAws:
    """Just enough of AwsContext for the price book: a session whose pricing client we stub."""

    def __init__(self, client) -> None:
        self._client = client
        self.caller_account = "123456789012"

    def _session_for(self, account: str):
        client = self._client

        class Session:
            def client(self, *a, **k):
                return client

        return Session()


def pricing_client():
    import boto3

    return boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x",
                        endpoint_url="http://127.0.0.1:9")


def test_pricing_api_price_is_used_when_it_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XOPS_PRICING", "auto")
    client = pricing_client()
    product = {"terms": {"OnDemand": {"t": {"priceDimensions": {"d": {"pricePerUnit": {"USD": "0.0900000000"}}}}}}}
    with Stubber(client) as stub:
        stub.add_response("get_products", {"PriceList": [json.dumps(product)], "FormatVersion": "aws_v1"})
        book = PriceBook(FakeAws(client))
        q = book.ebs_gb_month("ap-southeast-2", "gp3")
        again = book.ebs_gb_month("ap-southeast-2", "gp3")  # cached: no second request
    assert (q.usd, q.source) == (0.09, "pricing-api") and again == q


def test_pricing_api_failure_falls_back_once_to_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XOPS_PRICING", "auto")
    client = pricing_client()
    with Stubber(client) as stub:
        stub.add_client_error("get_products", service_error_code="500", http_status_code=500)
        book = PriceBook(FakeAws(client))
        first = book.ebs_gb_month("us-east-1", "gp2")
        second = book.ec2_hour("us-east-1", "t3.micro")  # the API is not asked again after a failure
        stub.assert_no_pending_responses()
    assert first.source.startswith("table") and first.usd == 0.10
    assert second is not None and second.source.startswith("table") and second.usd == 0.0104
