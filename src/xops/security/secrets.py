"""The one secret detector of xOps: what a secret looks like in text an ops team pastes or an AWS API returns.

`find(text)` gives the spans of every secret (kind, start, end), `redact(text)` replaces each with
`[REDACTED:<kind>]`, and `fingerprint(value)` / `SecretRef` let an analyzer say where a secret is and what it
is without carrying it. It covers AWS access key ids, secret keys and session tokens (env, CLI config and
credentials files, JSON, YAML, HCL, command lines), PEM private keys of every kind, passwords in connection
URIs and in `*_PASSWORD` / `*_SECRET` / `*_TOKEN` / `*_API_KEY` style assignments, Authorization headers,
JWTs, and provider tokens (GitHub, GitLab, Slack, Anthropic, OpenAI, Azure, Google, Stripe, Datadog,
PagerDuty, npm). Identifiers that look like secrets but are not (IAM unique ids such as AIDA/AROA, ARNs,
resource ids, digests, UUIDs, pagination tokens, references such as `${VAR}` or `var.x`) are left alone:
`tests/security/secrets/` is the corpus that holds it to both.

Standard library and pydantic only: `xops owui build` inlines this module into the Open WebUI redaction
filter, which must stand alone.
"""

import base64
import binascii
import hashlib
import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from pydantic import BaseModel, Field

MASK = "[REDACTED:{kind}]"


class Match(NamedTuple):
    """One secret in a text: its kind and where it is (`text[start:end]` is the value)."""

    kind: str
    start: int
    end: int


class SecretRef(BaseModel):
    """Where a secret is and what kind it is, never the secret: what a secret-finding analyzer records."""

    location: str = Field(description="Where: resource and variable, file and line, output key ...")
    kind: str = Field(description="What kind of secret (a kind of `find`)")
    fingerprint: str = Field(description="First 4 characters and a short sha256 of the value (`fingerprint`)")


def fingerprint(value: str) -> str:
    """Enough to recognise a secret again (first 4 characters and 12 hex digits of its sha256), not to use it."""
    return f"{value[:4]}…sha256:{hashlib.sha256(value.encode()).hexdigest()[:12]}"


def refs(text: str, location: str) -> list["SecretRef"]:
    """A `SecretRef` for each secret in `text`, found at `location`."""
    return [SecretRef(location=location, kind=m.kind, fingerprint=fingerprint(text[m.start:m.end]))
            for m in find(text)]


# -- value tests ----------------------------------------------------------------------------------------
def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts: dict[str, int] = {}
    for ch in value:
        counts[ch] = counts.get(ch, 0) + 1
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _printable_base64(value: str) -> bool:
    """True when the value is base64 of ordinary text (a random key decodes to bytes, not to words)."""
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return bool(raw) and sum(32 <= b < 127 or b in (9, 10, 13) for b in raw) / len(raw) > 0.9


