"""Make Open WebUI's users and groups match IAM Identity Center, through Open WebUI's SCIM endpoint.

Rules (each run recomputes everything from what both sides hold now, so a re-run completes a failed one):
- An Open WebUI user belongs to the sync when its externalId is set (= the IdC UserId). A SCIM or OAuth
  user without one whose email matches an IdC user is adopted (its externalId is set).
- IdC users missing in Open WebUI are created; changed email, display name, status (IdC DISABLED ->
  inactive) or externalId are patched; synced users gone from IdC are deactivated (active=false: Open
  WebUI's `pending` role), never deleted.
- Groups are matched by name (Open WebUI groups have no externalId). Every IdC group, and one group per
  cost centre (`<prefix><cost centre>`, e.g. `cost-centre:payments`), gets exactly its IdC members among
  the synced users; members that are not synced users (local accounts) are left in place. Open WebUI
  groups that are not in IdC are left alone, except cost-centre groups, which lose their synced members.
- Order: create and update users, then groups, then deactivate. A transport error or 5xx stops the run
  (the rest is reported as not applied); a refused change (4xx) is reported and the run goes on.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from xops.identity.directory import Directory, DirectoryUser
from xops.identity.scim import ScimClient, ScimError, ScimGroup, ScimRejected, ScimUser

DEFAULT_GROUP_PREFIX = "cost-centre:"
SHOWN_MEMBERS = 8  # member names listed per group line before "... and N more"


class Counts(BaseModel):
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0


class SyncReport(BaseModel):
    identity_store_id: str
    openwebui: str
    dry_run: bool
    users: Counts = Field(default_factory=Counts)
    groups: Counts = Field(default_factory=Counts)
    lines: list[str] = []  # the diff: "+ ..." created, "~ ..." updated, "- ..." deactivated
    failures: list[str] = []  # changes Open WebUI refused
    notes: list[str] = []  # things left alone on purpose
    aborted: str | None = None  # why the run stopped early (the rest was not applied)
    not_applied: int = 0
    cost_centre_groups: dict[str, list[str]] = {}  # group name -> [cost centre]: the API's ABAC mapping

    @property
    def complete(self) -> bool:
        return self.aborted is None and not self.failures


class UserAction(BaseModel):
    action: Literal["create", "update", "deactivate"]
    user: DirectoryUser | None = None
    current: ScimUser | None = None
    changes: dict[str, Any] = {}

    @property
    def label(self) -> str:
        return self.user.email if self.user else self.current.userName if self.current else "?"

    def line(self) -> str:
        if self.action == "create":
            assert self.user is not None
            extra = "" if self.user.active else ", inactive (DISABLED in IdC)"
            cc = f", cost centre {self.user.cost_centre}" if self.user.cost_centre else ""
            return f"+ user {self.user.email} ({self.user.display_name}{cc}{extra})"
        if self.action == "deactivate":
            return f"- user {self.label}: deactivated (not in IdC)"
        assert self.current is not None
        old = self.current.model_dump()
        parts = [f"{k} {_show(old.get(k))} -> {_show(v)}"
                 for k, v in self.changes.items()]
        return f"~ user {self.label}: {', '.join(parts)}"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return "none" if value is None else repr(value)


def plan_users(directory: Directory, current: list[ScimUser]) -> tuple[list[UserAction], dict[str, str], int, int]:
    """(actions, IdC UserId -> Open WebUI id for matched users, unchanged count, unmanaged count)."""
    wanted = {u.user_id for u in directory.users}
    by_ext: dict[str, ScimUser] = {}
    for s in current:
        if s.externalId:
            by_ext.setdefault(s.externalId, s)
    by_email = {s.userName.lower(): s for s in current}
    claimed: set[str] = set()
    actions: list[UserAction] = []
    ids: dict[str, str] = {}
    unchanged = 0
    for d in directory.users:
        s = by_ext.get(d.user_id)
        if s is None:
            candidate = by_email.get(d.email)
            if candidate and candidate.id not in claimed and candidate.externalId not in wanted:
                s = candidate
        if s is None:
            actions.append(UserAction(action="create", user=d))
            continue
        claimed.add(s.id)
        ids[d.user_id] = s.id
        changes: dict[str, Any] = {}
        if s.externalId != d.user_id:
            changes["externalId"] = d.user_id
        if s.userName.lower() != d.email:
            changes["userName"] = d.email
        if s.displayName != d.display_name:
            changes["displayName"] = d.display_name
        if s.active != d.active:
            changes["active"] = d.active
        if changes:
            actions.append(UserAction(action="update", user=d, current=s, changes=changes))
        else:
            unchanged += 1
    unmanaged = 0
    for s in current:
        if s.id in claimed:
            continue
        if not s.externalId:
            unmanaged += 1
        elif s.active:
            actions.append(UserAction(action="deactivate", current=s, changes={"active": False}))
        else:
            unchanged += 1  # already deactivated
    return actions, ids, unchanged, unmanaged


def desired_groups(directory: Directory, prefix: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(group name -> IdC UserIds, cost-centre group name -> [cost centre])."""
    groups = {g.name: g.member_ids for g in directory.groups}
    centres: dict[str, list[str]] = {}
    for u in directory.users:
        if u.cost_centre:
            centres.setdefault(f"{prefix}{u.cost_centre}", []).append(u.user_id)
    clash = sorted(set(groups) & set(centres))
    if clash:
        raise ScimError(f"IdC groups named like cost-centre groups: {', '.join(clash)}",
                        "choose another --cost-centre-group-prefix")
    return {**groups, **centres}, {name: [name.removeprefix(prefix)] for name in centres}


