"""Unit tests of the identity sync's parts, with fakes: the directory reader (botocore Stubber, for the
enterprise extension moto does not store), the planners, and the SCIM client's error messages."""

from __future__ import annotations

import boto3
import httpx
import pytest
from botocore.stub import Stubber

from xops.core.errors import UsageError
from xops.identity.directory import Directory, DirectoryGroup, DirectoryUser, read_directory
from xops.identity.scim import ScimClient, ScimError, ScimGroup, ScimMember, ScimUser
from xops.identity.sync import desired_groups, plan_groups, plan_users

STORE = "d-1234567890"


class OneClient:
    """A session stand-in that hands out one (stubbed) client."""

    def __init__(self, client: object) -> None:
        self._client = client

    def client(self, service: str, region_name: str | None = None) -> object:
        return self._client


def arn(kind: str) -> str:
    return f"arn:aws:identitystore:::{kind}/00000000-0000-4000-8000-000000000000"


def membership(user_id: str) -> dict:
    return {"IdentityStoreId": STORE, "MembershipId": user_id, "MembershipArn": arn("membership"),
            "GroupId": "g1", "MemberId": {"UserId": user_id}}


def test_reads_the_enterprise_cost_centre_and_skips_users_without_a_usable_email() -> None:
    client = boto3.client("identitystore", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    users = [
        {"UserId": "u1", "IdentityStoreId": STORE, "UserName": "ana", "DisplayName": "Ana Lee",
         "Emails": [{"Value": "ana@old.example"}, {"Value": "Ana@Corp.Example", "Primary": True}],
         "Extensions": {"aws:identitystore:enterprise": {"costCenter": " 4010 ", "department": "fin"}}},
        {"UserId": "u2", "IdentityStoreId": STORE, "UserName": "bo@corp.example", "UserStatus": "DISABLED",
         "Name": {"GivenName": "Bo", "FamilyName": "Chen"}},
        {"UserId": "u3", "IdentityStoreId": STORE, "UserName": "svc-robot"},
        {"UserId": "u4", "IdentityStoreId": STORE, "UserName": "ana2", "Emails": [{"Value": "ana@corp.example"}]},
    ]
    for u in users:
        u.update(UserArn=arn("user"), Revision="1")
    group = {"GroupId": "g1", "DisplayName": "finops", "IdentityStoreId": STORE, "Revision": "1",
              "GroupArn": arn("group")}
    with Stubber(client) as stub:
        stub.add_response("list_users", {"Users": users[:2], "NextToken": "t"},
                          {"IdentityStoreId": STORE, "Extensions": ["aws:identitystore:enterprise"]})
        stub.add_response("list_users", {"Users": users[2:]},
                          {"IdentityStoreId": STORE, "Extensions": ["aws:identitystore:enterprise"], "NextToken": "t"})
        stub.add_response("list_groups", {"Groups": [group]},
                          {"IdentityStoreId": STORE})
        stub.add_response("list_group_memberships", {"GroupMemberships": [
            membership("u1"), membership("u3")]}, {"IdentityStoreId": STORE, "GroupId": "g1"})
        d = read_directory(OneClient(client), STORE, "us-east-1", "enterprise.costCenter")
    assert [(u.user_id, u.email, u.display_name, u.active, u.cost_centre) for u in d.users] == [
        ("u1", "ana@corp.example", "Ana Lee", True, "4010"),
        ("u2", "bo@corp.example", "Bo Chen", False, None),
    ]
    assert d.skipped == ["svc-robot (u3): no email in IdC, and Open WebUI needs one",
                         "ana2 (u4): email ana@corp.example is also ana's"]
    assert d.groups == [DirectoryGroup(group_id="g1", name="finops", member_ids=["u1"])]


def test_an_unknown_cost_centre_attribute_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="'costCenter' is not supported") as exc:
        read_directory(OneClient(None), STORE, None, "costCenter")
    assert "enterprise.costCenter" in exc.value.hint


def user(uid: str, email: str, name: str = "N", active: bool = True, cc: str | None = None) -> DirectoryUser:
    return DirectoryUser(user_id=uid, user_name=uid, email=email, display_name=name, active=active, cost_centre=cc)