def random_looking(value: str, min_len: int = 16, min_entropy: float = 3.0) -> bool:
    """A generated credential: long enough, mixed letters and digits, high entropy, not a hex digest or a
    UUID (identifiers), not base64 of ordinary text."""
    if len(value) < min_len or entropy(value) < min_entropy:
        return False
    if not (re.search(r"[A-Za-z]", value) and re.search(r"[0-9]", value)):
        return False
    if re.fullmatch(r"[0-9a-f]{32,}|[0-9A-F]{32,}", value):  # md5/sha digests, request ids
        return False
    if re.fullmatch(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", value):
        return False
    return not _printable_base64(value)


def labelled_value(value: str) -> bool:
    """A value under a key or token label: generated-looking (hex and UUIDs count: many API keys are)."""
    return (len(value) >= 12 and entropy(value) >= 2.8 and bool(re.search(r"[A-Za-z]", value))
            and bool(re.search(r"[0-9]", value)) and not _printable_base64(value))


PLACEHOLDER = re.compile(
    r"""(?ix)^(?:
        \$ | \{\{ | %\( | < | \[redacted | \*{3} | x{3} | \.\.\. | …       # ${VAR}, {{ secrets.X }}, <key>, masked
      | (?:true|false|null|none|nil|yes|no|undefined|empty|required|optional|string|str|int|bool|secret|password|
           token|example|redacted|changeme_later|n/?a|todo|tbd|\*+)$
      | (?:var|local|data|module|each|self|env|os|process|secrets|vault|ssm|params?|settings|config)[.\[(:]
      | arn: | !(?:ref|sub|getatt|importvalue) | ref\( | resolve: | \{\{resolve:
      | (?:file|https?)://\S*$ | /[\w./-]*$ | ~/                          # a path or URL to where it lives
    )""")


def _plain_value(value: str) -> bool:
    """A value that is a real literal, not a reference to one (`${X}`, `var.x`, an ARN, a path, null)."""
    return bool(value) and not PLACEHOLDER.search(value)


# -- labels ---------------------------------------------------------------------------------------------
PASSWORD_WORDS = {"password", "passwd", "pwd", "pass", "passphrase", "passcode", "pw"}
SECRET_WORDS = {"secret", "clientsecret", "apisecret", "secretstring", "secretbinary"}
KEY_COMPOUNDS = {"apikey", "accesskey", "secretkey", "privatekey", "accountkey", "authkey", "masterkey",
                 "signingkey", "sharedaccesskey", "appkey", "licensekey", "subscriptionkey", "webhookkey"}
KEY_QUALIFIERS = {"api", "access", "secret", "private", "account", "auth", "master", "signing", "app",
                  "application", "client", "license", "service", "routing", "integration", "shared", "subscription",
                  "webhook", "encryption", "session", "admin", "write", "read", "deploy", "storage", "primary",
                  "secondary"}
TOKEN_WORDS = {"token", "authtoken", "accesstoken", "refreshtoken", "bearertoken", "apitoken", "sessiontoken",
               "securitytoken", "idtoken"}
NOT_A_SECRET_TOKEN = {"next", "starting", "continuation", "pagination", "page", "start", "resume", "sync", "cancel",
                      "cancellation", "idempotency", "request", "max", "num", "count", "total", "csrf", "xsrf",
                      "marker", "client"}
NOT_A_SECRET_KEY = {"public", "primary_key", "partition", "sort", "hash", "range", "foreign", "cache", "object",
                    "ssh_public", "kms", "host"}


def _words(key: str) -> list[str]:
    key = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key.strip("-_.:'\"` "))
    return [w for w in re.split(r"[^A-Za-z0-9]+", key.lower()) if w]


def label_kind(key: str) -> tuple[str, bool] | None:
    """(kind, strict) when the key names a secret; strict = the value must look generated (keys, tokens)."""
    words = _words(key)
    if not words:
        return None
    last, prev = words[-1], (words[-2] if len(words) > 1 else "")
    joined = "_".join(words)
    if last in PASSWORD_WORDS and (len(words) > 1 or last not in ("pass", "pw")) \
            or last.endswith(("password", "passwd", "passphrase")):
        return "password", False
    if last in SECRET_WORDS or (last in ("string", "binary") and prev == "secret"):
        return "secret", False
    if last in TOKEN_WORDS:
        if prev in NOT_A_SECRET_TOKEN:
            return None
        if prev in ("session", "security") or last in ("sessiontoken", "securitytoken"):
            return "aws-session-token", False
        return "token", True
    if last in KEY_COMPOUNDS or (last == "key" and prev in KEY_QUALIFIERS):
        if prev in NOT_A_SECRET_KEY or joined.endswith(("public_key", "ssh_key")):
            return None
        if prev in ("dd", "datadog") or "datadog" in words or words[:1] == ["dd"]:
            return "datadog-key", True
        if {"routing", "integration", "service"} & {prev} or "pagerduty" in words or words[:1] == ["pd"]:
            return "pagerduty-key", True
        if "secret" in words and "access" in words or joined.endswith("secret_key") and "aws" in words:
            return "aws-secret-key", True
        if last == "accountkey" or (last == "key" and prev == "account"):
            return "azure-storage-key", True
        if last == "privatekey" or prev == "private":
            return "private-key", True
        return "api-key", True
    return None


# -- rules ----------------------------------------------------------------------------------------------
Check = Callable[[re.Match[str]], str | None]


