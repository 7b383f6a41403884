"""The resource layer of one scan: typed resources listed once per account and region, per-resource
details fetched once and fanned out concurrently (bounded per account, region and service), settings,
metrics and queries, all through the shared inventory (so every call is made once and recorded).

An analyzer step declares what it reads (`Reads`); while it runs, the layer refuses anything else, so
the permissions derived from the declarations are exactly what the analyzer can call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError

from xops.core.models import GLOBAL_REGION
from xops.resources.base import Detail, Metric, Resource, Setting
from xops.resources.ops import Op

if TYPE_CHECKING:
    from xops.core.aws import AwsContext, Target

R = TypeVar("R", bound=Resource)

# Details in flight at once per account, region and service (AWS throttles per account, region and API).
DETAIL_CONCURRENCY = 8


class UndeclaredRead(Exception):
    """An analyzer read something it did not declare (a bug in the analyzer, reported as its step's ERROR)."""


@dataclass(frozen=True)
class Reads:
    """What one analyzer may read. `details` holds (type, name) pairs, closed over each detail's `needs`."""

    types: frozenset[type[Resource]] = frozenset()
    details: frozenset[tuple[type[Resource], str]] = frozenset()
    settings: frozenset[Setting] = frozenset()
    metrics: frozenset[Metric] = frozenset()
    ops: frozenset[Op] = frozenset()

    @classmethod
    def of(cls, items: Iterable[Any]) -> Reads:
        """From declarations: a resource type, (type, "detail", ...), a Setting, a Metric or an Op."""
        types: set[type[Resource]] = set()
        details: set[tuple[type[Resource], str]] = set()
        settings: set[Setting] = set()
        metrics: set[Metric] = set()
        ops: set[Op] = set()
        for item in items:
            if isinstance(item, tuple):
                kind, *names = item
                types.add(kind)
                for name in names:
                    details.update((kind, n) for n in detail_closure(kind, name))
            elif isinstance(item, type) and issubclass(item, Resource):
                types.add(item)
            elif isinstance(item, Setting):
                settings.add(item)
            elif isinstance(item, Metric):
                metrics.add(item)
            elif isinstance(item, Op):
                ops.add(item)
            else:
                raise TypeError(f"cannot read {item!r}: declare a resource type, (type, detail...), a Setting, "
                                "a Metric or an Op")
        return cls(frozenset(types), frozenset(details), frozenset(settings), frozenset(metrics), frozenset(ops))

    def all_ops(self) -> list[Op]:
        """Every operation these reads can cause, in a stable order."""
        found: list[Op] = []
        for kind in sorted(self.types, key=lambda t: t.__name__):
            found.extend(kind.spec.list_ops)
        for kind, name in sorted(self.details, key=lambda d: (d[0].__name__, d[1])):
            found.extend(kind.spec.details[name].all_ops)
        found.extend(s.op for s in sorted(self.settings, key=lambda s: s.name))
        if self.metrics:
            found.append(Metric.op)
        found.extend(sorted(self.ops, key=lambda o: (o.service, o.operation)))
        return list(dict.fromkeys(found))

    def actions(self) -> list[str]:
        return sorted({op.action for op in self.all_ops()})


def detail_closure(kind: type[Resource], name: str) -> list[str]:
    """`name` and the details it needs, needs first."""
    if name not in kind.spec.details:
        raise KeyError(f"{kind.__name__} has no detail {name!r} (it has: {', '.join(kind.spec.details) or 'none'})")
    out: list[str] = []
    for need in kind.spec.details[name].needs:
        out.extend(n for n in detail_closure(kind, need) if n not in out)
    return [*out, name]


_current: ContextVar[tuple[str, Reads] | None] = ContextVar("xops_reads", default=None)


@contextmanager
def reading(analyzer_id: str, reads: Reads) -> Iterator[None]:
    """While an analyzer step runs: only its declared reads are allowed in this thread."""
    token = _current.set((analyzer_id, reads))
    try:
        yield
    finally:
        _current.reset(token)


def _allow(what: str, ok: bool) -> None:
    current = _current.get()
    if current is not None and not ok:
        raise UndeclaredRead(f"analyzer {current[0]} reads {what} without declaring it")


@contextmanager
def unrestricted() -> Iterator[None]:
    """Platform code (listings, custom fetches) reads what it declares in its spec, whichever step asked."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


def _reads() -> Reads | None:
    current = _current.get()
    return None if current is None else current[1]


class Fetcher:
    """What custom fetch functions may call: only their declared ops, through the shared inventory."""

    def __init__(self, layer: ResourceLayer, ops: Sequence[Op]) -> None:
        self._layer, self._ops = layer, set(ops)

    def _check(self, op: Op) -> None:
        if op not in self._ops:
            raise UndeclaredRead(f"{op.service}:{op.operation} is not among the ops this fetch declares")

    def call(self, op: Op, at: Target, **params: Any) -> Any:
        """The answer (the `result_key` list when the op has one); None for a `missing` error code."""
        self._check(op)
        return self._layer.read(op, at, params)

    def resources(self, kind: type[R], at: Target, details: Sequence[str] = ()) -> list[R]:
        """Resources of another type (a derived listing, e.g. access keys from users); the caller's spec
        declares the ops this causes."""
        return self._layer.list(kind, at, details)

    def fresh(self, op: Op, at: Target, **params: Any) -> Any:
        """The same call made again, uncached (for polling until AWS has built something)."""
        self._check(op)
        return self._layer.aws.inventory.fresh(at, op.service, op.operation, **params)


class ResourceLayer:
    """Typed resources, details, settings and metrics for one AwsContext (one scan, or a warm pool entry)."""

    def __init__(self, aws: AwsContext, concurrency: int = DETAIL_CONCURRENCY) -> None:
        self.aws = aws
        self._concurrency = concurrency
        self._lists: dict[tuple[Any, ...], tuple[threading.Lock, list[Any]]] = {}
        self._guard = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._bounds: dict[tuple[str, str, str], threading.BoundedSemaphore] = {}

    # -- calls -----------------------------------------------------------------------------------------
    def read(self, op: Op, at: Target, params: dict[str, Any]) -> Any:
        inventory = self.aws.inventory
        try:
            if op.result_key:
                return inventory.list(at, op.service, op.operation, op.result_key, **params)
            return inventory.call(at, op.service, op.operation, **params)
        except ClientError as exc:
            if op.missing and exc.response.get("Error", {}).get("Code") in op.missing:
                return None
            raise

    def call(self, op: Op, at: Target, **params: Any) -> Any:
        """A declared query (Cost Explorer, ...): the answer, or None for a `missing` error code."""
        reads = _reads()
        _allow(f"{op.service}:{op.operation}", reads is None or op in reads.ops)
        return self.read(op, at, params)

    # -- resources ---------------------------------------------------------------------------------------
    def list(self, kind: type[R], at: Target, details: Sequence[str] = ()) -> list[R]:
        """Every resource of `kind` for the target's account (and region, for regional types), with the
        named details fetched (concurrently) before it returns."""
        reads = _reads()
        _allow(f"{kind.__name__} resources", reads is None or kind in reads.types)
        for name in details:
            _allow(f"{kind.__name__}.{name}", reads is None or (kind, name) in reads.details)
        with unrestricted():
            resources = self._listed(kind, at)
            if self.aws.scan_regions and kind.spec.region_of is not None and kind.spec.scan_regions_only:
                resources = [r for r in resources if r.region in self.aws.scan_regions]
            for name in dict.fromkeys(n for d in details for n in detail_closure(kind, d)):
                self.prefetch(resources, name)
        return resources

    def _listed(self, kind: type[R], at: Target) -> list[R]:
        from xops.core.aws import Target

        spec = kind.spec
        where = Target(at.account_id, GLOBAL_REGION) if spec.scope == "global" else at
        key = (kind, where)
        with self._guard:
            entry = self._lists.get(key)
            if entry is None:
                entry = self._lists[key] = (threading.Lock(), [])
        lock, box = entry
        with lock:
            if not box:
                box.append(self._fetch_list(kind, where))
        value = box[0]
        if isinstance(value, BaseException):
            raise value
        return list(value)

    def _fetch_list(self, kind: type[R], where: Target) -> list[R] | BaseException:
        spec = kind.spec
        try:
            raws: list[dict[str, Any]] = []
            if spec.fetch is not None:
                raws = spec.fetch(Fetcher(self, spec.fetch_ops), where)
            for listing in spec.listings:
                for item in self.read(listing.op, where, dict(listing.params)) or []:
                    if listing.item_key:  # a list of names (dynamodb:ListTables)
                        item = {listing.item_key: item}
                    raws.extend(item.get(listing.flatten, []) if listing.flatten else [item])
            out, seen = [], set()
            for raw in raws:
                if spec.gone is not None and spec.gone(raw):
                    continue
                rid = spec.id(raw) if callable(spec.id) else str(raw[spec.id])
                if rid in seen:  # e.g. CloudTrail's shadow trails: one trail, listed from each region
                    continue
                seen.add(rid)
                if spec.region_of is not None:
                    region = spec.region_of(raw, Fetcher(self, spec.region_ops), where)
                else:
                    region = where.region
                out.append(self.build(kind, raw, where.account_id, region))
            return out
        except Exception as exc:  # cached: every analyzer reading this type gets the same error
            return exc

    def build(self, kind: type[R], raw: dict[str, Any], account_id: str, region: str) -> R:
        spec = kind.spec
        rid = spec.id(raw) if callable(spec.id) else str(raw[spec.id])
        partition = self.aws.partition
        if callable(spec.arn):
            arn = spec.arn(raw, partition, account_id, region)
        elif "{" in spec.arn:
            arn = spec.arn.format(partition=partition, region=region, account=account_id, id=rid)
        else:
            arn = str(raw.get(spec.arn, "")) if spec.arn else ""
        from xops.resources.base import parse_tags

        resource = kind.model_validate({**raw, "account_id": account_id, "region": region, "id": rid, "arn": arn,
                                        "tags": parse_tags(raw), "raw": raw})
        resource._layer = self
        return resource

    # -- details -----------------------------------------------------------------------------------------
    def detail(self, resource: Resource, name: str) -> Any:
        kind = type(resource)
        reads = _reads()
        _allow(f"{kind.__name__}.{name}", reads is None or (kind, name) in reads.details)
        return self._detail_value(resource, kind.spec.details[name])

    def _detail_value(self, resource: Resource, detail: Detail) -> Any:
        from xops.core.aws import Target

        if detail.when is not None and not detail.when(resource):
            return None
        at = Target(resource.account_id, resource.region)
        if detail.fetch is not None:
            with unrestricted():
                return detail.fetch(resource, Fetcher(self, detail.ops))
        assert detail.op is not None
        answer = self.read(detail.op, at, detail.params(resource))
        return None if answer is None else detail.parse(answer)

    def prefetch(self, resources: Sequence[Resource], name: str) -> None:
        """Fetch one detail of many resources at once; errors are cached and raised on access."""
        if not resources:
            return
        detail = type(resources[0]).spec.details[name]
        self.fan_out([(lambda r=r: self._detail_value(r, detail), r.account_id, r.region,
                       detail.all_ops[0].service) for r in resources])

    # -- metrics -----------------------------------------------------------------------------------------
    def series(self, metric: Metric, resources: Sequence[Resource], value: Any, start: Any, end: Any
               ) -> dict[str, list[float]]:
        """One metric's datapoints (oldest first) per resource id, fetched concurrently."""
        from xops.core.aws import Target

        reads = _reads()
        _allow(f"metric {metric.namespace}/{metric.name}", reads is None or metric in reads.metrics)

        def one(r: Resource) -> list[float]:
            answer = self.read(Metric.op, Target(r.account_id, r.region), metric.request(value(r), start, end))
            points = sorted(answer.get("Datapoints", []), key=lambda p: p["Timestamp"])
            return [float(p[metric.statistic]) for p in points]

        self.fan_out([(lambda r=r: one(r), r.account_id, r.region, "cloudwatch") for r in resources])
        return {r.id: one(r) for r in resources}

    # -- settings ------------------------------------------------------------------------------------------
    def setting(self, setting: Setting, at: Target) -> Any:
        from xops.core.aws import Target

        reads = _reads()
        _allow(f"setting {setting.name}", reads is None or setting in reads.settings)
        where = Target(at.account_id, GLOBAL_REGION) if setting.scope == "global" else at
        return setting.parse(self.read(setting.op, where, dict(setting.params)))

    # -- fan-out -------------------------------------------------------------------------------------------
    def fan_out(self, jobs: Sequence[tuple[Any, str, str, str]]) -> None:
        """Run (fn, account, region, service) jobs concurrently, at most `concurrency` per account, region
        and service; wait for all. Results and errors land in the inventory cache."""
        if len(jobs) <= 1:
            for fn, *_ in jobs:
                self._quiet(fn)
            return
        pool = self._executor()
        futures = []
        for fn, account, region, service in jobs:
            bound = self._bound(account, region, service)
            futures.append(pool.submit(self._bounded, bound, fn))
        wait(futures)

    def _executor(self) -> ThreadPoolExecutor:
        with self._guard:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.aws.settings.max_workers,
                                                thread_name_prefix="xops-detail")
            return self._pool

    def _bound(self, account: str, region: str, service: str) -> threading.BoundedSemaphore:
        key = (account, region, service)
        with self._guard:
            if key not in self._bounds:
                self._bounds[key] = threading.BoundedSemaphore(self._concurrency)
            return self._bounds[key]

    def _bounded(self, bound: threading.BoundedSemaphore, fn: Any) -> None:
        with bound:
            self._quiet(fn)

    @staticmethod
    def _quiet(fn: Any) -> None:
        # a failed read is cached by the inventory: the analyzer meets the error when it reads the value
        with suppress(Exception):
            fn()
