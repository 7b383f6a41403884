"""The deterministic router with the real local embedder (no fakes): questions -> pillars and analyzers."""

from __future__ import annotations

import pytest

from xops.answer.router import route
from xops.core import registry

CASES = [
    ("What is wasting money?", ["finops"], "keywords+similarity"),
    ("are we paying for things nobody uses?", ["finops"], "keywords+similarity"),
    ("old snapshots", ["finops"], "similarity"),
    ("Is our AWS secure?", ["devsecops"], "keywords+similarity"),
    ("who can log in without a second factor?", ["devsecops"], "similarity"),
    ("Do we have reliability problems with databases?", ["cloudops"], "keywords+similarity"),
    ("Are my backups OK and what does it cost?", ["finops", "cloudops"], "keywords+similarity"),
    ("What is wasting money and is anything exposed to the internet?", ["finops", "devsecops"], "keywords+similarity"),
    ("full posture", ["finops", "cloudops", "devsecops"], "whole-estate"),
    ("hello", ["finops", "cloudops", "devsecops"], "no-match"),
]


@pytest.mark.parametrize(("question", "pillars", "method"), CASES)
def test_route_pillars(question: str, pillars: list[str], method: str) -> None:
    r = route(question)
    assert (r.pillars, r.method) == (pillars, method), r
    expected = sorted(a.meta.id for a in registry.all_analyzers() if a.meta.pillar in pillars)
    assert sorted(r.analyzer_ids) == expected


def test_focus_names_the_closest_analyzers() -> None:
    assert route("who can log in without a second factor?").focus[0] == "devsecops.iam_user_console_without_mfa"
    assert route("old snapshots").focus[0] == "finops.ebs_snapshot_old"
    assert "cloudops.rds_backup_retention_low" in route("Are my backups OK and what does it cost?").focus


def test_keywords_only_when_the_embedder_is_not_used() -> None:
    r = route("how much money do idle instances waste?", use_embedder=False)
    assert r.pillars == ["finops"] and r.method == "keywords" and set(r.keywords["finops"]) >= {"money", "idle", "waste"}
    assert route("old snapshots", use_embedder=False).method == "no-match"


def test_empty_question_is_refused() -> None:
    with pytest.raises(ValueError, match="empty question"):
        route("   ")
