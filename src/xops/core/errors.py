"""One exception tree for xOps, in this one file. Every surface turns these into its own shape: the CLI
exits with `exit_code` (the README's table lists them), the API answers problem+json with `http_status`,
MCP returns an isError result (or JSON-RPC invalid params for usage errors), chat shows the message and
the hint.

Each error says what went wrong (`message`) and what to do about it (`hint`). No two families share an
exit code; a subclass refines its family and keeps the family's code.
"""

from __future__ import annotations


class XopsError(Exception):
    """Something failed that is neither bad input nor one of the families below."""

    exit_code = 1
    http_status = 500
    title = "internal error"

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class UsageError(XopsError):
    """Bad input: unknown analyzer, pillar, service or framework, an invalid parameter or scope."""

    exit_code = 2
    http_status = 422
    title = "bad usage"


class InvalidArguments(UsageError):
    """MCP tool arguments that do not validate; `fields` maps each bad field to what it accepts."""

    def __init__(self, message: str, hint: str, fields: dict[str, str]) -> None:
        super().__init__(message, hint)
        self.fields = fields


class CredentialsError(XopsError):
    """No usable AWS credentials, or AWS rejected them."""

    exit_code = 3
    http_status = 503
    title = "no usable AWS credentials"


class EndpointError(XopsError):
    """The AWS endpoint (or AWS_ENDPOINT_URL) could not be reached."""

    exit_code = 4
    http_status = 502
    title = "AWS endpoint unreachable"


class EvidenceError(XopsError):
    """An evidence folder is missing, unreadable, or changed since it was written."""

    exit_code = 5
    http_status = 409
    title = "evidence changed or unreadable"


class SandboxError(XopsError):
    """The sandbox AWS estate could not be started or seeded."""

    exit_code = 6
    http_status = 500
    title = "sandbox failed"


class IdentitySyncError(XopsError):
    """Open WebUI's SCIM endpoint failed or refused a change: the identity sync is incomplete (re-run it)."""

    exit_code = 7
    http_status = 502
    title = "identity sync incomplete"


class ScimUnavailable(IdentitySyncError):
    """Open WebUI's SCIM endpoint does not answer."""


class ScimRejected(IdentitySyncError):
    """Open WebUI's SCIM endpoint refused a change (HTTP `status`)."""

    def __init__(self, message: str, hint: str = "", status: int = 0) -> None:
        super().__init__(message, hint)
        self.status = status


class LlmUnavailable(XopsError):
    """The configured LLM cannot be used (unreachable, key rejected, model missing)."""

    exit_code = 8
    http_status = 503
    title = "LLM unavailable"


class StackError(XopsError):
    """A process of the local stack (`xops stack up`) did not start or stopped answering."""

    exit_code = 9
    http_status = 500
    title = "local stack failed"


class FailOnThreshold(XopsError):
    """`xops scan --fail-on` found a FAIL at or above the given severity (an outcome, not a malfunction)."""

    exit_code = 10
    http_status = 200  # CLI only
    title = "a finding at or above --fail-on"


class AccountAccessError(XopsError):
    """A member account could not be entered (assume-role failed)."""

    exit_code = 11
    http_status = 403
    title = "member account not reachable"


class CatalogueError(XopsError):
    """An analyzer folder does not hold together (its files, id and class disagree): a bug in the catalogue."""

    exit_code = 12
    http_status = 500
    title = "analyzer catalogue invalid"


class AuditChainError(XopsError):
    """The API's audit log fails its hash chain: a record was edited, deleted or reordered (`xops audit verify`)."""

    exit_code = 20
    http_status = 500
    title = "audit log changed"


def families() -> list[type[XopsError]]:
    """The tree's classes that define an exit code, in code order (what the README's table lists)."""
    found: list[type[XopsError]] = []

    def walk(cls: type[XopsError]) -> None:
        if "exit_code" in vars(cls):
            found.append(cls)
        for sub in cls.__subclasses__():
            walk(sub)

    walk(XopsError)
    return sorted(found, key=lambda c: c.exit_code)
