"""Read IAM Identity Center's directory (identitystore): users, groups, memberships, the cost-centre attribute.

The cost centre is read from one user attribute, `--cost-centre-attribute`:
- `enterprise.costCenter` (default): the SCIM enterprise extension that IdPs (Entra ID, Okta, ...) provision
  into IdC and that IdC's ABAC uses as `${path:enterprise.costCenter}`. identitystore returns it only when
  asked for the `aws:identitystore:enterprise` extension. Any other `enterprise.<field>` works the same way.
- `UserType`, `Title` or `NickName`: a core user attribute, for directories without the extension.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError
from pydantic import BaseModel

from xops.core.errors import CredentialsError, EndpointError, UsageError, XopsError

ENTERPRISE_EXTENSION = "aws:identitystore:enterprise"
CORE_ATTRIBUTES = ("UserType", "Title", "NickName")
DEFAULT_COST_CENTRE_ATTRIBUTE = "enterprise.costCenter"


class DirectoryUser(BaseModel):
    user_id: str  # IdC UserId: the externalId in Open WebUI
    user_name: str
    email: str  # lower case
    display_name: str
    active: bool = True
    cost_centre: str | None = None


class DirectoryGroup(BaseModel):
    group_id: str
    name: str
    member_ids: list[str]  # IdC UserIds, sorted


class Directory(BaseModel):
    identity_store_id: str
    users: list[DirectoryUser]
    groups: list[DirectoryGroup]
    skipped: list[str] = []  # users that cannot be synced, with the reason


def check_cost_centre_attribute(attribute: str) -> None:
    if attribute in CORE_ATTRIBUTES:
        return
    prefix, dot, field = attribute.partition(".")
    if prefix == "enterprise" and dot and field.isidentifier():
        return
    raise UsageError(f"--cost-centre-attribute {attribute!r} is not supported",
                     f"use enterprise.<field> (e.g. {DEFAULT_COST_CENTRE_ATTRIBUTE}) or one of "
                     f"{', '.join(CORE_ATTRIBUTES)}")


def cost_centre_of(user: dict[str, Any], attribute: str) -> str | None:
    """The user's cost centre from an identitystore User dict (None when unset or blank)."""
    if attribute.startswith("enterprise."):
        ext = (user.get("Extensions") or {}).get(ENTERPRISE_EXTENSION) or {}
        value = ext.get(attribute.removeprefix("enterprise.")) if isinstance(ext, dict) else None
    else:
        value = user.get(attribute)
    text = str(value).strip() if value is not None else ""
    return text or None


def email_of(user: dict[str, Any]) -> str | None:
    emails = [e for e in user.get("Emails") or [] if e.get("Value")]
    primary = [e for e in emails if e.get("Primary")]
    chosen = (primary or emails or [{}])[0].get("Value")
    if not chosen and "@" in user.get("UserName", ""):
        chosen = user["UserName"]
    return chosen.strip().lower() if chosen else None


def display_name_of(user: dict[str, Any]) -> str:
    name = user.get("Name") or {}
    given = " ".join(p for p in (name.get("GivenName"), name.get("FamilyName")) if p)
    return (user.get("DisplayName") or name.get("Formatted") or given or user["UserName"]).strip()


def _pages(call: Any, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = call(**kwargs, **({"NextToken": token} if token else {}))
        items.extend(page.get(key) or [])
        token = page.get("NextToken")
        if not token:
            return items


def _aws_error(exc: Exception, what: str) -> XopsError:
    if isinstance(exc, NoCredentialsError):
        return CredentialsError(f"no usable AWS credentials to read {what}",
                                "set AWS_PROFILE (run `aws sso login`) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
    if isinstance(exc, EndpointConnectionError):
        return EndpointError(f"cannot reach AWS to read {what}: {exc}", "check --region, AWS_ENDPOINT_URL and the network")
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = err.get("Code", "")
        hint = ("grant identitystore:ListUsers, ListGroups, ListGroupMemberships (and sso:ListInstances "
                "without --identity-store-id) to this role") if "Denied" in code else \
            "check --identity-store-id and --region (the IdC home region)"
        return XopsError(f"reading {what} failed: {code}: {err.get('Message', '')}", hint)
    return EndpointError(f"reading {what} failed: {exc}", "check AWS_ENDPOINT_URL and the network")


def find_identity_store(session: Any, region: str | None) -> str:
    """The identity store of the one IdC instance visible in this account and region."""
    try:
        instances = _pages(session.client("sso-admin", region_name=region).list_instances, "Instances")
    except (BotoCoreError, ClientError) as exc:
        raise _aws_error(exc, "the IAM Identity Center instances") from exc
    ids = sorted({i["IdentityStoreId"] for i in instances if i.get("IdentityStoreId")})
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise UsageError(f"no IAM Identity Center instance in region {region or 'default'}",
                         "pass --identity-store-id d-... and --region with IdC's home region")
    raise UsageError(f"{len(ids)} identity stores found ({', '.join(ids)})", "choose one with --identity-store-id")


def read_directory(session: Any, identity_store_id: str, region: str | None,
                   cost_centre_attribute: str = DEFAULT_COST_CENTRE_ATTRIBUTE) -> Directory:
    """Every user, group and membership of the identity store."""
    check_cost_centre_attribute(cost_centre_attribute)
    client = session.client("identitystore", region_name=region)
    extensions = {"Extensions": [ENTERPRISE_EXTENSION]} if cost_centre_attribute.startswith("enterprise.") else {}
    try:
        raw_users = _pages(client.list_users, "Users", IdentityStoreId=identity_store_id, **extensions)
        raw_groups = _pages(client.list_groups, "Groups", IdentityStoreId=identity_store_id)
        memberships = {
            g["GroupId"]: _pages(client.list_group_memberships, "GroupMemberships",
                                 IdentityStoreId=identity_store_id, GroupId=g["GroupId"])
            for g in raw_groups
        }
    except (BotoCoreError, ClientError) as exc:
        raise _aws_error(exc, f"identity store {identity_store_id}") from exc
    users: list[DirectoryUser] = []
    skipped: list[str] = []
    for u in raw_users:
        email = email_of(u)
        if email is None:
            skipped.append(f"{u['UserName']} ({u['UserId']}): no email in IdC, and Open WebUI needs one")
            continue
        users.append(DirectoryUser(user_id=u["UserId"], user_name=u["UserName"], email=email,
                                   display_name=display_name_of(u), active=u.get("UserStatus") != "DISABLED",
                                   cost_centre=cost_centre_of(u, cost_centre_attribute)))
    seen: dict[str, str] = {}
    for user in sorted(users, key=lambda x: x.user_name):
        if user.email in seen:
            skipped.append(f"{user.user_name} ({user.user_id}): email {user.email} is also {seen[user.email]}'s")
        seen.setdefault(user.email, user.user_name)
    users = [u for u in users if seen[u.email] == u.user_name]
    known = {u.user_id for u in users}
    groups = [
        DirectoryGroup(group_id=g["GroupId"], name=g["DisplayName"],
                       member_ids=sorted({m["MemberId"]["UserId"] for m in memberships[g["GroupId"]]
                                          if m.get("MemberId", {}).get("UserId") in known}))
        for g in raw_groups
    ]
    return Directory(identity_store_id=identity_store_id, users=sorted(users, key=lambda x: x.email),
                     groups=sorted(groups, key=lambda x: x.name), skipped=skipped)
