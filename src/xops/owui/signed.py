"""A signed identity for the Pipelines server, whose chat routes take anyone's request: the scope filter (in
Open WebUI) signs the user and their groups with a secret shared with the pipelines; they trust nothing else."""

import hashlib
import hmac
import json
import time
from typing import Any

MAX_AGE_SECONDS = 300


def sign_identity(secret: str, user: dict[str, Any], groups: list[str], now: float | None = None) -> dict[str, str]:
    claims = {"id": str(user.get("id") or ""), "email": str(user.get("email") or ""),
              "name": str(user.get("name") or ""), "role": str(user.get("role") or "user"), "groups": groups,
              "ts": int(now if now is not None else time.time())}
    payload = json.dumps(claims, sort_keys=True, separators=(",", ":"))
    return {"identity": payload, "sig": hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()}


def verify_identity(secret: str, signed: Any, now: float | None = None) -> dict[str, Any]:
    """The claims of a signed identity; raises ValueError saying what is wrong."""
    if not secret:
        raise ValueError("XOPS_PIPELINES_SECRET is not set on the Pipelines server; set it to the scope filter's "
                         "pipelines_secret valve")
    if not isinstance(signed, dict) or not signed.get("identity") or not signed.get("sig"):
        raise ValueError("no signed identity in the request: attach the xOps cost-centre scope filter to this model "
                         "and set its pipelines_secret valve")
    want = hmac.new(secret.encode(), str(signed["identity"]).encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, str(signed["sig"])):
        raise ValueError("the identity signature does not match: the scope filter's pipelines_secret differs from "
                         "XOPS_PIPELINES_SECRET")
    claims = json.loads(signed["identity"])
    age = (now if now is not None else time.time()) - int(claims.get("ts", 0))
    if not -30 <= age <= MAX_AGE_SECONDS:
        raise ValueError(f"the signed identity is {age:.0f} s old (limit {MAX_AGE_SECONDS} s): send the message again")
    return claims
