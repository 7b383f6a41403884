"""A small SCIM 2.0 client for Open WebUI's endpoint (`/api/v1/scim/v2`, open_webui/routers/scim.py).

What Open WebUI 0.12 supports, and so what this client uses:
- Users: list (paged by startIndex/count <= 100; only SCIM- or OAuth-provisioned users are listed),
  POST (409 when the externalId or email exists), PATCH replace of userName, displayName, active,
  externalId. `active=false` sets the role to `pending`; an admin is never demoted by SCIM.
  externalId is stored only when Open WebUI runs with SCIM_AUTH_PROVIDER set.
- Groups: list (paged), POST with members, PATCH `replace members`. Groups have no externalId: they are
  matched by displayName.
Transport failures and 5xx raise `ScimUnavailable` (stop: the rest would fail too); other 4xx raise
`ScimRejected` (this one change failed; the sync goes on).
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from xops.core.errors import IdentitySyncError, ScimRejected, ScimUnavailable, UsageError

PAGE = 100


ScimError = IdentitySyncError  # the family of SCIM failures (core/errors.py)
__all__ = ["ScimError", "ScimRejected", "ScimUnavailable"]


class ScimUser(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    externalId: str | None = None
    userName: str
    displayName: str
    active: bool = True


class ScimMember(BaseModel):
    model_config = ConfigDict(extra="ignore")
    value: str


class ScimGroup(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    displayName: str
    members: list[ScimMember] = []

    @property
    def member_ids(self) -> set[str]:
        return {m.value for m in self.members}


PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class ScimClient:
    def __init__(self, base_url: str, token: str, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise UsageError(f"--openwebui {base_url!r} is not an http(s) URL", "e.g. --openwebui https://chat.example.com")
        if not token.strip():
            raise UsageError("the SCIM token is empty", "pass --scim-token or set XOPS_SCIM_TOKEN (Open WebUI's SCIM_TOKEN)")
        self.url = base_url.rstrip("/")
        self.requests = 0
        self._http = httpx.Client(base_url=f"{self.url}/api/v1/scim/v2", timeout=timeout, transport=transport,
                                  headers={"Authorization": f"Bearer {token.strip()}", "Accept": "application/json"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ScimClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport ------------------------------------------------------------------------------------
    def _call(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        self.requests += 1
        try:
            r = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ScimUnavailable(f"{what}: Open WebUI at {self.url} did not answer ({type(exc).__name__}: {exc})",
                                  "check --openwebui and that Open WebUI is up, then re-run: the sync resumes "
                                  "from what is already in Open WebUI") from exc
        if r.status_code < 400:
            return r.json() if r.content else None
        detail = _detail(r)
        if r.status_code == 401:
            raise ScimError(f"{what}: Open WebUI refused the SCIM token ({detail})",
                            "pass Open WebUI's SCIM_TOKEN as --scim-token (or XOPS_SCIM_TOKEN)")
        if r.status_code == 403 and "not enabled" in detail:
            raise ScimError(f"{what}: SCIM is not enabled in Open WebUI", "start Open WebUI with ENABLE_SCIM=true")
        if r.status_code == 404 and path in ("/ServiceProviderConfig", "/Users"):
            raise ScimError(f"{what}: {self.url} has no SCIM endpoint (HTTP 404)",
                            "check --openwebui (the Open WebUI base URL) and start Open WebUI with ENABLE_SCIM=true")
        if "SCIM_AUTH_PROVIDER" in detail:
            raise ScimError(f"{what}: {detail}", "set SCIM_AUTH_PROVIDER in Open WebUI (e.g. oidc) so it keeps "
                            "the externalId that links users to IdC")
        if r.status_code >= 500:
            raise ScimUnavailable(f"{what}: Open WebUI answered HTTP {r.status_code}: {detail}",
                                  "check Open WebUI's log, then re-run: the sync resumes from what is in Open WebUI")
        raise ScimRejected(f"{what}: HTTP {r.status_code}: {detail}", status=r.status_code)

    def _list(self, path: str, what: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        start = 1
        while True:
            page = self._call("GET", path, what, params={"startIndex": start, "count": PAGE})
            got = page.get("Resources") or []
            items.extend(got)
            start += len(got)
            if not got or start > int(page.get("totalResults", 0)):
                return items

    # -- API ------------------------------------------------------------------------------------------
    def check(self) -> None:
        """Fail early, with a clear error, on a wrong URL, a disabled endpoint or a bad token."""
        self._call("GET", "/ServiceProviderConfig", "checking the SCIM endpoint")
        self._call("GET", "/Users", "checking the SCIM token", params={"count": 1})

    def users(self) -> list[ScimUser]:
        return [ScimUser.model_validate(u) for u in self._list("/Users", "listing Open WebUI users")]

    def groups(self) -> list[ScimGroup]:
        return [ScimGroup.model_validate(g) for g in self._list("/Groups", "listing Open WebUI groups")]

    def create_user(self, external_id: str, email: str, display_name: str, active: bool) -> ScimUser:
        body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "externalId": external_id,
                "userName": email, "displayName": display_name, "active": active,
                "emails": [{"value": email, "type": "work", "primary": True}]}
        return ScimUser.model_validate(self._call("POST", "/Users", f"creating user {email}", json=body))

    def patch_user(self, user_id: str, changes: dict[str, Any], label: str) -> ScimUser:
        body = {"schemas": [PATCH_SCHEMA],
                "Operations": [{"op": "replace", "path": k, "value": v} for k, v in changes.items()]}
        return ScimUser.model_validate(self._call("PATCH", f"/Users/{user_id}", f"updating user {label}", json=body))

    def create_group(self, name: str, member_ids: list[str]) -> ScimGroup:
        body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name,
                "members": [{"value": m, "type": "User"} for m in member_ids]}
        return ScimGroup.model_validate(self._call("POST", "/Groups", f"creating group {name}", json=body))

    def set_group_members(self, group_id: str, member_ids: list[str], name: str) -> ScimGroup:
        body = {"schemas": [PATCH_SCHEMA], "Operations": [
            {"op": "replace", "path": "members", "value": [{"value": m, "type": "User"} for m in member_ids]}]}
        return ScimGroup.model_validate(self._call("PATCH", f"/Groups/{group_id}", f"updating group {name}", json=body))


def _detail(r: httpx.Response) -> str:
    try:
        body = r.json()
    except ValueError:
        return r.text[:300] or r.reason_phrase
    if isinstance(body, dict):
        return str(body.get("detail") or body)[:300]
    return str(body)[:300]
