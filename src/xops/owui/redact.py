"""Secrets that must never reach the xOps API, a model or a reply: AWS keys, session tokens, private keys,
passwords. Pure functions (inlined into the redaction filter and unit-tested here)."""

import re

MASK = "[REDACTED:{kind}]"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private-key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----.*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE "
                               r"KEY-----|\Z)", re.DOTALL)),
    ("aws-secret-key", re.compile(r"(?i)(aws_?secret_?access_?key|secret_?access_?key|secret_?key)"
                                  r"(\s*[:=]\s*|\s+)[\"']?[A-Za-z0-9/+=]{40}\b[\"']?")),
    ("aws-session-token", re.compile(r"(?i)(aws_?session_?token|session_?token|security_?token)"
                                     r"(\s*[:=]\s*|\s+)[\"']?[A-Za-z0-9/+=]{100,}[\"']?")),
    ("aws-access-key-id", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)[A-Z0-9]{16}\b")),
    ("password", re.compile(r"(?i)\b(password|passwd|pwd|passphrase)(\s*[:=]\s*|\s+is\s+)[\"']?[^\s\"',;]{4,}[\"']?")),
    # An unlabelled 40-character base64 token with upper, lower and digit or /+ (an AWS secret key's shape;
    # a hex digest is lower-case only and does not match).
    ("aws-secret-key", re.compile(r"(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[a-z])"
                                  r"(?=[A-Za-z0-9/+]{0,39}[0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")),
)


def redact(text: str) -> tuple[str, list[str]]:
    """The text with every secret replaced by [REDACTED:<kind>], and the kinds found (in order)."""
    found: list[str] = []
    for kind, pattern in PATTERNS:
        def mask(m: re.Match[str], kind: str = kind) -> str:
            found.append(kind)
            if kind in ("aws-secret-key", "aws-session-token", "password") and m.lastindex and m.lastindex >= 2:
                return f"{m.group(1)}{m.group(2)}{MASK.format(kind=kind)}"
            return MASK.format(kind=kind)
        text = pattern.sub(mask, text)
    return text, found
