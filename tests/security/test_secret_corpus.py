"""The secret corpus (tests/security/secrets/): every secret masked and no look-alike touched, through the
API's detector (xops.security.secrets) and through the generated Open WebUI filter loaded as Open WebUI loads
it (exec of the single file); detect-secrets is the oracle: whatever its specific plugins find, we mask."""

from __future__ import annotations

import asyncio
import json
import types
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.security.leaks import leaks
from xops.security import secrets

CORPUS = Path(__file__).resolve().parent / "secrets"
FILTER = Path(__file__).resolve().parents[2] / "functions" / "xops_redaction.py"


@cache
def corpus(name: str) -> tuple[dict[str, Any], ...]:
    return tuple(yaml.safe_load((CORPUS / name).read_text()))


SECRETS, LOOKALIKES = corpus("secrets.yaml"), corpus("lookalikes.yaml")


def load_filter() -> Any:
    """functions/xops_redaction.py as Open WebUI loads a function: exec of the file's text in a new module."""
    module = types.ModuleType("function_xops_redaction")
    exec(compile(FILTER.read_text(), str(FILTER), "exec"), module.__dict__)  # noqa: S102 (what Open WebUI does)
    return module.Filter()


def through_filter(flt: Any, text: str, stream_id: str = "chatcmpl-1") -> dict[str, str]:
    """The text after each hook of the filter: inlet, request (tool result message), stream, outlet."""
    inlet = asyncio.run(flt.inlet({"messages": [{"role": "user", "content": text}]}))
    request = flt.request({"messages": [{"role": "tool", "tool_call_id": "c1", "content": text},
                                        {"role": "user", "content": [{"type": "text", "text": text}]}]})
    event = flt.stream({"id": stream_id, "choices": [{"delta": {"content": text}, "finish_reason": "stop"}]})
    outlet = flt.outlet({"messages": [{"role": "assistant", "content": text}]})
    return {"inlet": inlet["messages"][0]["content"], "request.tool": request["messages"][0]["content"],
            "request.part": request["messages"][1]["content"][0]["text"],
            "stream": event["choices"][0]["delta"]["content"], "outlet": outlet["messages"][0]["content"]}


def test_the_corpus_is_big_enough_and_fake() -> None:
    assert len(SECRETS) >= 150 and len(LOOKALIKES) >= 150
    assert len({s["id"] for s in SECRETS + LOOKALIKES}) == len(SECRETS) + len(LOOKALIKES)
    kinds = {s["kind"] for s in SECRETS}
    assert kinds >= {"aws", "private-key", "password", "jwt", "authorization", "github", "gitlab", "slack",
                     "anthropic", "openai", "azure", "google", "stripe", "datadog", "pagerduty"}
    assert all(s["values"] and all(v in s["text"] for v in s["values"]) for s in SECRETS)


def test_every_secret_is_masked_by_the_api_detector() -> None:
    missed = []
    for s in SECRETS:
        out, kinds = secrets.redact(s["text"])
        wrapped = secrets.redact_value({"finding": {"message": s["text"], "evidence": [s["text"]]}})
        if not kinds or leaks(out, s["values"]) or leaks(wrapped, s["values"]):
            missed.append((s["id"], out[:200]))
    print(f"\nAPI detector: {len(SECRETS) - len(missed)}/{len(SECRETS)} secret samples masked")
    assert missed == []


def test_no_lookalike_is_masked_by_the_api_detector() -> None:
    touched = [(s["id"], secrets.redact(s["text"])[0][:200]) for s in LOOKALIKES if secrets.find(s["text"])]
    print(f"\nAPI detector: {len(touched)}/{len(LOOKALIKES)} look-alikes masked")
    assert touched == []


def test_every_secret_is_masked_by_the_generated_filter() -> None:
    flt = load_filter()
    missed = []
    for s in SECRETS:
        for hook, out in through_filter(flt, s["text"], s["id"]).items():
            if leaks(out, s["values"]) or "[REDACTED:" not in out:
                missed.append((s["id"], hook, out[:200]))
    print(f"\nfilter: {len(SECRETS) - len({m[0] for m in missed})}/{len(SECRETS)} secret samples masked in every hook")
    assert missed == []


