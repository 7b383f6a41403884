"""Deterministic answer latency with a warm inventory: route + analyzers (inventory cache warm) + markdown,
over the seeded sandbox estate (scale 1). Goal <= 1.5 s. Prints cold and warm p50/p95."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

QUESTIONS = ["Where are we wasting money?", "Is anything exposed to the internet?",
             "Are our backups and monitoring OK?", "full posture"]


def main() -> None:
    from tests.harness.sandbox import start_running_sandbox

    tmp = Path(tempfile.mkdtemp(prefix="xops-abench-"))
    proc, sb = start_running_sandbox(tmp)
    try:
        os.environ.update(sb.env)
        from xops.answer.markdown import answer_markdown
        from xops.answer.router import route
        from xops.core.aws import AwsContext, AwsSettings
        from xops.core.scan import ScanRequest, scan

        route("warm up the embedder")
        aws = AwsContext(AwsSettings(accounts=["all"]))
        for q in QUESTIONS:
            t = time.perf_counter()
            r = route(q)
            result = scan(aws, ScanRequest(analyzer_ids=r.analyzer_ids))
            answer_markdown(q, result, evidence_base="evidence", route=r)
            print(f"cold  {q!r}: {time.perf_counter() - t:.2f} s ({len(result.findings)} findings)")
        for q in QUESTIONS:
            lat = []
            for _ in range(5):
                t = time.perf_counter()
                r = route(q)
                result = scan(aws, ScanRequest(analyzer_ids=r.analyzer_ids))  # inventory cache is warm
                answer_markdown(q, result, evidence_base="evidence", route=r)
                lat.append(time.perf_counter() - t)
            lat.sort()
            print(f"warm  {q!r}: p50 {statistics.median(lat):.3f} s, max {lat[-1]:.3f} s (goal <= 1.5 s)")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
