"""One exception tree for xOps. Every surface (CLI, HTTP, MCP, chat) turns these into its own shape.

Each error says what went wrong (`message`) and what to do about it (`hint`); `exit_code` is what the
CLI exits with (documented in the README).
"""

from __future__ import annotations


class XopsError(Exception):
    """Base class: a clear message, a hint for the user, and the CLI exit code."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class UsageError(XopsError):
    """Bad input from the caller: unknown analyzer id, invalid parameter, unknown framework."""

    exit_code = 2


class CredentialsError(XopsError):
    """No usable AWS credentials, or the credentials were rejected."""

    exit_code = 3


class EndpointError(XopsError):
    """The AWS endpoint (or AWS_ENDPOINT_URL) could not be reached."""

    exit_code = 4


class EvidenceError(XopsError):
    """An evidence folder is missing, unreadable or fails verification."""

    exit_code = 5


class SandboxError(XopsError):
    """The sandbox AWS estate could not be started or seeded."""

    exit_code = 6


class AuditChainError(XopsError):
    """The API's audit log fails its hash chain: a record was edited, deleted or reordered (`xops audit verify`)."""

    exit_code = 20
