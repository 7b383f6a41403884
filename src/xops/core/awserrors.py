"""Turn an exception raised while reading AWS into a message that says what failed and what to check."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

THROTTLING = {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
              "SlowDown", "RequestThrottled", "PriorRequestNotComplete"}
DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
          "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException"}


def explain(exc: BaseException, where: str, permissions: tuple[str, ...] = ()) -> tuple[str, dict[str, str]]:
    """(message, evidence) for an ERROR finding. `where` names the analyzer step (account/region)."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", "")) or "Unknown"
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        op = exc.operation_name
        evidence = {"error_code": code, "operation": op, "http_status": str(status)}
        if code in THROTTLING:
            return f"{op} throttled in {where} after retries: scan again later or lower --workers", evidence
        if code in DENIED:
            need = ", ".join(permissions) or "the read-only permissions listed by `xops analyzers describe`"
            return f"{op} denied in {where} ({code}): grant {need} to the scanning role", evidence
        if status in (500, 501) and ("NotImplemented" in code or code in {"500", "501", "InternalFailure"}):
            return (f"{op} is not supported by this endpoint in {where} (HTTP {status}): "
                    "the check was skipped; it runs against real AWS"), {**evidence, "unsupported": "true"}
        if code in {"OptInRequired", "InvalidAction", "UnsupportedOperation", "SubscriptionRequiredException"}:
            return f"{op} is not available in {where} ({code}): enable the service or drop this region", evidence
        message = str(err.get("Message", "")) or str(exc)
        return f"{op} failed in {where}: {code}: {message}", evidence
    if isinstance(exc, EndpointConnectionError):
        return f"cannot reach the endpoint for {where}: {exc}", {"error_code": "EndpointConnectionError"}
    if isinstance(exc, BotoCoreError):
        return f"AWS client error in {where}: {exc}", {"error_code": type(exc).__name__}
    return f"analyzer crashed in {where}: {type(exc).__name__}: {exc}", {"error_code": type(exc).__name__}
