"""The one LLM settings object: defaults, the ANTHROPIC_API_KEY shortcut, clear errors, secret keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from xops.core.errors import UsageError
from xops.llm.settings import load_llm_settings


def test_no_llm_by_default() -> None:
    assert load_llm_settings({}).provider == "none"


def test_anthropic_key_alone_turns_claude_on_and_stays_secret() -> None:
    s = load_llm_settings({"ANTHROPIC_API_KEY": "sk-ant-test-123"})
    assert s.provider == "claude" and s.model
    assert s.api_key is not None and s.api_key.get_secret_value() == "sk-ant-test-123"
    assert "sk-ant-test-123" not in repr(s) and "sk-ant-test-123" not in str(s.model_dump())
    assert load_llm_settings({"ANTHROPIC_API_KEY": "k", "XOPS_LLM_PROVIDER": "none"}).provider == "none"


def test_bad_settings_name_what_to_fix(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="base_url"):
        load_llm_settings({"XOPS_LLM_PROVIDER": "openai", "XOPS_LLM_MODEL": "llama3.1"})
    with pytest.raises(UsageError, match="provider"):
        load_llm_settings({"XOPS_LLM_PROVIDER": "gpt-of-the-month"})
    (tmp_path / "llm.yaml").write_text("- not a mapping\n")
    with pytest.raises(UsageError, match="mapping"):
        load_llm_settings({"XOPS_LLM_FILE": str(tmp_path / "llm.yaml")})
