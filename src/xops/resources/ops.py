"""Read-only AWS operations as data: every call an analyzer can cause is an `Op`, and its IAM action is
derived from botocore's service model (never typed by hand), so the permissions an analyzer needs follow
from the operations it declares.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import botocore.session
from botocore import xform_name

# IAM service prefixes that differ from botocore's signing name (AWS Service Authorization Reference).
IAM_PREFIX = {"monitoring": "cloudwatch", "tagging": "tag"}
# Operations whose IAM action has another name than the API operation.
IAM_ACTION = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetBucketPolicyStatus"): "s3:GetBucketPolicyStatus",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3", "GetBucketNotificationConfiguration"): "s3:GetBucketNotification",
    ("s3", "GetBucketOwnershipControls"): "s3:GetBucketOwnershipControls",
    ("s3", "GetObjectLockConfiguration"): "s3:GetBucketObjectLockConfiguration",
    ("s3", "ListBucketIntelligentTieringConfigurations"): "s3:GetIntelligentTieringConfiguration",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
}
READ_VERBS = ("Describe", "Get", "List", "Lookup", "Search", "BatchGet")
# Actions AWS lists as reads though their verb is not one of READ_VERBS (they build a report, change nothing).
READ_EXCEPTIONS = frozenset({"iam:GenerateCredentialReport"})


@functools.cache
def _session() -> botocore.session.Session:
    from xops.core.aws import LOADER

    session = botocore.session.Session()
    session.register_component("data_loader", LOADER)
    return session


@functools.cache
def api_name(service: str, operation: str) -> str:
    """`describe_volumes` -> `DescribeVolumes`, checked against the service model (a typo fails here)."""
    model = _session().get_service_model(service)
    names = {xform_name(name): name for name in model.operation_names}
    if operation not in names:
        raise ValueError(f"{service} has no operation {operation!r}")
    return names[operation]


@functools.cache
def iam_action(service: str, api_operation: str) -> str:
    """The IAM action of one API operation, e.g. ("cloudwatch", "GetMetricStatistics") ->
    "cloudwatch:GetMetricStatistics"; `service` is the boto3 service name."""
    signing = _session().get_service_model(service).signing_name
    return IAM_ACTION.get((service, api_operation)) or f"{IAM_PREFIX.get(signing, signing)}:{api_operation}"


def is_read_only(action: str) -> bool:
    """True for Describe*/Get*/List* actions and the documented read-only exceptions."""
    _, _, name = action.partition(":")
    return action in READ_EXCEPTIONS or name.startswith(READ_VERBS)


@dataclass(frozen=True)
class Op:
    """One read-only AWS operation.

    `result_key`: the list in the answer (the call is paginated when botocore can); "" returns the whole
    answer. `missing`: error codes that mean "not configured" (the read answers None, it is a fact, not a
    failure). `fallback`: called only when an earlier answer lacks a field (older APIs), so a scan may
    legitimately never make it; the policy still grants it. The IAM action is derived lazily (botocore's
    service models are loaded on first use, not at import); the registry contract test checks every
    declared op against the model and that its action is read-only."""

    service: str
    operation: str
    result_key: str = ""
    missing: tuple[str, ...] = ()
    fallback: bool = False

    @property
    def api_name(self) -> str:
        return api_name(self.service, self.operation)

    @property
    def action(self) -> str:
        return iam_action(self.service, self.api_name)
