"""`xops identity sync` end to end: moto identitystore (55 users, 5 groups) -> a real Open WebUI over SCIM.

The expected Open WebUI state is worked out here from the seeded directory, independently of the sync code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import httpx
import pytest
import yaml

from tests.harness.flaky_proxy import FlakyProxy
from tests.harness.openwebui import ADMIN_EMAIL, OpenWebUI
from xops.sandbox.moto_server import MANAGEMENT_ACCOUNT, MotoServer

pytestmark = pytest.mark.xdist_group("openwebui")

XOPS = str(Path(sys.executable).with_name("xops"))
REGION = "us-east-1"
CENTRES = ("platform", "payments", "data")
GROUPS = {  # IdC group -> member person numbers
    "finops-analysts": range(0, 20),
    "cloudops-engineers": range(15, 35),
    "devsecops": range(30, 50),
    "xops-admins": range(0, 3),
    "readers": range(0, 55, 5),
}


@dataclass
class Person:
    n: int
    email: str
    name: str
    centre: str
    user_id: str = ""


@dataclass
class Idc:
    """The moto identity store plus the test's own model of it (people and group members by number)."""

    store_id: str
    client: object
    people: dict[int, Person] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)  # name -> GroupId
    members: dict[str, set[int]] = field(default_factory=dict)

    def add_person(self, n: int, centre: str | None = None, email: str | None = None) -> Person:
        p = Person(n, email or f"user{n:02d}@corp.example", f"User {n:02d}", centre or CENTRES[n % 3])
        p.user_id = self.client.create_user(
            IdentityStoreId=self.store_id, UserName=f"user{n:02d}", DisplayName=p.name,
            Name={"GivenName": "User", "FamilyName": f"{n:02d}"}, UserType=p.centre,
            Emails=[{"Value": p.email, "Type": "work", "Primary": True}])["UserId"]
        self.people[n] = p
        return p

    def add_group(self, name: str) -> None:
        self.groups[name] = self.client.create_group(IdentityStoreId=self.store_id, DisplayName=name)["GroupId"]
        self.members[name] = set()

    def add_member(self, group: str, n: int) -> None:
        self.client.create_group_membership(IdentityStoreId=self.store_id, GroupId=self.groups[group],
                                            MemberId={"UserId": self.people[n].user_id})
        self.members[group].add(n)

    def remove_member(self, group: str, n: int) -> None:
        mid = self.client.get_group_membership_id(IdentityStoreId=self.store_id, GroupId=self.groups[group],
                                                  MemberId={"UserId": self.people[n].user_id})["MembershipId"]
        self.client.delete_group_membership(IdentityStoreId=self.store_id, MembershipId=mid)
        self.members[group].discard(n)

    def delete_person(self, n: int) -> Person:
        for group, nums in self.members.items():
            if n in nums:
                self.remove_member(group, n)
        self.client.delete_user(IdentityStoreId=self.store_id, UserId=self.people[n].user_id)
        return self.people.pop(n)

    def edit_person(self, n: int, **changes: str) -> None:
        """identitystore UpdateUser is not in moto: edit moto's backend (it runs in this process)."""
        from moto.identitystore.models import identitystore_backends

        users = identitystore_backends[MANAGEMENT_ACCOUNT][REGION].identity_stores[self.store_id].users
        p = self.people[n]
        users[p.user_id] = users[p.user_id]._replace(**changes)
        p.name = changes.get("DisplayName", p.name)
        p.centre = changes.get("UserType", p.centre)
        if "Emails" in changes:
            p.email = changes["Emails"][0]["Value"]

    def expected_groups(self) -> dict[str, set[int]]:
        groups = {name: set(nums) for name, nums in self.members.items() if nums}
        for p in self.people.values():
            groups.setdefault(f"cost-centre:{p.centre}", set()).add(p.n)
        return groups


@pytest.fixture
def idc(moto_server: MotoServer) -> Idc:
    moto_server.reset()
    sso = boto3.client("sso-admin", region_name=REGION, endpoint_url=moto_server.endpoint)
    store = sso.list_instances()["Instances"][0]["IdentityStoreId"]
    return Idc(store, boto3.client("identitystore", region_name=REGION, endpoint_url=moto_server.endpoint))


def seed(idc: Idc, people: int = 55) -> None:
    for n in range(people):
        idc.add_person(n)
    for name, nums in GROUPS.items():
        idc.add_group(name)
        for n in nums:
            if n in idc.people:
                idc.add_member(name, n)


def scim(owui: OpenWebUI) -> httpx.Client:
    return httpx.Client(base_url=f"{owui.url}/api/v1/scim/v2", timeout=60,
                        headers={"Authorization": f"Bearer {owui.scim_token}"})


