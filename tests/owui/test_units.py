"""Pure parts of the Open WebUI surface: redaction patterns, the FinOps chart, status lines, answer tidying."""

from __future__ import annotations

import base64

import pytest

from xops.owui.chart import cost_and_savings, finops_chart_markdown
from xops.owui.shared import identity_headers, run_id_in, status_text, tidy_answer
from xops.security.secrets import redact

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize(("text", "kind"), [
    ("key AKIAIOSFODNN7EXAMPLE here", "aws-access-key-id"),
    ("temp ASIAIOSFODNN7EXAMPLE here", "aws-access-key-id"),
    (f"aws_secret_access_key = {SECRET}", "aws-secret-key"),
    (f"the secret is {SECRET} ok", "aws-secret-key"),
    ("AWS_SESSION_TOKEN=" + "IQoJb3JpZ2luX2VjE" * 8, "aws-session-token"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----", "private-key"),
    ("db password: Sup3r-Secret!", "password"),
])
def test_secrets_are_masked(text: str, kind: str) -> None:
    out, found = redact(text)
    assert kind in found
    assert f"[REDACTED:{kind}]" in out
    for secret in ("AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE", SECRET, "IQoJb3JpZ2luX2VjE" * 8, "b3BlbnNzaC1rZXk",
                   "Sup3r-Secret!"):
        assert secret not in out


@pytest.mark.parametrize("text", ["sha 0123456789abcdef0123456789abcdef01234567", "vol-0a1b2c3d4e5f67890 costs $8",
                                  "what is wasting money?", "i-0123456789abcdef0 in ap-southeast-2"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == (text, [])


def test_chart_has_cost_by_service_and_savings() -> None:
    findings = [
        {"analyzer_id": "finops.cost_spike_by_service", "resource_id": "Amazon EC2", "status": "PASS",
         "evidence": {"monthly_usd": {"2026-09": 100.0, "2026-10": 250.5}}},
        {"analyzer_id": "finops.cost_spike_by_service", "resource_id": "AWS Lambda", "status": "FAIL",
         "evidence": {"monthly_usd": {"2026-09": 1.0, "2026-10": 90.0}}, "est_monthly_usd": 89.0},
        {"analyzer_id": "finops.ebs_volume_unattached", "resource_id": "vol-1", "status": "FAIL", "est_monthly_usd": 8.0},
        {"analyzer_id": "finops.ebs_volume_unattached", "resource_id": "vol-2", "status": "FAIL", "est_monthly_usd": 4.5},
        {"analyzer_id": "finops.eip_unassociated", "resource_id": "eip-1", "status": "PASS", "est_monthly_usd": None},
    ]
    cost, savings = cost_and_savings(findings)
    assert cost == [("Amazon EC2", 250.5), ("AWS Lambda", 90.0)]
    assert savings == [("ebs volume unattached", 12.5)]
    md = finops_chart_markdown(findings)
    svg = base64.b64decode(md.split("base64,", 1)[1].rstrip(")\n")).decode()
    assert svg.startswith("<svg") and "Amazon EC2" in svg and "$250.50" in svg and "$12.50" in svg
    assert finops_chart_markdown([]) == ""


def test_status_lines_headers_and_answer_tidying() -> None:
    assert status_text("step.progress", {"done": 3, "total": 9}) == "Analyzing: 3/9 steps done"
    assert status_text("finding", {}) is None
    headers = identity_headers({"id": "u1", "email": "a@b.c", "name": "Zoë", "role": "user"}, ["ops", "fin,ance"])
    assert headers["X-OpenWebUI-User-Groups"] == "ops,fin ance" and headers["X-OpenWebUI-User-Name"] == "Zo?"
    answer = "# scan\n\nbody\nDownload: \n- [summary.md](/v1/runs/x/evidence/summary.md)\n- [a](/v1/runs/x/b)\n"
    tidy = tidy_answer(answer, "20261201T103000Z-1a2b3c")
    assert "/v1/runs/" not in tidy and tidy.startswith("# scan\n\nbody")
    assert run_id_in(tidy) == "20261201T103000Z-1a2b3c"
