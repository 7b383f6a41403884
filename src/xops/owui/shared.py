"""Code every xOps Open WebUI function, tool and pipeline shares: a thin async client of the Runbooks API.

`xops owui build` inlines this module into each generated single file, so it may import only what Open WebUI
ships (httpx, pydantic) and the standard library. It never decides scope: it forwards the user's identity
(X-OpenWebUI-User-* headers, groups included) and the API's ABAC decides what the user sees.
"""

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx

PILLARS = {"finops": "FinOps", "cloudops": "CloudOps", "devsecops": "DevSecOps"}
RUN_ID_RE = re.compile(r"xOps run `([0-9]{8}T[0-9]{6}Z-[0-9a-f]+)`")
# The answer's evidence links point at the API, which a chat user cannot reach: the section is replaced.
EVIDENCE_LINKS_RE = re.compile(r"\n(?:Download: ?|#{2,3} Evidence)\n\n?(- \[[^\n]*\]\(/v1/runs/[^\n]*\n?)*")


class XopsApiError(Exception):
    """A refusal or failure of the Runbooks API, with its problem title, detail and hint."""

    def __init__(self, status: int, title: str, detail: str = "", hint: str = "") -> None:
        super().__init__(f"{title}: {detail}" if detail else title)
        self.status, self.title, self.detail, self.hint = status, title, detail, hint

    def user_message(self) -> str:
        text = f"xOps: {self.title}"
        if self.detail:
            text += f": {self.detail}"
        if self.hint:
            text += f" ({self.hint})"
        return text


def split_list(value: str) -> list[str]:
    return [v.strip() for v in (value or "").replace("\n", ",").split(",") if v.strip()]


def identity_headers(user: dict[str, Any] | None, groups: list[str] | None = None) -> dict[str, str]:
    """The X-OpenWebUI-User-* headers of an Open WebUI user (the `__user__` dict or a pipeline body's user)."""
    if not user:
        return {}
    out = {
        "X-OpenWebUI-User-Id": str(user.get("id") or ""),
        "X-OpenWebUI-User-Email": str(user.get("email") or ""),
        "X-OpenWebUI-User-Name": re.sub(r"[^\x20-\x7e]", "?", str(user.get("name") or "")),
        "X-OpenWebUI-User-Role": str(user.get("role") or "user"),
    }
    if groups:
        out["X-OpenWebUI-User-Groups"] = ",".join(g.replace(",", " ") for g in groups)
    return {k: v for k, v in out.items() if v}


async def user_groups(user: dict[str, Any] | None) -> list[str]:
    """The names of the user's Open WebUI groups (empty outside Open WebUI, e.g. in a unit test)."""
    if not user or not user.get("id"):
        return []
    try:
        from open_webui.models.groups import Groups
    except ImportError:
        return []
    try:
        groups = await Groups.get_groups_by_member_id(user["id"])
    except Exception:
        return []
    return sorted(g.name for g in groups)


def last_user_message(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):  # multimodal: the text parts
                return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            return str(content or "")
    return ""


