from typing import Any

from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.iam import User

ADMIN_POLICY = "AdministratorAccess"


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def full_admin(doc: dict[str, Any]) -> bool:
    """True when a statement Allows Action "*" on Resource "*"."""
    return any(isinstance(s, dict) and s.get("Effect") == "Allow"
               and any(a in ("*", "*:*") for a in as_list(s.get("Action", []))) and "*" in as_list(s.get("Resource", []))
               for s in as_list(doc.get("Statement", [])))


@each(User, details=("attached_policies", "attached_documents", "inline_policies"))
def check(u: User, p: object, ctx: Ctx) -> Verdict:
    admin_arn = f"arn:{ctx.partition}:iam::aws:policy/{ADMIN_POLICY}"
    attached, inline = u.detail("attached_policies"), u.detail("inline_policies")
    granting = [f"managed:{arn}" for arn, doc in u.detail("attached_documents").items()
                if arn == admin_arn or full_admin(doc)]
    granting += [f"inline:{name}" for name, doc in inline.items() if full_admin(doc)]
    evidence = {"attached_policies": [a["PolicyArn"] for a in attached], "inline_policies": list(inline),
                "admin_grants": granting}
    if granting:
        return Fail(f"IAM user {u.id} has full admin permissions attached directly ({', '.join(granting)})",
                    evidence=evidence)
    return Pass(f"IAM user {u.id} has no directly attached admin policy", evidence=evidence)
