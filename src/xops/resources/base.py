"""How a resource type is declared once: its listing, id and ARN, region, per-resource detail calls, and
the typed fields analyzers read. Account and region settings, CloudWatch metrics and other queries are
declared here too, so every AWS read an analyzer makes is data the platform can count, fan out, cache
and turn into IAM actions.

A resource type is a pydantic model over the item AWS returns (`raw`), with aliases for the fields
analyzers use::

    class Volume(Resource):
        spec = Spec(type="AWS::EC2::Volume", list=Listing(Op("ec2", "describe_volumes", "Volumes")),
                    id="VolumeId", arn="arn:{partition}:ec2:{region}:{account}:volume/{id}", noun="volume")
        size_gib: int = Field(alias="Size")
        state: str = Field(alias="State")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr

from xops.resources.ops import Op

if TYPE_CHECKING:
    from xops.resources.layer import Fetcher, ResourceLayer

Scope = Literal["regional", "global"]


@dataclass(frozen=True)
class Listing:
    """One list call of a resource type: its op (with `result_key`), fixed parameters, and `flatten` for
    answers that nest the resources (describe_instances: Reservations -> Instances)."""

    op: Op
    params: Mapping[str, Any] = field(default_factory=dict)
    flatten: str = ""
    item_key: str = ""  # the answer lists names, not objects: each becomes {item_key: name}


@dataclass(frozen=True)
class Detail:
    """A per-resource read made once per scan for every analyzer that asks for it, fanned out concurrently.

    Either one `op` called with `params(resource)` (the answer's `op.result_key` list when it has one,
    parsed by `parse`; None when AWS answers one of `op.missing`), or a custom `fetch(resource, fetcher)`
    that may call only `ops`. `needs` names details fetched first (a `when` may read them); a resource for
    which `when` is false gets None. Calls go to the resource's own region."""

    op: Op | None = None
    params: Callable[[Any], dict[str, Any]] = lambda r: {}
    parse: Callable[[Any], Any] = lambda answer: answer
    when: Callable[[Any], bool] | None = None
    needs: tuple[str, ...] = ()
    fetch: Callable[[Any, Fetcher], Any] | None = None
    ops: tuple[Op, ...] = ()

    def __post_init__(self) -> None:
        if (self.op is None) == (self.fetch is None):
            raise ValueError("a Detail has either an op or a custom fetch")
        if self.fetch is not None and not self.ops:
            raise ValueError("a custom Detail fetch declares the ops it calls")

    @property
    def all_ops(self) -> tuple[Op, ...]:
        return (self.op,) if self.op is not None else self.ops


@dataclass(frozen=True)
class Spec:
    """Everything about listing one resource type.

    `list`: one or more listings (their items are concatenated), or a custom `fetch(fetcher, target)`
    returning the raw items, calling only `fetch_ops`. `id`/`arn`: a raw key, a template over
    {partition} {region} {account} {id} and raw keys, or a function of (raw, partition, account, region).
    `scope`: regional types are listed per account and region; global ones once per account (IAM, and
    S3 or CloudTrail whose listing is global). `region_of(raw, fetcher, target)` gives a globally listed
    resource its own region (calling only `region_ops`); global resources without it are in "global".
    `gone`: resources that no longer count (terminated instances) are dropped at listing. Resources with the
    same id in one listing are one resource."""

    type: str
    noun: str
    id: str | Callable[[dict[str, Any]], str]
    arn: str | Callable[[dict[str, Any], str, str, str], str] = ""
    list: tuple[Listing, ...] | Listing = ()
    fetch: Callable[[Fetcher, Any], list[dict[str, Any]]] | None = None
    fetch_ops: tuple[Op, ...] = ()
    scope: Scope = "regional"
    region_of: Callable[[dict[str, Any], Fetcher, Any], str] | None = None
    region_ops: tuple[Op, ...] = ()
    gone: Callable[[dict[str, Any]], bool] | None = None
    details: Mapping[str, Detail] = field(default_factory=dict)
    scan_regions_only: bool = True  # with region_of: keep only resources in the scan's regions

    @property
    def listings(self) -> tuple[Listing, ...]:
        return self.list if isinstance(self.list, tuple) else (self.list,)

    @property
    def service(self) -> str:
        ops = [lst.op for lst in self.listings] or list(self.fetch_ops)
        return ops[0].service

    @property
    def list_ops(self) -> tuple[Op, ...]:
        return (*(lst.op for lst in self.listings), *self.fetch_ops, *self.region_ops)


def parse_tags(raw: Mapping[str, Any]) -> dict[str, str]:
    """Tags in any of AWS's shapes: [{Key, Value}], [{TagKey, TagValue}] or {key: value}."""
    tags = raw.get("Tags", raw.get("TagList", raw.get("TagSet", {})))
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    out: dict[str, str] = {}
    for t in tags or []:
        if isinstance(t, dict):
            key = t.get("Key", t.get("TagKey"))
            if key is not None:
                out[str(key)] = str(t.get("Value", t.get("TagValue", "")))
    return out


class Resource(BaseModel):
    """A resource as analyzers see it: account, region, id, ARN, tags, the raw item, typed fields
    (declared by each type with aliases of the raw keys), and `detail(name)` for declared detail reads."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    spec: ClassVar[Spec]

    account_id: str
    region: str
    id: str
    arn: str
    tags: dict[str, str]
    raw: dict[str, Any]
    _layer: ResourceLayer | None = PrivateAttr(None)

    def detail(self, name: str) -> Any:
        """A detail of this resource (see `Spec.details`); the analyzer must have declared it."""
        if self._layer is None:
            raise RuntimeError(f"{type(self).__name__} {self.id} was not listed by a resource layer")
        return self._layer.detail(self, name)

    @classmethod
    def type_name(cls) -> str:
        return cls.spec.type


@dataclass(frozen=True, eq=False)  # compared by identity: each setting is declared once
class Setting:
    """An account or region setting read with one call (EBS encryption by default, the password policy).
    `parse` turns the answer (None when AWS answers one of `op.missing`) into the setting's value."""

    name: str
    op: Op
    scope: Scope = "regional"
    params: Mapping[str, Any] = field(default_factory=dict)
    parse: Callable[[Any], Any] = lambda answer: answer
    type: str = "AWS::::Account"


@dataclass(frozen=True)
class Metric:
    """A CloudWatch metric of one resource per datapoint `period` (daily by default)."""

    namespace: str
    name: str
    dimension: str
    statistic: str
    period: int = 86400

    op: ClassVar[Op]

    def request(self, value: str, start: Any, end: Any) -> dict[str, Any]:
        return {"Namespace": self.namespace, "MetricName": self.name,
                "Dimensions": [{"Name": self.dimension, "Value": value}], "StartTime": start, "EndTime": end,
                "Period": self.period, "Statistics": [self.statistic]}


Metric.op = Op("cloudwatch", "get_metric_statistics")
