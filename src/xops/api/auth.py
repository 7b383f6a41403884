"""Who is calling: a bearer API key, then the user Open WebUI forwards, then their cost centres (ABAC).

User headers are trusted only on a request that carries a valid key (Open WebUI's
ENABLE_FORWARD_USER_INFO_HEADERS names, plus X-OpenWebUI-User-Groups, which our filter adds). A keyed
request without user headers is the service itself (automation, the CLI) and sees everything.
The cost-centre decision is made here and nowhere else: other surfaces only pass identity on.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel

from xops.api.keys import ApiKey, KeyRing
from xops.api.settings import ApiSettings

USER_HEADERS = {
    "id": "x-openwebui-user-id",
    "email": "x-openwebui-user-email",
    "name": "x-openwebui-user-name",
    "role": "x-openwebui-user-role",
    "groups": "x-openwebui-user-groups",
}


class AuthError(Exception):
    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


class Identity(BaseModel):
    user: str  # email, else id, else "service"
    user_id: str = ""
    name: str = ""
    role: str  # admin | user | service
    groups: list[str] = []
    cost_centres: list[str] | None = None  # None = sees every finding
    key_id: str = ""  # the API key the request came with (its id, never the key)

    @property
    def admin(self) -> bool:
        return self.role in ("admin", "service")

    def audit_scope(self) -> dict[str, object]:
        return {"cost_centres": self.cost_centres, "groups": self.groups, "key_id": self.key_id}


def check_key(keys: KeyRing, authorization: str | None) -> ApiKey:
    """The key of a request (constant-time comparison of hashes), or a 401 saying what is wrong."""
    if not authorization:
        raise AuthError(401, "missing API key",
                        "send 'Authorization: Bearer <key>' (keys come from XOPS_API_KEYS or XOPS_API_KEYS_FILE)")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError(401, "malformed Authorization header", "use 'Authorization: Bearer <key>'")
    key = keys.match(token.strip())
    if key is None:
        raise AuthError(401, "invalid API key", "check the key against XOPS_API_KEYS on the server")
    if not key.valid_at(datetime.now(UTC)):
        raise AuthError(401, "API key expired", f"key {key.id} was valid until {key.not_after}: use its successor")
    return key


def identify(settings: ApiSettings, headers: dict[str, str]) -> Identity:
    """The caller's identity from forwarded headers (call only after `check_key`)."""
    got = {k: headers.get(h, "").strip() for k, h in USER_HEADERS.items()}
    if not (got["id"] or got["email"]):
        return Identity(user="service", role="service")
    role = got["role"].lower() or "user"
    groups = [g.strip() for g in got["groups"].split(",") if g.strip()]
    ident = Identity(user=got["email"] or got["id"], user_id=got["id"], name=got["name"],
                     role="admin" if role == "admin" else "user", groups=groups)
    mapping = settings.cost_centres
    if ident.admin or not mapping.enabled:
        return ident
    centres: list[str] = []
    for key in (got["email"], got["id"]):
        centres.extend(mapping.users.get(key, []))
    for g in groups:
        centres.extend(mapping.groups.get(g, []))
    centres = sorted(set(centres))
    if not centres:
        raise AuthError(403, "no cost centre for this user",
                        f"{ident.user} is not mapped to a cost centre, so xOps cannot show any findings; "
                        "ask an admin to add you (or one of your groups) to XOPS_COST_CENTRES")
    return ident.model_copy(update={"cost_centres": centres})


def may_read(ident: Identity, run_owner: str, run_centres: list[str] | None) -> bool:
    """Admins read every run; a user reads their own runs and runs scoped within their cost centres."""
    if ident.admin or ident.cost_centres is None:
        return True
    if run_owner == ident.user:
        return True
    return run_centres is not None and set(run_centres) <= set(ident.cost_centres)
