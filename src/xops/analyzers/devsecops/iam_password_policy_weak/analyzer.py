from typing import Any

from pydantic import Field

from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import setting
from xops.core.models import AnalyzerParams
from xops.resources.iam import PASSWORD_POLICY

REQUIRED = {"RequireSymbols": "symbols", "RequireNumbers": "numbers", "RequireUppercaseCharacters": "uppercase",
            "RequireLowercaseCharacters": "lowercase"}


class Params(AnalyzerParams):
    min_length: int = Field(14, ge=6, le=128, description="Minimum acceptable MinimumPasswordLength")


@setting(PASSWORD_POLICY)
def check(policy: dict[str, Any] | None, p: Params, ctx: Ctx) -> Verdict:
    if policy is None:
        return Fail(f"account {ctx.account_id} has no IAM password policy (AWS defaults: 8 characters, no "
                    "complexity)", evidence={"password_policy": "none"})
    length = int(policy.get("MinimumPasswordLength", 0))
    problems = [f"minimum length {length} < {p.min_length}"] if length < p.min_length else []
    problems += [f"{label} not required" for key, label in REQUIRED.items() if not policy.get(key)]
    evidence = {"minimum_password_length": length, "required_min_length": p.min_length,
                **{key: bool(policy.get(key)) for key in REQUIRED}}
    if problems:
        return Fail(f"account {ctx.account_id} password policy is weak: {'; '.join(problems)}",
                    evidence={**evidence, "problems": problems})
    return Pass(f"account {ctx.account_id} password policy is strong ({length}+ characters, full complexity)",
                evidence=evidence)