def test_plan_users_adopts_by_email_deactivates_only_synced_users_and_leaves_local_ones() -> None:
    d = Directory(identity_store_id=STORE, groups=[], users=[
        user("u1", "a@x.io", "A"), user("u2", "b@x.io", "B2", active=False), user("u3", "c@x.io", "C")])
    current = [
        ScimUser(id="o1", externalId="u1", userName="A@x.io", displayName="A"),  # case only: unchanged
        ScimUser(id="o2", externalId=None, userName="b@x.io", displayName="B"),  # OAuth user: adopted
        ScimUser(id="o4", externalId="gone", userName="d@x.io", displayName="D"),  # left IdC
        ScimUser(id="o5", externalId="gone2", userName="e@x.io", displayName="E", active=False),
        ScimUser(id="o6", externalId=None, userName="local@x.io", displayName="L"),  # not ours
    ]
    actions, ids, unchanged, unmanaged = plan_users(d, current)
    assert [(a.action, a.label, a.changes) for a in actions] == [
        ("update", "b@x.io", {"externalId": "u2", "displayName": "B2", "active": False}),
        ("create", "c@x.io", {}),
        ("deactivate", "d@x.io", {"active": False}),
    ]
    assert ids == {"u1": "o1", "u2": "o2"} and unchanged == 2 and unmanaged == 1
    assert actions[0].line() == "~ user b@x.io: externalId none -> 'u2', displayName 'B' -> 'B2', active true -> false"


def test_plan_groups_keeps_local_members_and_empties_stale_cost_centre_groups() -> None:
    wanted = {"finops": ["u1", "u2"], "cost-centre:data": ["u2"]}
    current = [
        ScimGroup(id="g1", displayName="finops", members=[ScimMember(value="o1"), ScimMember(value="local")]),
        ScimGroup(id="g2", displayName="cost-centre:old", members=[ScimMember(value="o1"), ScimMember(value="local")]),
        ScimGroup(id="g3", displayName="beta-testers", members=[ScimMember(value="o1")]),
    ]
    ids = {"u1": "o1", "u2": "o2"}
    names = {"o1": "a@x.io", "o2": "b@x.io", "local": "l@x.io"}
    actions, unchanged, notes = plan_groups(wanted, current, ids, {"o1", "o2"}, "cost-centre:", names)
    assert [(a.action, a.name, a.members) for a in actions] == [
        ("create", "cost-centre:data", ["o2"]),
        ("update", "cost-centre:old", ["local"]),
        ("update", "finops", ["local", "o1", "o2"]),
    ]
    assert actions[1].line() == "~ group cost-centre:old: -a@x.io"
    assert unchanged == 0 and notes == ["1 Open WebUI group(s) not in IdC left as is: beta-testers"]


def test_cost_centre_groups_must_not_clash_with_idc_groups() -> None:
    d = Directory(identity_store_id=STORE, users=[user("u1", "a@x.io", cc="data")],
                  groups=[DirectoryGroup(group_id="g", name="cc-data", member_ids=[])])
    assert desired_groups(d, "cost-centre:")[1] == {"cost-centre:data": ["data"]}
    with pytest.raises(ScimError, match="IdC groups named like cost-centre groups: cc-data"):
        desired_groups(d, "cc-")


@pytest.mark.parametrize(("status", "body", "message", "hint"), [
    (404, {"detail": "Not Found"}, "has no SCIM endpoint (HTTP 404)", "ENABLE_SCIM=true"),
    (403, {"detail": "SCIM is not enabled"}, "SCIM is not enabled in Open WebUI", "ENABLE_SCIM=true"),
    (401, {"detail": "Invalid SCIM token"}, "refused the SCIM token (Invalid SCIM token)", "SCIM_TOKEN"),
    (500, {"detail": "SCIM_AUTH_PROVIDER environment variable is required when SCIM is enabled"},
     "SCIM_AUTH_PROVIDER environment variable is required", "set SCIM_AUTH_PROVIDER"),
])
def test_scim_client_explains_what_is_wrong(status: int, body: dict, message: str, hint: str) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=body))
    with ScimClient("http://127.0.0.1:1", "t", transport=transport) as client, pytest.raises(ScimError) as exc:
        client.check()
    assert message in exc.value.message and hint in exc.value.hint
    assert exc.value.exit_code == 7


def test_scim_client_pages_through_lists() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params["startIndex"])
        seen.append(f"{start}/{request.url.params['count']}")
        rows = [{"id": f"o{i}", "userName": f"u{i}@x.io", "displayName": "U"} for i in range(start, min(start + 100, 231))]
        return httpx.Response(200, json={"totalResults": 230, "Resources": rows})

    with ScimClient("http://127.0.0.1:1", "t", transport=httpx.MockTransport(answer)) as client:
        got = client.users()
    assert len(got) == 230 and got[-1].id == "o230" and seen == ["1/100", "101/100", "201/100"]
