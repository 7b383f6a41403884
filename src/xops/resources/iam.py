"""IAM (global, once per account): users with their access keys and policies, the credential report,
and the account password policy."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from pydantic import Field

from xops.resources.base import Detail, Listing, Resource, Setting, Spec
from xops.resources.ops import Op

if TYPE_CHECKING:
    from xops.core.aws import Target
    from xops.resources.layer import Fetcher

LIST_USERS = Op("iam", "list_users", "Users")
LIST_ACCESS_KEYS = Op("iam", "list_access_keys", "AccessKeyMetadata")
LIST_USER_POLICIES = Op("iam", "list_user_policies", "PolicyNames")
GET_USER_POLICY = Op("iam", "get_user_policy")
GET_POLICY = Op("iam", "get_policy")
GET_POLICY_VERSION = Op("iam", "get_policy_version")
GENERATE_CREDENTIAL_REPORT = Op("iam", "generate_credential_report")
GET_CREDENTIAL_REPORT = Op("iam", "get_credential_report")
POLL_SECONDS = (0.2, 0.5, 1.0, 2.0, 2.0, 4.0, 4.0, 8.0)  # ~22 s at most for AWS to build the report


def policy_document(doc: Any) -> dict[str, Any]:
    """A policy document as a dict (boto3 decodes it; the raw API gives URL-encoded JSON)."""
    return doc if isinstance(doc, dict) else dict(json.loads(unquote(str(doc))))


def _inline_policies(user: User, fetch: Fetcher) -> dict[str, dict[str, Any]]:
    from xops.core.aws import Target

    at = Target(user.account_id, user.region)
    names = fetch.call(LIST_USER_POLICIES, at, UserName=user.id) or []
    return {name: policy_document(fetch.call(GET_USER_POLICY, at, UserName=user.id, PolicyName=name)
                                  ["PolicyDocument"]) for name in names}


def _attached_documents(user: User, fetch: Fetcher) -> dict[str, dict[str, Any]]:
    """The default version's document of each managed policy attached to the user, by ARN (each policy
    is read once per scan, whichever users it is attached to)."""
    from xops.core.aws import Target

    at = Target(user.account_id, user.region)
    docs = {}
    for attached in user.detail("attached_policies"):
        arn = attached["PolicyArn"]
        policy = fetch.call(GET_POLICY, at, PolicyArn=arn)["Policy"]
        version = fetch.call(GET_POLICY_VERSION, at, PolicyArn=arn, VersionId=policy["DefaultVersionId"])
        docs[arn] = policy_document(version["PolicyVersion"]["Document"])
    return docs


class User(Resource):
    spec = Spec(
        type="AWS::IAM::User", noun="IAM user", id="UserName", arn="Arn", scope="global",
        list=Listing(LIST_USERS),
        details={
            "access_keys": Detail(LIST_ACCESS_KEYS, params=lambda u: {"UserName": u.id}),
            "attached_policies": Detail(Op("iam", "list_attached_user_policies", "AttachedPolicies"),
                                        params=lambda u: {"UserName": u.id}),
            "inline_policies": Detail(fetch=_inline_policies, ops=(LIST_USER_POLICIES, GET_USER_POLICY)),
            "attached_documents": Detail(fetch=_attached_documents, ops=(GET_POLICY, GET_POLICY_VERSION),
                                         needs=("attached_policies",)),
        },
    )

    created: datetime | None = Field(None, alias="CreateDate")


def _access_keys(fetch: Fetcher, at: Target) -> list[dict[str, Any]]:
    return [{**key, "UserArn": user.arn} for user in fetch.resources(User, at, ("access_keys",))
            for key in user.detail("access_keys")]


class AccessKey(Resource):
    """An IAM user's access key (listed from the users: one ListAccessKeys per user, fanned out)."""

    spec = Spec(type="AWS::IAM::AccessKey", noun="access key", id="AccessKeyId", arn="UserArn", scope="global",
                fetch=_access_keys, fetch_ops=(LIST_USERS, LIST_ACCESS_KEYS))

    user_name: str = Field(alias="UserName")
    status: str = Field(alias="Status")
    created: datetime = Field(alias="CreateDate")


def credential_report(fetch: Fetcher, at: Target) -> list[dict[str, Any]]:
    """The IAM credential report's rows (AWS builds a new report when there is none from the last 4 hours;
    polling must see the state change, so it is an uncached, recorded call)."""
    state = fetch.call(GENERATE_CREDENTIAL_REPORT, at).get("State")
    for delay in POLL_SECONDS:
        if state == "COMPLETE":
            break
        time.sleep(delay)
        state = fetch.fresh(GENERATE_CREDENTIAL_REPORT, at).get("State")
    report = fetch.call(GET_CREDENTIAL_REPORT, at)
    content = report["Content"]
    text = content.decode() if isinstance(content, bytes) else str(content)
    generated = str(report.get("GeneratedTime", ""))
    return [{**row, "report_generated": generated} for row in csv.DictReader(io.StringIO(text))]


class CredentialReportRow(Resource):
    """One user's row of the IAM credential report (the root user's row is `<root_account>`)."""

    spec = Spec(type="AWS::IAM::User", noun="IAM user", id="user", arn="arn", scope="global",
                fetch=credential_report, fetch_ops=(GENERATE_CREDENTIAL_REPORT, GET_CREDENTIAL_REPORT))

    user: str
    password_enabled: str = ""
    password_last_used: str = ""
    mfa_active: str = ""
    user_creation_time: str = ""
    report_generated: str = ""

    @property
    def is_root(self) -> bool:
        return self.user == "<root_account>"


PASSWORD_POLICY = Setting(
    "IAM account password policy", Op("iam", "get_account_password_policy", missing=("NoSuchEntity",)),
    scope="global", parse=lambda answer: None if answer is None else answer["PasswordPolicy"])