def test_no_lookalike_is_masked_by_the_generated_filter() -> None:
    flt = load_filter()
    touched = [(s["id"], hook) for s in LOOKALIKES for hook, out in through_filter(flt, s["text"], s["id"]).items()
               if out != s["text"]]
    print(f"\nfilter: {len({t[0] for t in touched})}/{len(LOOKALIKES)} look-alikes masked")
    assert touched == []


def test_the_filter_is_the_detector_inlined_not_a_copy() -> None:
    text = FILTER.read_text()
    assert "inlined from src/xops/security/secrets.py" in text
    assert "import xops" not in text and "from xops" not in text


def test_detect_secrets_finds_nothing_we_miss() -> None:
    """The oracle: detect-secrets' specific plugins (not its entropy ones, which flag every digest) on every
    line of the corpus; each value it finds in a secret sample is masked by us."""
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import default_settings

    entropy = {"Base64 High Entropy String", "Hex High Entropy String"}
    agreed, ours_only_fp, theirs_fp = 0, 0, []
    missed = []
    with default_settings():
        for s in SECRETS:
            out = secrets.redact(s["text"])[0]
            for line in s["text"].splitlines():
                for hit in scan_line(line):
                    if hit.type in entropy or not hit.secret_value:
                        continue
                    if hit.secret_value in out:
                        missed.append((s["id"], hit.type))
                    else:
                        agreed += 1
        for s in LOOKALIKES:
            for line in s["text"].splitlines():
                theirs_fp += [(s["id"], h.type) for h in scan_line(line) if h.type not in entropy]
            ours_only_fp += bool(secrets.find(s["text"]))
    print(f"\ndetect-secrets: {agreed} finds in the secret samples, all masked by us; on the look-alikes it flags "
          f"{len(theirs_fp)} ({sorted({t for _, t in theirs_fp})}), we flag {ours_only_fp}")
    assert agreed >= 80  # the oracle ran and saw the provider tokens
    assert missed == []


@pytest.mark.parametrize("size", [1, 7, 40])
def test_a_secret_split_across_stream_chunks_is_masked_whole(size: int) -> None:
    flt = load_filter()
    sample = next(s for s in SECRETS if s["kind"] == "anthropic")
    value = sample["values"][0]
    text = f"here it is: {value} and more text after it"
    events = [{"id": f"c-{size}", "choices": [{"delta": {"content": text[i:i + size]}, "finish_reason": None}]}
              for i in range(0, len(text), size)]
    events.append({"id": f"c-{size}", "choices": [{"delta": {}, "finish_reason": "stop"}]})
    out = [flt.stream(e)["choices"][0]["delta"].get("content", "") for e in events]
    assert "".join(out) == "here it is: [REDACTED:anthropic-key] and more text after it"
    # no chunk showed any part of the key: its characters were held until the word ended
    assert not any(value[:6] in o or o.startswith("sk-") for o in out)


def test_fingerprint_and_secret_ref_never_carry_the_value() -> None:
    value = next(s for s in SECRETS if s["kind"] == "github")["values"][0]
    fp = secrets.fingerprint(value)
    assert fp.startswith(value[:4]) and len(fp) < 30 and not leaks(fp, [value], fragment=5)
    assert secrets.fingerprint(value) == fp != secrets.fingerprint(value + "x")
    refs = secrets.refs(f"GITHUB_TOKEN={value}", "lambda:deploy env GITHUB_TOKEN")
    assert [(r.kind, r.location) for r in refs] == [("github-token", "lambda:deploy env GITHUB_TOKEN")]
    assert not leaks(json.dumps([r.model_dump() for r in refs]), [value], fragment=5)


def test_redaction_is_idempotent() -> None:
    for s in SECRETS[:40]:
        once = secrets.redact(s["text"])[0]
        assert secrets.redact(once) == (once, [])