class GroupAction(BaseModel):
    action: Literal["create", "update"]
    name: str
    group_id: str | None = None
    members: list[str]  # the full member list to set (Open WebUI ids)
    added: list[str] = []  # labels (emails) for the diff
    removed: list[str] = []

    def line(self) -> str:
        if self.action == "create":
            return f"+ group {self.name} ({len(self.members)} members)"
        parts = [f"+{n}" for n in self.added] + [f"-{n}" for n in self.removed]
        more = f" ... and {len(parts) - SHOWN_MEMBERS} more" if len(parts) > SHOWN_MEMBERS else ""
        return f"~ group {self.name}: {' '.join(parts[:SHOWN_MEMBERS])}{more}"


def plan_groups(wanted: dict[str, list[str]], current: list[ScimGroup], ids: dict[str, str], managed: set[str],
                prefix: str, names: dict[str, str]) -> tuple[list[GroupAction], int, list[str]]:
    """(actions, unchanged count, notes). `ids`: IdC UserId -> Open WebUI id; `managed`: synced Open WebUI ids."""
    by_name: dict[str, ScimGroup] = {}
    notes: list[str] = []
    for g in current:
        if g.displayName in by_name:
            notes.append(f"Open WebUI has several groups named {g.displayName!r}: only the first is synced")
        by_name.setdefault(g.displayName, g)
    stale = sorted(n for n in by_name if n not in wanted and n.startswith(prefix))
    targets = {**wanted, **{n: [] for n in stale}}
    others = sorted(n for n in by_name if n not in targets)
    if others:
        notes.append(f"{len(others)} Open WebUI group(s) not in IdC left as is: {', '.join(others)}")
    actions: list[GroupAction] = []
    unchanged = 0
    for name in sorted(targets):
        target = {ids[u] for u in targets[name] if u in ids}
        group = by_name.get(name)
        if group is None:
            if target:  # an empty group in IdC is created once it has members
                actions.append(GroupAction(action="create", name=name, members=sorted(target)))
            continue
        have = group.member_ids
        new = (have - managed) | target
        if new == have:
            unchanged += 1
            continue
        label = lambda i: names.get(i, i)  # noqa: E731
        actions.append(GroupAction(action="update", name=name, group_id=group.id, members=sorted(new),
                                   added=sorted(label(i) for i in new - have),
                                   removed=sorted(label(i) for i in have - new)))
    return actions, unchanged, notes