@pytest.fixture
def owui(openwebui_scim: OpenWebUI) -> Iterator[OpenWebUI]:
    """The SCIM-enabled Open WebUI, emptied of SCIM users and of groups (test-only DELETEs)."""
    with scim(openwebui_scim) as c:
        for kind in ("Users", "Groups"):
            for item in c.get(f"/{kind}", params={"count": 100}).json()["Resources"]:
                assert c.delete(f"/{kind}/{item['id']}").status_code == 204
        assert c.get("/Users").json()["totalResults"] == 0
    yield openwebui_scim


@dataclass
class OwuiState:
    users: dict[str, dict]  # email -> SCIM user
    groups: dict[str, set[str]]  # group name -> member emails


def state(owui: OpenWebUI) -> OwuiState:
    with scim(owui) as c:
        users = c.get("/Users", params={"count": 100}).json()["Resources"]
        groups = c.get("/Groups", params={"count": 100}).json()["Resources"]
    email = {u["id"]: u["userName"] for u in users}
    return OwuiState({u["userName"]: u for u in users},
                     {g["displayName"]: {email.get(m["value"], m["value"]) for m in g["members"]} for g in groups})


def sync(owui: OpenWebUI, *extra: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XOPS_SCIM_TOKEN": owui.scim_token}
    cmd = [XOPS, "identity", "sync", "--openwebui", url or owui.url, "--region", REGION,
           "--cost-centre-attribute", "UserType", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)


def counts(out: str) -> str:
    return out.strip().splitlines()[-1]


def changed_lines(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if line.startswith(("  +", "  ~", "  -"))]


def assert_matches(idc: Idc, got: OwuiState, gone: tuple[str, ...] = ()) -> None:
    want_users = {p.email: (p.user_id, p.name) for p in idc.people.values()}
    active = {e: (u["externalId"], u["displayName"]) for e, u in got.users.items() if u["active"]}
    assert active == want_users
    assert sorted(e for e, u in got.users.items() if not u["active"]) == sorted(gone)
    emails = {n: idc.people[n].email for n in idc.people}
    want_groups = {name: {emails[n] for n in nums} for name, nums in idc.expected_groups().items()}
    assert {k: v for k, v in got.groups.items() if v} == want_groups


def test_first_sync_creates_all_then_a_second_run_changes_nothing(idc: Idc, owui: OpenWebUI, tmp_path: Path) -> None:
    seed(idc)
    dry = sync(owui, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("dry run (nothing changed)")
    assert counts(dry.stdout) == ("users: 55 would be created, 0 would be updated, 0 would be deactivated, "
                                  "0 unchanged; groups: 8 would be created, 0 would be updated, 0 unchanged")
    assert state(owui).users == {}

    first = sync(owui, "--cost-centres-out", str(tmp_path / "cc.yaml"))
    assert first.returncode == 0, first.stdout + first.stderr
    assert counts(first.stdout) == ("users: 55 created, 0 updated, 0 deactivated, 0 unchanged; "
                                    "groups: 8 created, 0 updated, 0 unchanged")
    lines = changed_lines(first.stdout)
    assert "+ user user07@corp.example (User 07, cost centre payments)" in lines
    assert "+ group finops-analysts (20 members)" in lines and "+ group cost-centre:platform (19 members)" in lines
    assert len(lines) == 63
    assert_matches(idc, state(owui))
    assert yaml.safe_load((tmp_path / "cc.yaml").read_text()) == {
        "groups": {"cost-centre:data": ["data"], "cost-centre:payments": ["payments"],
                   "cost-centre:platform": ["platform"]}}

    second = sync(owui)
    assert second.returncode == 0, second.stderr
    assert changed_lines(second.stdout) == []
    assert counts(second.stdout) == ("users: 0 created, 0 updated, 0 deactivated, 55 unchanged; "
                                     "groups: 0 created, 0 updated, 8 unchanged")


def test_changes_in_idc_are_applied_and_users_gone_are_deactivated(idc: Idc, owui: OpenWebUI) -> None:
    seed(idc)
    assert sync(owui).returncode == 0
    before = idc.expected_groups()
    gone = tuple(idc.delete_person(n).email for n in (50, 51, 52))
    idc.add_person(55, "platform")
    idc.add_person(56, "security")  # a new cost centre -> a new group
    idc.add_member("finops-analysts", 55)
    idc.edit_person(3, DisplayName="Third Person")
    idc.edit_person(4, Emails=[{"Value": "renamed04@corp.example", "Primary": True}])
    idc.edit_person(5, UserType="data")  # payments -> data
    idc.remove_member("xops-admins", 0)
    idc.add_member("xops-admins", 10)
    old6 = idc.delete_person(6)  # re-created in IdC (new UserId, same email): adopted, not duplicated
    idc.add_person(6)
    idc.add_member("devsecops", 6)
    after = idc.expected_groups()
    # Open WebUI keeps person 4's account (same OWUI user, new email): compare groups by person number.
    changed_groups = sorted(g for g in after if g in before and after[g] != before[g])
    assert changed_groups == ["cost-centre:data", "cost-centre:payments",
                              "cost-centre:platform", "devsecops", "finops-analysts", "readers", "xops-admins"]

    run = sync(owui)
    assert run.returncode == 0, run.stdout + run.stderr
    assert counts(run.stdout) == ("users: 2 created, 3 updated, 3 deactivated, 49 unchanged; "
                                  "groups: 1 created, 7 updated, 1 unchanged")
    lines = changed_lines(run.stdout)
    assert "~ user user03@corp.example: displayName 'User 03' -> 'Third Person'" in lines
    assert "~ user renamed04@corp.example: userName 'user04@corp.example' -> 'renamed04@corp.example'" in lines
    assert f"~ user user06@corp.example: externalId '{old6.user_id}' -> '{idc.people[6].user_id}'" in lines
    assert "- user user50@corp.example: deactivated (not in IdC)" in lines
    assert "~ group xops-admins: +user10@corp.example -user00@corp.example" in lines
    assert "+ group cost-centre:security (1 members)" in lines
    got = state(owui)
    assert_matches(idc, got, gone=gone)
    assert len(got.users) == 57  # 55 + 2 new; none deleted, person 6 adopted

    again = sync(owui)
    assert again.returncode == 0 and changed_lines(again.stdout) == []
    assert counts(again.stdout) == ("users: 0 created, 0 updated, 0 deactivated, 57 unchanged; "
                                    "groups: 0 created, 0 updated, 9 unchanged")


def test_a_run_cut_off_midway_is_completed_by_the_next_run(idc: Idc, owui: OpenWebUI) -> None:
    seed(idc)
    # 4 reads (endpoint, token, users, groups), then creates: the 27th create reaches Open WebUI but its
    # answer is lost, and nothing after it arrives.
    with FlakyProxy(owui.url, allow=30) as proxy:
        cut = sync(owui, url=proxy.url)
    assert cut.returncode == 7, cut.stdout + cut.stderr
    assert proxy.forwarded == 31
    assert "STOPPED: creating user user26@corp.example: Open WebUI at" in cut.stdout
    assert "29 change(s) not applied: re-run to complete" in cut.stdout  # 55 + 0 groups planned - 26 done
    assert counts(cut.stdout).startswith("users: 26 created, 0 updated")
    assert len(state(owui).users) == 27

    # The second run is cut off while creating groups: 28 users, then the 3rd group is lost.
    with FlakyProxy(owui.url, allow=4 + 28 + 2) as proxy:
        cut2 = sync(owui, url=proxy.url)
    assert cut2.returncode == 7
    assert counts(cut2.stdout) == ("users: 28 created, 0 updated, 0 deactivated, 27 unchanged; "
                                   "groups: 2 created, 0 updated, 0 unchanged")
    assert len(state(owui).groups) == 3

    done = sync(owui)
    assert done.returncode == 0, done.stdout + done.stderr
    assert counts(done.stdout) == ("users: 0 created, 0 updated, 0 deactivated, 55 unchanged; "
                                   "groups: 5 created, 0 updated, 3 unchanged")
    assert_matches(idc, state(owui))
    assert changed_lines(sync(owui).stdout) == []


def test_a_local_account_with_the_same_email_is_reported_and_the_rest_synced(idc: Idc, owui: OpenWebUI) -> None:
    seed(idc, people=5)
    idc.add_person(99, "platform", email=ADMIN_EMAIL)  # Open WebUI's local admin, invisible to SCIM
    run = sync(owui)
    assert run.returncode == 7
    assert f"FAILED: user {ADMIN_EMAIL}: creating user {ADMIN_EMAIL}: HTTP 409" in run.stdout
    assert "a local Open WebUI account has this email" in run.stdout
    assert counts(run.stdout).startswith("users: 5 created, 0 updated, 0 deactivated, 0 unchanged")
    assert ADMIN_EMAIL not in state(owui).users and len(state(owui).users) == 5


def test_bad_inputs_get_clear_errors(idc: Idc, owui: OpenWebUI) -> None:
    seed(idc, people=2)
    bad_token = sync(owui, "--scim-token", "not-the-token")
    assert bad_token.returncode == 7
    assert "Open WebUI refused the SCIM token" in bad_token.stderr and "hint: pass Open WebUI's SCIM_TOKEN" in bad_token.stderr
    from xops.sandbox.moto_server import free_port

    down = sync(owui, url=f"http://127.0.0.1:{free_port()}")
    assert down.returncode == 7 and "did not answer" in down.stderr
    attr = sync(owui, "--cost-centre-attribute", "Shoe.size")
    assert attr.returncode == 2 and "--cost-centre-attribute 'Shoe.size' is not supported" in attr.stderr
    not_url = sync(owui, url="chat.example.com")
    assert not_url.returncode == 2 and "is not an http(s) URL" in not_url.stderr
    assert state(owui).users == {}
