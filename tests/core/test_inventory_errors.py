"""Which cached inventory failures stop a later run from reusing the inventory (XOPS_INVENTORY_TTL_SECONDS)."""

from __future__ import annotations

from botocore.exceptions import ClientError, EndpointConnectionError

from xops.inventory.cache import _transient


def _client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


def test_answers_are_facts_and_failures_are_transient() -> None:
    assert not _transient(_client_error("NoSuchLifecycleConfiguration", 404))
    assert not _transient(_client_error("AccessDenied", 403))  # the same answer next minute
    assert _transient(_client_error("ThrottlingException", 400))
    assert _transient(_client_error("InternalError", 500))
    assert _transient(EndpointConnectionError(endpoint_url="http://127.0.0.1:9"))