class XopsApi:
    """The Runbooks API over HTTP, as one user (identity headers on every request)."""

    def __init__(self, url: str, key: str, headers: dict[str, str] | None = None, timeout: float = 600) -> None:
        if not url:
            raise XopsApiError(0, "the xOps API URL is not set", "", "an admin sets it in this function's Valves")
        if not key:
            raise XopsApiError(0, "the xOps API key is not set", "",
                               "an admin sets api_key in this function's Valves (a key from XOPS_API_KEYS)")
        self.url = url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {key}", **(headers or {})}
        self.timeout = timeout

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, headers=self.headers,
                                 timeout=httpx.Timeout(self.timeout, connect=10))

    @staticmethod
    def _raise(r: httpx.Response) -> None:
        if r.status_code < 400:
            return
        try:
            doc = r.json()
        except ValueError:
            doc = {}
        if not isinstance(doc, dict):
            doc = {}
        detail = doc.get("detail", r.text[:300])
        if not isinstance(detail, str):
            detail = json.dumps(detail)[:300]
        raise XopsApiError(r.status_code, doc.get("title") or f"HTTP {r.status_code}", detail, doc.get("hint") or "")

    async def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            async with self._client() as c:
                r = await c.request(method, path, **kw)
        except httpx.HTTPError as exc:
            raise XopsApiError(0, "the xOps API does not answer", f"{self.url}: {exc!r}",
                               "check the api_url valve and that `xops api serve` runs") from None
        self._raise(r)
        return r

    async def get_json(self, path: str, **params: Any) -> Any:
        return (await self.request("GET", path, params={k: v for k, v in params.items() if v is not None})).json()

    async def start_run(self, body: dict[str, Any]) -> str:
        return str((await self.request("POST", "/v1/runs", json=body)).json()["run_id"])

    async def events(self, run_id: str) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """(type, data) of each SSE event until the run's terminal event; reconnects with Last-Event-ID."""
        last = 0
        for _attempt in range(20):
            try:
                async with self._client() as c, c.stream(
                        "GET", f"/v1/runs/{run_id}/events",
                        headers={"Last-Event-ID": str(last)} if last else {}) as r:
                    if r.status_code >= 400:
                        await r.aread()
                        self._raise(r)
                    event: dict[str, str] = {}
                    async for line in r.aiter_lines():
                        if line == "":
                            if "id" in event:
                                last = int(event["id"])
                                kind = event.get("event", "message")
                                yield kind, json.loads(event.get("data") or "{}")
                                if kind in ("run.finished", "run.failed", "run.cancelled"):
                                    return
                            event = {}
                        elif not line.startswith(":"):
                            name, _, value = line.partition(":")
                            event[name] = value[1:] if value.startswith(" ") else value
            except httpx.HTTPError as exc:
                if _attempt == 19:
                    raise XopsApiError(0, "lost the xOps event stream", repr(exc), "ask again") from None
        raise XopsApiError(0, "the xOps event stream kept ending early", run_id, "ask again")

    async def findings(self, run_id: str, **filters: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while True:
            page = await self.get_json(f"/v1/runs/{run_id}/findings", offset=len(out), limit=1000, **filters)
            out.extend(page["findings"])
            if len(out) >= page["total"] or not page["findings"]:
                return out


def status_text(kind: str, data: dict[str, Any]) -> str | None:
    """The status line Open WebUI shows for one API event (None: nothing to show)."""
    if kind == "run.started":
        return (f"Scanning {len(data.get('accounts') or [])} account(s) × {len(data.get('regions') or [])} "
                f"region(s) with {len(data.get('analyzers') or [])} analyzers ({data.get('total', 0)} steps)")
    if kind == "step.progress":
        return f"Analyzing: {data.get('done', 0)}/{data.get('total', 0)} steps done"
    if kind == "step.started" and data.get("kind") == "summarise":
        return "Writing the evidence and the answer"
    if kind == "run.interrupted":
        return "The API replica is restarting; the run resumes by itself"
    if kind == "run.finished":
        counts = data.get("counts") or {}
        return (f"Done: {counts.get('FAIL', 0)} findings, est. ${counts.get('est_monthly_usd', 0):,.2f}/month, "
                f"{counts.get('ERROR', 0)} errors")
    return None


def tidy_answer(answer: str, run_id: str) -> str:
    """The API's answer for a chat: relative evidence links replaced by a pointer to the Export action."""
    text = EVIDENCE_LINKS_RE.sub("\n", answer).rstrip()
    return (f"{text}\n\nEvidence: use **Export evidence** under this answer (findings.csv, findings.json, "
            f"summary.md, manifest.json).\n\nxOps run `{run_id}`\n")


def run_id_in(text: str) -> str | None:
    found = RUN_ID_RE.findall(text or "")
    return found[-1] if found else None
