"""KMS keys and aliases."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from xops.resources.base import Detail, Listing, Resource, Spec
from xops.resources.ops import Op


def rotation_applies(meta: dict[str, Any] | None) -> bool:
    """Automatic rotation applies to enabled, customer-managed, symmetric keys with AWS-generated material
    (a multi-Region replica follows its primary)."""
    return bool(meta) and meta.get("KeyManager") == "CUSTOMER" and meta.get("KeyState") == "Enabled" \
        and meta.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT" \
        and meta.get("Origin", "AWS_KMS") == "AWS_KMS" and meta.get("MultiRegionKeyType") != "REPLICA"


class Key(Resource):
    spec = Spec(type="AWS::KMS::Key", noun="KMS key", id="KeyId", arn="KeyArn",
                list=Listing(Op("kms", "list_keys", "Keys")),
                details={
                    "metadata": Detail(Op("kms", "describe_key"), params=lambda k: {"KeyId": k.id},
                                       parse=lambda a: a["KeyMetadata"]),
                    "rotation": Detail(Op("kms", "get_key_rotation_status"), params=lambda k: {"KeyId": k.id},
                                       needs=("metadata",), when=lambda k: rotation_applies(k.detail("metadata"))),
                })


class Alias(Resource):
    spec = Spec(type="AWS::KMS::Alias", noun="KMS alias", id="AliasName", arn="AliasArn",
                list=Listing(Op("kms", "list_aliases", "Aliases")))

    target_key_id: str = Field("", alias="TargetKeyId")
