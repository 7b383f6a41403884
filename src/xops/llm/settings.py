"""The one LLM settings object: which provider, which model, where, and the key (env or a secret file).

Providers:
- `none` (default): no LLM; runs answer in the deterministic mode.
- `claude`: Anthropic's API through CrewAI's native Anthropic provider (keeps the system prompt and marks
  the stable prefix for prompt caching).
- `bedrock`: the same Claude models through Amazon Bedrock (a config change only; AWS credentials chain).
- `openai`: any OpenAI-compatible endpoint (vLLM, Ollama, a LiteLLM proxy) through LiteLLM; needs base_url.

Environment (each overrides the file): XOPS_LLM_PROVIDER, XOPS_LLM_MODEL, XOPS_LLM_BASE_URL,
XOPS_LLM_API_KEY or XOPS_LLM_API_KEY_FILE (ANTHROPIC_API_KEY for claude), XOPS_LLM_REGION (bedrock),
XOPS_LLM_TIMEOUT, XOPS_LLM_MAX_TOKENS, XOPS_LLM_STREAM; XOPS_LLM_FILE = a YAML/JSON file with the same
keys in lower case without the prefix (provider, model, base_url, api_key_file, ...). The key is a
SecretStr: never logged, never echoed, never in a run's events.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, SecretStr, ValidationError, model_validator

from xops.core.errors import UsageError

Provider = Literal["none", "claude", "bedrock", "openai"]
DEFAULT_MODELS = {"claude": "claude-sonnet-4-5", "bedrock": "us.anthropic.claude-sonnet-4-5-20250929-v1:0"}


class LlmSettings(BaseModel):
    model_config = {"extra": "forbid"}

    provider: Provider = "none"
    model: str = ""
    base_url: str | None = Field(None, description="Endpoint; required for openai, optional for claude")
    api_key: SecretStr | None = None
    api_key_file: Path | None = None
    region: str | None = Field(None, description="Bedrock region (default: AWS_REGION / AWS_DEFAULT_REGION)")
    timeout: float = Field(60.0, gt=0, le=600)
    max_tokens: int = Field(4096, ge=64, le=64000)
    stream: bool = False

    @model_validator(mode="after")
    def _complete(self) -> LlmSettings:
        if self.provider == "none":
            return self
        if not self.model:
            if self.provider not in DEFAULT_MODELS:
                raise ValueError("model is required for provider openai (XOPS_LLM_MODEL), e.g. llama3.1")
            self.model = DEFAULT_MODELS[self.provider]
        if self.provider == "openai" and not self.base_url:
            raise ValueError("base_url is required for provider openai (XOPS_LLM_BASE_URL), "
                             "e.g. http://127.0.0.1:8000/v1 for vLLM or http://127.0.0.1:11434/v1 for Ollama")
        if self.base_url and not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url {self.base_url!r} must start with http:// or https://")
        if self.api_key is None and self.api_key_file is not None:
            try:
                self.api_key = SecretStr(self.api_key_file.read_text().strip())
            except OSError as exc:
                raise ValueError(f"cannot read the API key file {self.api_key_file}: {exc.strerror}") from exc
        if self.provider == "claude" and self.api_key is None and os.environ.get("ANTHROPIC_API_KEY"):
            self.api_key = SecretStr(os.environ["ANTHROPIC_API_KEY"])
        if self.provider == "claude" and self.api_key is None:
            raise ValueError("provider claude needs a key: XOPS_LLM_API_KEY, XOPS_LLM_API_KEY_FILE or ANTHROPIC_API_KEY")
        if self.provider == "bedrock" and not self.region:
            self.region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        return self

    @property
    def configured(self) -> bool:
        return self.provider != "none"

    def describe(self) -> str:
        """Provider, model and endpoint: safe to show (never the key)."""
        if not self.configured:
            return "no LLM"
        where = self.base_url or {"claude": "api.anthropic.com", "bedrock": f"bedrock in {self.region}"}.get(
            self.provider, "")
        return f"{self.provider} model {self.model} at {where}"


ENV = {"provider": "XOPS_LLM_PROVIDER", "model": "XOPS_LLM_MODEL", "base_url": "XOPS_LLM_BASE_URL",
       "api_key": "XOPS_LLM_API_KEY", "api_key_file": "XOPS_LLM_API_KEY_FILE", "region": "XOPS_LLM_REGION",
       "timeout": "XOPS_LLM_TIMEOUT", "max_tokens": "XOPS_LLM_MAX_TOKENS", "stream": "XOPS_LLM_STREAM"}


def load_llm_settings(environ: dict[str, str] | None = None) -> LlmSettings:
    env = dict(os.environ if environ is None else environ)
    raw: dict[str, object] = {}
    path = env.get("XOPS_LLM_FILE")
    if path:
        try:
            doc = yaml.safe_load(Path(path).read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise UsageError(f"cannot read XOPS_LLM_FILE {path}: {exc}", "point it at a YAML or JSON file") from exc
        if not isinstance(doc, dict):
            raise UsageError(f"XOPS_LLM_FILE {path} must hold a mapping", "e.g. provider: claude")
        raw.update(doc)
    raw.update({field: env[var] for field, var in ENV.items() if env.get(var)})
    if "provider" not in raw and env.get("ANTHROPIC_API_KEY"):
        raw["provider"] = "claude"  # the one-key path: ANTHROPIC_API_KEY alone turns the crews on
    if raw.get("provider") == "claude" and not raw.get("api_key") and not raw.get("api_key_file") \
            and env.get("ANTHROPIC_API_KEY"):
        raw["api_key"] = env["ANTHROPIC_API_KEY"]
    try:
        return LlmSettings.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors())
        raise UsageError(f"invalid LLM settings: {problems}",
                         "see docs/crews.md (XOPS_LLM_PROVIDER claude|bedrock|openai|none, XOPS_LLM_MODEL, "
                         "XOPS_LLM_BASE_URL, XOPS_LLM_API_KEY_FILE)") from None