class Rule(NamedTuple):
    kind: str
    pattern: re.Pattern[str]
    check: Check | None = None  # returns the kind (or None: not a secret); default: always `kind`


def _gated(min_len: int = 16, min_entropy: float = 3.0) -> Check:
    def check(m: re.Match[str]) -> str | None:
        value = m.group("s") if "s" in m.re.groupindex else m.group(0)
        return "" if random_looking(value, min_len, min_entropy) else None
    return check


def _unlabelled_aws_secret(m: re.Match[str]) -> str | None:
    v = m.group("s")
    if not (re.search(r"[A-Z]", v) and re.search(r"[a-z]", v) and re.search(r"[0-9]", v)):
        return None  # 40 random base64 characters without a digit: 1 in 900 keys, and every CamelCase path
    return "" if entropy(v) >= 4.0 and not _printable_base64(v) else None


# An unquoted "secret: the same value as …" is a sentence about a secret, not one.
PROSE = {"the", "a", "an", "your", "this", "that", "these", "its", "our", "my", "same", "set", "see", "use", "from",
         "in", "of", "to", "for", "and", "or", "is", "are", "was", "not", "what", "which", "where", "when", "how", "it",
         "must", "should", "will", "can", "if", "as", "at", "by", "on", "with"}
_CODE_REFERENCE = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+")  # settings.token, self.valves.key


def _assignment(m: re.Match[str]) -> str | None:
    label = label_kind(m.group("key"))
    if label is None:
        return None
    kind, strict = label
    value = m.group("s")
    if not _plain_value(value):
        return None
    if m.groupdict().get("q") is None:
        after = m.string[m.end():m.end() + 1]
        if (_CODE_REFERENCE.fullmatch(value) or after in ("[", "(")
                or (re.fullmatch(r"[a-z_][a-z0-9_]*", value) and after in (",", ")"))
                or value.lower() == m.group("key").strip("-").lower() or value.lower() in PROSE):
            return None  # code (a variable, attribute, call, index or keyword argument) or prose, not a literal
    if strict:
        if not (labelled_value(value) or _PREFIXED.match(value)):
            return None
    elif len(value) < 3:
        return None
    return kind


def _uri_password(m: re.Match[str]) -> str | None:
    value = m.group("s")
    return "" if _plain_value(value) and not value.isdigit() else None  # host:port@ is not a password


B64 = r"A-Za-z0-9/+"
ASSIGN = re.compile(
    r"""(?<![\w.\-/:])(?P<key>-{0,2}[A-Za-z_$@][\w.\-]{0,80}?)(?:\\?["'])?       # a name, maybe quoted
        [ \t]*(?:=>|:=|[:=])[ \t]*                                         # = : => (on one line)
        (?P<q>\\?["'`])?
        (?P<s>(?(q)[^\n"'`\\]{1,512}|[^\s"'`,;\\<>()\[\]{}]{1,512}))
        (?(q)\\?["'`])""", re.VERBOSE)
FLAG = re.compile(r"""(?<![\w-])(?P<key>--[A-Za-z][\w-]*|-[a-z][a-z-]+)[ ]+(?P<q>["']?)(?P<s>[^\s"'`\-(\[{<][^\s"'`]{2,511})(?P=q)""")
_PREFIXED = re.compile(r"(?:gh[pousr]_|github_pat_|glpat-|xox[abposr]-|sk-ant-|sk-|sk_live_|sk_test_|rk_live_|"
                       r"rk_test_|AKIA|ASIA|AIza|GOCSPX-|ya29\.|npm_|eyJ)")

