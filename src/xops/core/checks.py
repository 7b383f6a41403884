"""Check kinds: the shapes most analyzers take, so an analyzer is a short function over typed data.

- `each(T)`: every resource of type T gets a verdict from the function (None: not examined).
- `older_than(T, field, limit=PARAM)`: resources older than the parameter's days go to the function;
  younger ones pass.
- `setting(S)`: one verdict per account (global) or account and region, from a setting's value (or the
  list of resources of a type, for settings that are a fact about a collection, such as trails).
- `metric(T, M, days=PARAM)`: a CloudWatch metric of each resource over the window, fetched concurrently.

Each decorates `def check(resource, params, ctx) -> Verdict | None` (the metric and age kinds pass the
series or the age too) in the analyzer's folder; the loader finds it by the name `check`::

    @each(Volume, evidence=("state", "size_gib", "volume_type"))
    def check(v: Volume, p: Params, ctx: Ctx) -> Verdict:
        if v.state != "available":
            return Pass(f"{v.size_gib} GiB volume is {v.state}")
        return Fail(f"{v.size_gib} GiB volume is not attached to any instance")
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from xops.core.analyzer import Analyzer, Ctx, Pass, Verdict
from xops.resources.base import Metric, Resource, Setting

Where = Callable[[Any], bool] | None


class _Kind(Analyzer):
    def __init__(self, fn: Callable[..., Any], primary: type[Resource] | Setting, details: tuple[str, ...],
                 where: Where, evidence: tuple[str, ...], reads: tuple[Any, ...]) -> None:
        self.fn, self.resource, self.details, self.where = fn, primary, details, where
        self.evidence_fields, self.extra_reads = evidence, reads

    def declarations(self) -> tuple[Any, ...]:
        primary = self.resource
        own = (primary, *self.details) if self.details else primary
        return (own, *self.extra_reads)

    def resources(self, ctx: Ctx) -> list[Any]:
        assert isinstance(self.resource, type)
        found = ctx.list(self.resource, *self.details)
        return [r for r in found if self.where is None or self.where(r)]

    def judge(self, ctx: Ctx, r: Resource, call: Callable[[], Verdict | None]) -> Iterator[Verdict]:
        """One resource's verdict; a failed read of this resource is an ERROR for it alone."""
        try:
            verdict = call()
        except Exception as exc:
            yield self.error(exc, ctx.at, r)
            return
        if verdict is not None:
            verdict.resource = verdict.resource or r
            yield verdict


class Each(_Kind):
    kind = "each"

    def evaluate(self, ctx: Ctx, params: Any) -> Iterable[Verdict]:
        for r in self.resources(ctx):
            yield from self.judge(ctx, r, lambda r=r: self.fn(r, params, ctx))


class OlderThan(_Kind):
    kind = "age"

    def __init__(self, fn: Callable[..., Any], primary: type[Resource], field: str, limit: str, **kw: Any) -> None:
        super().__init__(fn, primary, **kw)
        self.field, self.limit = field, limit

    def evaluate(self, ctx: Ctx, params: Any) -> Iterable[Verdict]:
        limit = getattr(params, self.limit)
        for r in self.resources(ctx):
            age = ctx.age_days(getattr(r, self.field))
            if age <= limit:
                yield Pass(f"{r.spec.noun} {r.id} is {int(age)} days old (limit {limit})", resource=r,
                           evidence={"age_days": int(age), self.limit: limit})
                continue
            yield from self.judge(ctx, r, lambda r=r, age=age: self.fn(r, age, params, ctx))


class SettingCheck(_Kind):
    kind = "setting"

    def facts(self) -> tuple[str, Any, str]:
        resource_type, scope, service = super().facts()
        # a fact about a collection (e.g. the account's trails) is a finding about the account
        return ("AWS::::Account" if isinstance(self.resource, type) else resource_type), scope, service

    def evaluate(self, ctx: Ctx, params: Any) -> Iterable[Verdict]:
        value = ctx.setting(self.resource) if isinstance(self.resource, Setting) else self.resources(ctx)
        verdict = self.fn(value, params, ctx)
        if verdict is not None:
            yield verdict


class MetricCheck(_Kind):
    kind = "metric"

    def __init__(self, fn: Callable[..., Any], primary: type[Resource], metric: Metric, days: str,
                 measure: Where, value: Callable[[Any], str], **kw: Any) -> None:
        super().__init__(fn, primary, **kw)
        self.metric, self.days, self.measure, self.value = metric, days, measure, value

    def declarations(self) -> tuple[Any, ...]:
        return (*super().declarations(), self.metric)

    def evaluate(self, ctx: Ctx, params: Any) -> Iterable[Verdict]:
        resources = self.resources(ctx)
        measured = [r for r in resources if self.measure is None or self.measure(r)]
        series = ctx.series(self.metric, measured, getattr(params, self.days), self.value) if measured else {}
        for r in resources:
            yield from self.judge(ctx, r, lambda r=r: self.fn(r, series.get(r.id), params, ctx))


def each(kind: type[Resource], *, details: tuple[str, ...] = (), where: Where = None,
         evidence: tuple[str, ...] = (), reads: tuple[Any, ...] = ()) -> Callable[[Callable[..., Any]], Analyzer]:
    """`fn(resource, params, ctx) -> Verdict | None` for every resource of `kind` that `where` accepts;
    `details` are fetched first (concurrently); `evidence` names resource fields copied into the
    evidence; `reads` declares anything else the function reads through ctx."""
    return lambda fn: Each(fn, kind, details, where, evidence, reads)


def older_than(kind: type[Resource], field: str, *, limit: str, details: tuple[str, ...] = (), where: Where = None,
               evidence: tuple[str, ...] = (), reads: tuple[Any, ...] = ()
               ) -> Callable[[Callable[..., Any]], Analyzer]:
    """`fn(resource, age_days, params, ctx) -> Verdict | None` for each resource whose `field` (a datetime)
    is more than `params.<limit>` days ago; the others pass."""
    return lambda fn: OlderThan(fn, kind, field, limit, details=details, where=where, evidence=evidence, reads=reads)


def setting(source: Setting | type[Resource], *, details: tuple[str, ...] = (), where: Where = None,
            reads: tuple[Any, ...] = ()) -> Callable[[Callable[..., Any]], Analyzer]:
    """`fn(value, params, ctx) -> Verdict` once per account (global) or account and region: `value` is the
    Setting's value, or the list of resources of a type."""
    return lambda fn: SettingCheck(fn, source, details, where, (), reads)


def metric(kind: type[Resource], m: Metric, *, days: str, measure: Where = None, where: Where = None,
           value: Callable[[Any], str] = lambda r: r.id, details: tuple[str, ...] = (),
           evidence: tuple[str, ...] = (), reads: tuple[Any, ...] = ()) -> Callable[[Callable[..., Any]], Analyzer]:
    """`fn(resource, datapoints | None, params, ctx) -> Verdict | None`: `datapoints` are `m` over the last
    `params.<days>` days (oldest first) for the resources `measure` accepts, None for the others."""
    return lambda fn: MetricCheck(fn, kind, m, days, measure, value, details=details, where=where,
                                  evidence=evidence, reads=reads)
