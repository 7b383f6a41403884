from datetime import UTC, date, timedelta

from pydantic import Field

from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.core.models import AnalyzerParams
from xops.resources.awslambda import Function

# Lambda runtime deprecation dates (end of security patches and support), from
# https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html (deprecated and scheduled runtimes).
DEPRECATION: dict[str, date] = {
    # already deprecated
    "nodejs": date(2016, 10, 31), "nodejs4.3": date(2020, 3, 5), "nodejs4.3-edge": date(2020, 3, 5),
    "nodejs6.10": date(2019, 8, 12), "nodejs8.10": date(2020, 3, 6), "nodejs10.x": date(2021, 7, 30),
    "nodejs12.x": date(2023, 3, 31), "nodejs14.x": date(2023, 12, 4), "nodejs16.x": date(2024, 6, 12),
    "nodejs18.x": date(2025, 9, 1),
    "python2.7": date(2021, 7, 15), "python3.6": date(2022, 7, 18), "python3.7": date(2023, 12, 4),
    "python3.8": date(2024, 10, 14), "python3.9": date(2025, 12, 15),
    "ruby2.5": date(2021, 7, 30), "ruby2.7": date(2023, 11, 27),
    "java8": date(2024, 1, 8), "go1.x": date(2024, 1, 8), "provided": date(2024, 1, 8),
    "dotnetcore1.0": date(2019, 7, 27), "dotnetcore2.0": date(2019, 5, 30), "dotnetcore2.1": date(2022, 1, 5),
    "dotnetcore3.1": date(2023, 4, 3), "dotnet5.0": date(2022, 5, 10), "dotnet6": date(2024, 11, 12),
    "dotnet7": date(2024, 5, 14),
    # scheduled
    "ruby3.2": date(2026, 3, 31), "nodejs20.x": date(2026, 4, 30), "python3.10": date(2026, 6, 30),
    "python3.11": date(2026, 6, 30), "java8.al2": date(2026, 6, 30), "java11": date(2026, 6, 30),
    "java17": date(2026, 6, 30), "provided.al2": date(2026, 6, 30), "dotnet8": date(2026, 11, 10),
    "ruby3.3": date(2027, 3, 31), "nodejs22.x": date(2027, 4, 30), "ruby3.4": date(2028, 3, 31),
    "nodejs24.x": date(2028, 4, 30), "python3.12": date(2028, 10, 31), "dotnet10": date(2028, 11, 14),
    "python3.13": date(2029, 6, 30), "python3.14": date(2029, 6, 30), "java21": date(2029, 6, 30),
    "java25": date(2029, 6, 30), "provided.al2023": date(2029, 6, 30),
}


class Params(AnalyzerParams):
    warn_days: int = Field(0, ge=0, le=730, description="Also flag runtimes whose deprecation date is within this many days")


@each(Function, evidence=("runtime", "last_modified"))
def check(fn: Function, p: Params, ctx: Ctx) -> Verdict:
    if not fn.runtime:
        return Pass(f"function {fn.id} is a container image (runtime managed in the image)")
    today = ctx.now.astimezone(UTC).date()
    ends = DEPRECATION.get(fn.runtime)
    if ends is None or ends > today + timedelta(days=p.warn_days):
        known = f"supported until {ends}" if ends else "not in the deprecation table"
        return Pass(f"function {fn.id} runs {fn.runtime} ({known})")
    days = (ends - today).days
    when = f"was deprecated on {ends} ({-days} days ago)" if days <= 0 else f"will be deprecated on {ends} (in {days} days)"
    return Fail(f"function {fn.id} runs {fn.runtime}, which {when}",
                evidence={"deprecation_date": ends.isoformat(), "days_until": days})