def sync(directory: Directory, client: ScimClient, *, dry_run: bool = False,
         group_prefix: str = DEFAULT_GROUP_PREFIX) -> SyncReport:
    """Read Open WebUI, work out the diff, apply it (unless dry_run). A partial failure does not raise: the
    report says what was applied, what was refused, and whether (and why) the run stopped early."""
    report = SyncReport(identity_store_id=directory.identity_store_id, openwebui=client.url, dry_run=dry_run)
    report.notes.extend(f"skipped IdC user {s}" for s in directory.skipped)
    wanted, report.cost_centre_groups = desired_groups(directory, group_prefix)
    client.check()
    current_users = client.users()
    current_groups = client.groups()
    actions, ids, report.users.unchanged, unmanaged = plan_users(directory, current_users)
    if unmanaged:
        report.notes.append(f"{unmanaged} Open WebUI SCIM/OAuth user(s) without an externalId and not in IdC: "
                            "left as is")
    names = {s.id: s.userName for s in current_users} | {f"new:{u.user_id}": u.email for u in directory.users}
    managed = {s.id for s in current_users if s.externalId}
    upserts = [a for a in actions if a.action != "deactivate"]
    deactivations = [a for a in actions if a.action == "deactivate"]
    planned_groups = 0
    done = 0
    try:
        for a in upserts:
            assert a.user is not None
            new_id = f"new:{a.user.user_id}" if dry_run else _apply_user(client, a, report)
            done += 1
            if new_id is None:
                continue
            if a.action == "create":
                ids[a.user.user_id] = new_id
                names[new_id] = a.user.email
            _count(report.users, a.action, report.lines, a.line())
        managed |= set(ids.values())
        group_actions, report.groups.unchanged, notes = plan_groups(wanted, current_groups, ids, managed,
                                                                    group_prefix, names)
        report.notes.extend(notes)
        planned_groups = len(group_actions)
        for g in group_actions:
            ok = dry_run or _apply_group(client, g, report)
            done += 1
            if ok:
                _count(report.groups, g.action, report.lines, g.line())
        for a in deactivations:
            ok = dry_run or _apply_user(client, a, report) is not None
            done += 1
            if ok:
                _count(report.users, a.action, report.lines, a.line())
    except ScimError as exc:
        report.aborted = exc.message + (f" ({exc.hint})" if exc.hint else "")
        report.not_applied = len(actions) + planned_groups - done
    return report


def _apply_user(client: ScimClient, a: UserAction, report: SyncReport) -> str | None:
    """The Open WebUI id of the created or patched user; None (and a failure line) if refused."""
    try:
        if a.action == "create":
            assert a.user is not None
            return client.create_user(a.user.user_id, a.user.email, a.user.display_name, a.user.active).id
        assert a.current is not None
        made = client.patch_user(a.current.id, a.changes, a.label)
    except ScimRejected as exc:
        hint = (" (a local Open WebUI account has this email: delete it, or link it by signing in with SSO, "
                "then re-run)") if exc.status == 409 and a.action == "create" else ""
        report.failures.append(f"user {a.label}: {exc.message}{hint}")
        return None
    if a.changes.get("active") is False and made.active:
        report.failures.append(f"user {a.label}: still active: Open WebUI never lets SCIM deactivate an admin; "
                               "demote the user in Admin > Users, then re-run")
        return None
    return made.id


def _apply_group(client: ScimClient, g: GroupAction, report: SyncReport) -> bool:
    try:
        if g.action == "create":
            client.create_group(g.name, g.members)
        else:
            assert g.group_id is not None
            client.set_group_members(g.group_id, g.members, g.name)
    except ScimRejected as exc:
        report.failures.append(f"group {g.name}: {exc.message}")
        return False
    return True


def _count(counts: Counts, action: str, lines: list[str], line: str) -> None:
    field = {"create": "created", "update": "updated", "deactivate": "deactivated"}[action]
    setattr(counts, field, getattr(counts, field) + 1)
    lines.append(line)


def render(report: SyncReport) -> str:
    """The diff as text: a header, one line per change, notes, failures, then the counts."""
    head = "dry run (nothing changed): " if report.dry_run else ""
    out = [f"{head}IdC {report.identity_store_id} -> Open WebUI {report.openwebui}"]
    out.extend(f"  {line}" for line in report.lines)
    out.extend(f"  note: {n}" for n in report.notes)
    out.extend(f"  FAILED: {f}" for f in report.failures)
    if report.aborted:
        out.append(f"  STOPPED: {report.aborted}; {report.not_applied} change(s) not applied: re-run to complete")
    u, g = report.users, report.groups
    verb = "would be " if report.dry_run else ""
    out.append(f"users: {u.created} {verb}created, {u.updated} {verb}updated, {u.deactivated} {verb}deactivated, "
               f"{u.unchanged} unchanged; groups: {g.created} {verb}created, {g.updated} {verb}updated, "
               f"{g.unchanged} unchanged")
    return "\n".join(out) + "\n"