RULES: tuple[Rule, ...] = (
    Rule("private-key", re.compile(
        r"-{4,5} ?BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)? ?-{4,5}.*?"
        r"(?:-{4,5} ?END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)? ?-{4,5}|\Z)", re.DOTALL)),
    Rule("private-key", re.compile(r"PuTTY-User-Key-File-\d: .*?Private-MAC: [0-9a-f]+", re.DOTALL)),
    Rule("aws-access-key-id", re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])")),
    Rule("aws-session-token", re.compile(
        rf"(?<![{B64}])(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdz|FQoGZXIvYXdz|AgoJb3JpZ2lu)[{B64}]{{40,}}=*")),
    Rule("github-token", re.compile(r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255})")),
    Rule("gitlab-token", re.compile(
        r"(?<![A-Za-z0-9_-])(?:gl(?:pat|dt|rt|ptt|ft|soat|oas|imt|cbt)-[A-Za-z0-9_\-]{20,}|glagent-[A-Za-z0-9_\-]{50,}"
        r"|GR1348941[A-Za-z0-9_\-]{20,})")),
    Rule("slack-token", re.compile(r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,250}|xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+")),
    Rule("slack-webhook", re.compile(r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_]{20,}")),
    Rule("anthropic-key", re.compile(r"(?<![A-Za-z0-9])sk-ant-[a-z]{3,8}\d{2}-[A-Za-z0-9_\-]{20,}")),
    Rule("openai-key", re.compile(r"(?<![A-Za-z0-9_-])sk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,}"),
         _gated(20, 3.5)),
    Rule("stripe-key", re.compile(r"(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,}|whsec_[A-Za-z0-9]{24,}")),
    Rule("google-api-key", re.compile(r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_\-]{35}(?![A-Za-z0-9_-])")),
    Rule("google-oauth", re.compile(r"GOCSPX-[A-Za-z0-9_\-]{20,}|(?<![A-Za-z0-9])ya29\.[A-Za-z0-9_\-]{30,}"
                                    r"|(?<![A-Za-z0-9])1//0[A-Za-z0-9_\-]{40,}")),
    Rule("azure-storage-key", re.compile(rf"(?i)(?:AccountKey|SharedAccessKey)=(?P<s>[{B64}]{{30,}}=*)")),
    Rule("azure-sas", re.compile(r"(?<=[?&])sig=(?P<s>[A-Za-z0-9%+/=]{30,})")),
    Rule("azure-client-secret", re.compile(r"(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.\-]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}"
                                           r"(?![A-Za-z0-9_~.-])")),
    Rule("npm-token", re.compile(r"(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}|:_auth(?:Token)?\s*=\s*(?P<s>[^\s\"']{8,})")),
    Rule("jwt", re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,}")),
    Rule("authorization", re.compile(
        r"(?i)(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?(?:bearer|basic|token|bot|digest|negotiate|sso-key)"
        r"\s+(?:token=)?(?P<s>[A-Za-z0-9\-._~+/=]{8,})")),
    Rule("authorization", re.compile(r"(?<![\w-])[Bb]earer\s+(?P<s>[A-Za-z0-9\-._~+/]{16,}=*)"), _gated(16, 3.0)),
    Rule("password", re.compile(
        r"(?<![\w+.-])[a-zA-Z][a-zA-Z0-9+.\-]{1,20}://[^\s:/?#@\"']*:(?P<s>[^\s@/\"']{1,256})@[\w.\-\[\]]"),
        _uri_password),
    Rule("password", re.compile(
        r"(?i)[?&;](?:password|passwd|pwd|pass|secret|client_secret|token|access_token|api_?key|auth|"
        r"x-amz-signature|x-amz-security-token|signature)=(?P<s>[^&\s#\"';]{4,})"), _uri_password),
    Rule("password", re.compile(r"(?<!\S)(?:-u|--user)\s+[\"']?[^\s:\"']+:(?P<s>[^\s\"'@]{3,})"), _uri_password),
    Rule("password", re.compile(r"\b(?:mysql|mysqladmin|mysqldump|mariadb)\b[^\n]*?\s-p(?P<s>[^\s\"'-][^\s\"']*)")),
    Rule("password", re.compile(r"\b(?:sshpass|docker login|podman login|helm registry login)\b[^\n]*?\s-p\s+"
                                r"[\"']?(?P<s>[^\s\"'-][^\s\"']*)")),
    Rule("secret", ASSIGN, _assignment),
    Rule("secret", re.compile(r"\baws configure set (?P<key>[\w.]+) +(?P<s>[^\s\"']+)"), _assignment),
    Rule("secret", FLAG, _assignment),
    Rule("aws-secret-key", re.compile(rf"(?<![{B64}=])(?P<s>[{B64}]{{40}})(?![{B64}=])"), _unlabelled_aws_secret),
)


def _scan(rule: Rule, text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each find of one rule. A candidate its check refuses is searched again from its
    value's start, so a refused outer match (`"description": "… password=x"`) cannot hide an inner secret."""
    out: list[tuple[int, int, str]] = []
    has_s = "s" in rule.pattern.groupindex
    pos = 0
    while pos <= len(text):
        m = rule.pattern.search(text, pos)
        if m is None:
            break
        kind: str | None = rule.kind
        if rule.check is not None:
            got = rule.check(m)
            kind = None if got is None else (got or rule.kind)
        start, end = m.span("s") if has_s and m.group("s") is not None else m.span()
        if kind is None:
            pos = start if start > m.start() else m.start() + 1
            continue
        if end > start:
            out.append((start, end, kind))
        pos = max(m.end(), m.start() + 1)
    return out


def find(text: str) -> list[Match]:
    """Every secret in `text`, in order; overlapping finds are merged (the earlier rule names the kind)."""
    spans = sorted((start, end, i, kind) for i, rule in enumerate(RULES) for start, end, kind in _scan(rule, text))
    merged: list[tuple[int, int, int, str]] = []
    for start, end, i, kind in spans:
        if merged and start < merged[-1][1]:
            s0, e0, i0, k0 = merged[-1]
            merged[-1] = (s0, max(e0, end), *((i, kind) if i < i0 else (i0, k0)))
            continue
        merged.append((start, end, i, kind))
    return [Match(kind, start, end) for start, end, _, kind in merged]


def redact(text: str, allow: frozenset[str] = frozenset()) -> tuple[str, list[str]]:
    """The text with every secret replaced by [REDACTED:<kind>], and the kinds found (in order). Spans equal to
    a value in `allow` (identifiers a finding names, such as an access key's id) are kept."""
    found = [m for m in find(text) if text[m.start:m.end] not in allow] if allow else find(text)
    if not found:
        return text, []
    out, last = [], 0
    for m in found:
        out += [text[last:m.start], MASK.format(kind=m.kind)]
        last = m.end
    out.append(text[last:])
    return "".join(out), [m.kind for m in found]


@lru_cache(maxsize=32768)
def _redact_short(text: str) -> str:
    return redact(text)[0]


def redact_value(value: object) -> object:
    """Every string inside a JSON-like value (dict keys kept), redacted; other values unchanged. Findings repeat
    their short strings (regions, states, types): those are looked up once."""
    if isinstance(value, str):
        if len(value) < 6:
            return value
        return _redact_short(value) if len(value) <= 256 else redact(value)[0]
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    return value


# A finding's identifiers: AWS ids (an access key's id names the key an IAM check is about), never masked.
FINDING_IDS = ("analyzer_id", "account_id", "region", "resource_id", "resource_arn", "status", "severity")


def identifiers(value: object) -> frozenset[str]:
    """Every identifier (`FINDING_IDS` field) of every finding inside a JSON-like value."""
    out: set[str] = set()

    def walk(v: object) -> None:
        if isinstance(v, dict):
            out.update(str(v[k]) for k in FINDING_IDS if isinstance(v.get(k), str))
            for item in v.values():
                walk(item)
        elif isinstance(v, list | tuple):
            for item in v:
                walk(item)

    walk(value)
    return frozenset(out)


def redact_keeping_ids(value: object, allow: frozenset[str]) -> object:
    """`redact_value`, but identifier fields are kept, and so is any span equal to an identifier in `allow`."""
    if isinstance(value, str):
        return redact(value, allow)[0]
    if isinstance(value, dict):
        return {k: v if k in FINDING_IDS else redact_keeping_ids(v, allow) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_keeping_ids(v, allow) for v in value]
    return value


def redact_finding(finding: dict[str, object]) -> dict[str, object]:
    """A finding (as JSON) with every secret in its text masked: message, evidence and any other field, but not
    its identifiers (`FINDING_IDS`)."""
    return {k: v if k in FINDING_IDS else redact_value(v) for k, v in finding.items()}
