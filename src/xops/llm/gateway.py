"""The gateway: the CrewAI LLM for the configured provider, and a reachability check before a crew runs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from xops.core.errors import LlmUnavailable
from xops.llm import offline
from xops.llm.settings import LlmSettings


def check(settings: LlmSettings, timeout: float = 5.0) -> None:
    """Raise LlmUnavailable unless the endpoint answers. One cheap request; the key is never shown."""
    if settings.provider == "openai":
        url = settings.base_url.rstrip("/") + "/models"  # type: ignore[union-attr]
    elif settings.provider == "claude":
        url = (settings.base_url or "https://api.anthropic.com").rstrip("/") + "/v1/models"
    elif settings.provider == "bedrock":
        url = f"https://bedrock-runtime.{settings.region}.amazonaws.com/ping"
    else:
        raise LlmUnavailable("no LLM is configured", "set XOPS_LLM_PROVIDER (see docs/crews.md)")
    headers = {}
    if settings.api_key is not None and settings.provider == "openai":
        headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
    if settings.api_key is not None and settings.provider == "claude":
        headers = {"x-api-key": settings.api_key.get_secret_value(), "anthropic-version": "2023-06-01"}
    where = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    try:
        r = httpx.get(url, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise LlmUnavailable(f"the LLM endpoint {where} ({settings.provider}) is unreachable: {type(exc).__name__}",
                             "check XOPS_LLM_BASE_URL and that the server runs; runs fall back to the "
                             "deterministic answer meanwhile") from None
    if r.status_code in (401, 403) and settings.provider != "bedrock":
        raise LlmUnavailable(f"the LLM endpoint {where} rejected the API key (HTTP {r.status_code})",
                             "check XOPS_LLM_API_KEY / XOPS_LLM_API_KEY_FILE")
    if r.status_code >= 500:
        raise LlmUnavailable(f"the LLM endpoint {where} answered HTTP {r.status_code}", "check the LLM server's log")


def crewai_llm(settings: LlmSettings) -> Any:
    """The CrewAI LLM object for these settings (imports CrewAI: call from crew code only)."""
    with offline.heavy_imports():
        from crewai import LLM

    key = settings.api_key.get_secret_value() if settings.api_key else None
    # No temperature for Claude: the current anthropic SDK's Messages.create refuses it.
    common: dict[str, Any] = {"timeout": settings.timeout, "max_tokens": settings.max_tokens, "stream": settings.stream}
    if settings.provider == "claude":
        extra = {"base_url": settings.base_url} if settings.base_url else {}
        return LLM(model=f"anthropic/{settings.model}", api_key=key, max_retries=0, **extra, **common)
    if settings.provider == "bedrock":
        return LLM(model=f"bedrock/{settings.model}", region_name=settings.region, **common)
    if settings.provider == "openai":
        with offline.heavy_imports():
            import litellm

        # An endpoint's own model is unknown to LiteLLM's map: declare it a tool-calling chat model so
        # CrewAI uses native tool calls rather than its text (ReAct) protocol.
        name = f"openai/{settings.model}"
        litellm.register_model({name: {"litellm_provider": "openai", "mode": "chat", "supports_function_calling": True,
                                       "max_input_tokens": 128000, "max_output_tokens": settings.max_tokens}})
        return LLM(model=name, base_url=settings.base_url, api_key=key or "none", is_litellm=True, num_retries=0,
                   temperature=0.0, **common)
    raise LlmUnavailable("no LLM is configured", "set XOPS_LLM_PROVIDER (see docs/crews.md)")
