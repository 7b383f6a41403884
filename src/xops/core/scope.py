"""Where to look: the one scope model of every surface (CLI options, the API's `scope`, MCP arguments)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xops.core.errors import UsageError

REGION_PATTERN = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$"
ACCOUNT_PATTERN = r"^(\d{12}|all)$"

Region = Annotated[str, Field(pattern=REGION_PATTERN, examples=["ap-southeast-2"])]
Account = Annotated[str, Field(pattern=ACCOUNT_PATTERN, examples=["123456789012", "all"])]


class Scope(BaseModel):
    """Accounts and regions to scan; empty lists mean the defaults (see `xops.core.aws.AwsContext`)."""

    model_config = ConfigDict(extra="forbid")

    regions: list[Region] = Field(
        default_factory=list,
        description="AWS regions to scan, e.g. [\"ap-southeast-2\"]; empty: XOPS_REGIONS or every enabled region",
    )
    accounts: list[Account] = Field(
        default_factory=list,
        description="12-digit AWS account ids, or [\"all\"] for every Organization member; empty: the caller's account",
    )

    @model_validator(mode="after")
    def _all_alone(self) -> Scope:
        if "all" in self.accounts and len(self.accounts) > 1:
            raise ValueError("accounts: 'all' cannot be combined with account ids")
        return self

    def key(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return tuple(self.accounts), tuple(self.regions)

    @classmethod
    def parse(cls, regions: list[str] | None = None, accounts: list[str] | None = None, **_: Any) -> Scope:
        """A scope from loose input (CLI options), as a UsageError that names the bad value."""
        try:
            return cls(regions=regions or [], accounts=accounts or [])
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'scope'}: {e['msg']}" for e in exc.errors())
            raise UsageError(f"invalid scope: {problems}",
                             "regions look like ap-southeast-2; accounts are 12 digits, or 'all' alone") from None
