from pydantic import Field

from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.core.models import AnalyzerParams
from xops.resources.ec2 import Instance


class Params(AnalyzerParams):
    required_tags: list[str] = Field(
        default_factory=lambda: ["Owner", "CostCentre", "Environment"], min_length=1,
        description="Tag keys every instance must carry with a non-empty value (keys are case-sensitive)")


@each(Instance)
def check(i: Instance, p: Params, ctx: Ctx) -> Verdict:
    missing = [k for k in p.required_tags if not i.tags.get(k, "").strip()]
    evidence = {"required": p.required_tags, "missing": missing,
                "present": {k: i.tags[k] for k in p.required_tags if k in i.tags}}
    if missing:
        return Fail(f"instance {i.id} is missing required tag(s): {', '.join(missing)}", evidence=evidence)
    return Pass(f"instance {i.id} has all required tags", evidence=evidence)
