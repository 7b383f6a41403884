"""The FinOps chart: cost by service (last month, from Cost Explorer) and the savings found per analyzer.

An SVG (horizontal bars, text labels) embedded in the answer as a base64 data-URI markdown image, which Open
WebUI's chat renders as an <img>; no plotting library, so it inlines into the single-file pipe.
"""

import base64
from typing import Any
from xml.sax.saxutils import escape  # nosec B406 # escapes text we write into SVG; parses nothing

CHART_WIDTH = 720
BAR_COLOURS = ("#2563eb", "#16a34a")


def cost_and_savings(findings: list[dict[str, Any]]) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(cost by service, savings by analyzer), each sorted high to low, from a FinOps run's findings
    (every status: the cost-by-service analyzer's PASS findings carry the monthly costs too)."""
    cost: dict[str, float] = {}
    savings: dict[str, float] = {}
    for f in findings:
        data = f.get("data") or f
        if f.get("analyzer_id") == "finops.cost_spike_by_service":
            months = (data.get("evidence") or {}).get("monthly_usd") or {}
            if months:
                last = months[sorted(months)[-1]]
                cost[f["resource_id"]] = cost.get(f["resource_id"], 0.0) + float(last or 0)
            continue
        if f.get("status") == "FAIL" and f.get("est_monthly_usd"):
            name = f["analyzer_id"].split(".", 1)[-1].replace("_", " ")
            savings[name] = savings.get(name, 0.0) + float(f["est_monthly_usd"])
    order = lambda d: sorted(((k, round(v, 2)) for k, v in d.items() if v > 0), key=lambda kv: -kv[1])  # noqa: E731
    return order(cost), order(savings)


def _panel(title: str, rows: list[tuple[str, float]], top: float, colour: str) -> tuple[list[str], float]:
    parts = [f'<text x="12" y="{top + 18}" font-size="15" font-weight="bold">{escape(title)}</text>']
    y = top + 30
    if not rows:
        parts.append(f'<text x="12" y="{y + 14}" font-size="13" fill="#555">none</text>')
        return parts, y + 28
    biggest = max(v for _, v in rows) or 1.0
    label_w, value_w = 230, 110
    bar_max = CHART_WIDTH - label_w - value_w - 24
    for name, value in rows:
        w = max(2.0, bar_max * value / biggest)
        parts += [
            f'<text x="{label_w}" y="{y + 14}" font-size="13" text-anchor="end">{escape(name[:34])}</text>',
            f'<rect x="{label_w + 8}" y="{y + 2}" width="{w:.1f}" height="16" rx="2" fill="{colour}"/>',
            f'<text x="{label_w + 14 + w:.1f}" y="{y + 14}" font-size="13">${value:,.2f}</text>',
        ]
        y += 22
    return parts, y + 10


def finops_chart_svg(cost: list[tuple[str, float]], savings: list[tuple[str, float]], top: int = 8) -> str:
    parts1, y = _panel("Cost by service, last month ($)", cost[:top], 0, BAR_COLOURS[0])
    parts2, y = _panel("Savings found ($/month) by check", savings[:top], y, BAR_COLOURS[1])
    height = int(y + 6)
    body = "".join(parts1 + parts2)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{height}" '
            f'viewBox="0 0 {CHART_WIDTH} {height}" font-family="sans-serif">'
            f'<rect width="100%" height="100%" fill="#ffffff"/>{body}</svg>')


def finops_chart_markdown(findings: list[dict[str, Any]]) -> str:
    """A markdown image of the chart, or "" when the run found neither costs nor savings."""
    cost, savings = cost_and_savings(findings)
    if not cost and not savings:
        return ""
    svg = finops_chart_svg(cost, savings)
    data = base64.b64encode(svg.encode()).decode()
    return f"![xOps FinOps chart: cost by service and savings found](data:image/svg+xml;base64,{data})\n"
