"""Install xOps into a running Open WebUI through its HTTP API (as an admin), idempotently.

Creates or updates each generated function and tool (never /functions/sync, which deletes an admin's other
functions), activates them, makes the redaction and audit filters global, sets valves, registers the mcpo
OpenAPI servers and the native MCP server as tool servers (keeping every other connection), optionally
the Pipelines server as an OpenAI-compatible connection, and writes model entries for the xOps models with
the scope and budget filters and both actions attached. A second run changes nothing and says so.
`uninstall` removes exactly these ids and connections.
"""

from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel, Field

from xops.core.errors import UsageError
from xops.owui.build import TARGETS, Target, build_one

PILLAR_NAMES = {"finops": "FinOps", "cloudops": "CloudOps", "devsecops": "DevSecOps"}
GLOBAL_FILTERS = ("xops_redaction", "xops_audit")
MODEL_FILTERS = ("xops_scope", "xops_budget")
MODEL_ACTIONS = ("xops_export_evidence", "xops_approve_remediation")
PIPELINES_MANIFOLD = "xops_pipelines"  # the Pipelines-server manifold id (pipelines/xops_pipelines.py)
MCPO_MOUNTS = ("finops", "cloudops", "devsecops")
EVERYONE = [{"principal_type": "user", "principal_id": "*", "permission": "read"}]
PIPELINES_MARK = "xops"  # tag on the Pipelines connection, so uninstall removes only ours


class InstallSpec(BaseModel):
    url: str
    token: str | None = None
    email: str | None = None
    password: str | None = Field(None, repr=False)
    api_url: str
    api_key: str = Field(repr=False)
    accounts: str = ""
    regions: str = ""
    mcpo_url: str | None = None
    mcpo_key: str | None = Field(None, repr=False)
    mcp_url: str | None = None
    mcp_token: str | None = Field(None, repr=False)
    pipelines_url: str | None = None
    pipelines_key: str | None = Field(None, repr=False)
    pipelines_secret: str | None = Field(None, repr=False)


@dataclass
class Report:
    dry_run: bool
    changes: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def change(self, what: str) -> bool:
        """Record a change; True when it should be applied (not a dry run)."""
        self.changes.append(what)
        return not self.dry_run

    def same(self, what: str) -> None:
        self.unchanged.append(what)


class OpenWebUIAdmin:
    """Open WebUI's admin HTTP API with clear errors."""

    def __init__(self, url: str, token: str | None, email: str | None, password: str | None) -> None:
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, timeout=120)
        try:
            if not token:
                if not (email and password):
                    raise UsageError("no Open WebUI credentials", "pass --token, or --email and --password of an admin")
                r = self.http.post("/api/v1/auths/signin", json={"email": email, "password": password})
                if r.status_code != 200:
                    raise UsageError(f"Open WebUI sign-in failed for {email}: HTTP {r.status_code} {r.text[:200]}",
                                     "check --email/--password (an admin account)")
                token = r.json()["token"]
            self.http.headers["Authorization"] = f"Bearer {token}"
            me = self.http.get("/api/v1/auths/")
        except httpx.HTTPError as exc:
            raise UsageError(f"Open WebUI does not answer at {self.url}: {exc}",
                             "check --url and that Open WebUI is running") from None
        if me.status_code != 200:
            raise UsageError(f"Open WebUI refused the token: HTTP {me.status_code}", "pass a valid admin --token")
        if me.json().get("role") != "admin":
            raise UsageError(f"{me.json().get('email')} is not an Open WebUI admin", "sign in as an admin")

    def call(self, method: str, path: str, ok: tuple[int, ...] = (200,), **kw: Any) -> httpx.Response:
        try:
            r = self.http.request(method, path, **kw)
        except httpx.HTTPError as exc:
            raise UsageError(f"Open WebUI {method} {path} failed: {exc}", "check that Open WebUI is running") from None
        if r.status_code not in ok:
            raise UsageError(f"Open WebUI {method} {path}: HTTP {r.status_code} {r.text[:400]}",
                             "check the Open WebUI log; the admin token may have expired")
        return r

    def get_or_none(self, path: str, **kw: Any) -> dict[str, Any] | None:
        r = self.call("GET", path, ok=(200, 401, 404), **kw)
        return r.json() if r.status_code == 200 and r.content and r.json() else None

    def close(self) -> None:
        self.http.close()


def frontmatter(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.split('"""', 2)[1].splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().isidentifier():
            out[key.strip()] = value.strip()
    return out


def desired_valves(target: Target, spec: InstallSpec) -> dict[str, Any]:
    if target.id in ("xops_redaction", "xops_budget"):
        return {}
    valves: dict[str, Any] = {"api_url": spec.api_url, "api_key": spec.api_key}
    if target.id in ("xops", "xops_analyzers"):
        valves |= {"accounts": spec.accounts, "regions": spec.regions}
    if target.id == "xops_scope" and spec.pipelines_secret:
        valves["pipelines_secret"] = spec.pipelines_secret
    return valves


def _plugin(owui: OpenWebUIAdmin, report: Report, target: Target, spec: InstallSpec) -> None:
    base = "/api/v1/tools" if target.kind == "tool" else "/api/v1/functions"
    content = build_one(target)
    fm = frontmatter(content)
    form = {"id": target.id, "name": fm.get("title", target.id), "content": content,
            "meta": {"description": fm.get("description", "")}}
    if target.kind == "tool":
        form["access_grants"] = EVERYONE
    label = f"{target.kind} {target.id}"
    current = owui.get_or_none(f"{base}/id/{target.id}")
    if current is None:
        if report.change(f"create {label}"):
            owui.call("POST", f"{base}/create", json=form)
        current = {"is_active": False, "is_global": False}
    elif current.get("content") != content or current.get("name") != form["name"]:
        if report.change(f"update {label}"):
            owui.call("POST", f"{base}/id/{target.id}/update", json=form)
    else:
        report.same(label)
    if target.kind != "tool":
        if not current.get("is_active") and report.change(f"activate {label}"):
            state = owui.call("POST", f"{base}/id/{target.id}/toggle").json()
            if not state.get("is_active"):  # the route flips the state
                owui.call("POST", f"{base}/id/{target.id}/toggle")
        want_global = target.id in GLOBAL_FILTERS
        if bool(current.get("is_global")) != want_global and report.change(
                f"{'make global' if want_global else 'make model-only'} {label}"):
            state = owui.call("POST", f"{base}/id/{target.id}/toggle/global").json()
            if bool(state.get("is_global")) != want_global:
                owui.call("POST", f"{base}/id/{target.id}/toggle/global")
    want = desired_valves(target, spec)
    if want:
        have = owui.get_or_none(f"{base}/id/{target.id}/valves") or {}
        if any(have.get(k) != v for k, v in want.items()):
            if report.change(f"set valves of {label} ({', '.join(sorted(want))})"):
                owui.call("POST", f"{base}/id/{target.id}/valves/update", json={**have, **want})
        else:
            report.same(f"valves of {label}")


def tool_server_connections(spec: InstallSpec) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if spec.mcpo_url:
        for mount in MCPO_MOUNTS:
            out.append({"url": f"{spec.mcpo_url.rstrip('/')}/{mount}", "path": "openapi.json", "type": "openapi",
                        "auth_type": "bearer", "key": spec.mcpo_key or "", "config": {"enable": True},
                        "info": {"id": f"xops-{mount}", "name": f"xOps {mount}",
                                 "description": f"xOps {PILLAR_NAMES[mount]} analyzers (mcpo)"}})
    if spec.mcp_url:
        out.append({"url": spec.mcp_url, "path": "", "type": "mcp", "auth_type": "bearer", "key": spec.mcp_token or "",
                    "config": {"enable": True},
                    "info": {"id": "xops", "name": "xOps (MCP)", "description": "every xOps analyzer (MCP)"}})
    return out


def _ours(connection: dict[str, Any]) -> bool:
    return str((connection.get("info") or {}).get("id", "")) in {"xops", *(f"xops-{m}" for m in MCPO_MOUNTS)}


def _tool_servers(owui: OpenWebUIAdmin, report: Report, spec: InstallSpec) -> None:
    want = tool_server_connections(spec)
    if not want:
        return
    have = owui.call("GET", "/api/v1/configs/tool_servers").json().get("TOOL_SERVER_CONNECTIONS", [])
    merged = [c for c in have if not _ours(c)] + want
    if [c for c in have if _ours(c)] != want:
        if report.change(f"register tool servers {', '.join(c['info']['id'] for c in want)}"):
            owui.call("POST", "/api/v1/configs/tool_servers", json={"TOOL_SERVER_CONNECTIONS": merged})
    else:
        report.same("tool servers")


def _pipelines(owui: OpenWebUIAdmin, report: Report, spec: InstallSpec) -> None:
    if not spec.pipelines_url:
        return
    cfg = owui.call("GET", "/openai/config").json()
    urls, keys = list(cfg.get("OPENAI_API_BASE_URLS") or []), list(cfg.get("OPENAI_API_KEYS") or [])
    configs = dict(cfg.get("OPENAI_API_CONFIGS") or {})
    url = spec.pipelines_url.rstrip("/")
    entry = {"enable": True, "tags": [{"name": PIPELINES_MARK}], "connection_type": "external"}
    keys += [""] * (len(urls) - len(keys))
    if url in urls:
        i = urls.index(url)
        same = keys[i] == (spec.pipelines_key or "") and {**configs.get(str(i), {}), **entry} == configs.get(str(i))
        if same and cfg.get("ENABLE_OPENAI_API"):
            report.same("Pipelines connection")
            return
        keys[i] = spec.pipelines_key or ""
        configs[str(i)] = {**configs.get(str(i), {}), **entry}
    else:
        urls.append(url)
        keys.append(spec.pipelines_key or "")
        configs[str(len(urls) - 1)] = entry
    if report.change(f"register the Pipelines server {url}"):
        owui.call("POST", "/openai/config/update", json={"ENABLE_OPENAI_API": True, "OPENAI_API_BASE_URLS": urls,
                                                         "OPENAI_API_KEYS": keys, "OPENAI_API_CONFIGS": configs})


def model_ids(spec: InstallSpec) -> list[tuple[str, str]]:
    out = [(f"xops.{p}", f"xOps {n}") for p, n in PILLAR_NAMES.items()]
    if spec.pipelines_url:
        out += [(f"{PIPELINES_MANIFOLD}.{p}", f"xOps {n}") for p, n in PILLAR_NAMES.items()]
    return out


def _models(owui: OpenWebUIAdmin, report: Report, spec: InstallSpec) -> None:
    for model_id, name in model_ids(spec):
        via = "the Pipelines server" if model_id.startswith(PIPELINES_MANIFOLD) else "the xOps pipe function"
        form = {"id": model_id, "base_model_id": None, "name": name, "is_active": True, "params": {},
                "access_grants": EVERYONE,
                "meta": {"description": f"{name}: read-only AWS analyzers through the xOps Runbooks API ({via})",
                         "filterIds": list(MODEL_FILTERS), "actionIds": list(MODEL_ACTIONS), "toolIds": []}}
        current = owui.get_or_none("/api/v1/models/model", params={"id": model_id})
        if current is None:
            if report.change(f"create model entry {model_id}"):
                owui.call("POST", "/api/v1/models/create", json=form)
            continue
        meta = current.get("meta") or {}
        if (current.get("name") != name or meta.get("filterIds") != form["meta"]["filterIds"]
                or meta.get("actionIds") != form["meta"]["actionIds"] or not current.get("is_active", True)):
            if report.change(f"update model entry {model_id}"):
                owui.call("POST", "/api/v1/models/model/update", json={**form, "meta": {**meta, **form["meta"]}})
        else:
            report.same(f"model entry {model_id}")


def install(spec: InstallSpec, dry_run: bool = False) -> Report:
    report = Report(dry_run)
    owui = OpenWebUIAdmin(spec.url, spec.token, spec.email, spec.password)
    try:
        for target in TARGETS:
            if target.kind != "pipeline":
                _plugin(owui, report, target, spec)
        _tool_servers(owui, report, spec)
        _pipelines(owui, report, spec)
        _models(owui, report, spec)
        if not dry_run:
            owui.call("GET", "/api/models", params={"refresh": "true"})  # rebuild Open WebUI's model cache
    finally:
        owui.close()
    return report


def uninstall(url: str, token: str | None, email: str | None, password: str | None,
              dry_run: bool = False) -> Report:
    report = Report(dry_run)
    owui = OpenWebUIAdmin(url, token, email, password)
    try:
        for target in [t for t in TARGETS if t.kind != "pipeline"]:
            base = "/api/v1/tools" if target.kind == "tool" else "/api/v1/functions"
            current = owui.get_or_none(f"{base}/id/{target.id}")
            if current is not None and "author: xOps" in str(current.get("content", "")) \
                    and report.change(f"delete {target.kind} {target.id}"):
                owui.call("DELETE", f"{base}/id/{target.id}/delete")
        have = owui.call("GET", "/api/v1/configs/tool_servers").json().get("TOOL_SERVER_CONNECTIONS", [])
        if any(_ours(c) for c in have) and report.change("remove the xOps tool servers"):
            owui.call("POST", "/api/v1/configs/tool_servers",
                      json={"TOOL_SERVER_CONNECTIONS": [c for c in have if not _ours(c)]})
        cfg = owui.call("GET", "/openai/config").json()
        urls = list(cfg.get("OPENAI_API_BASE_URLS") or [])
        configs = cfg.get("OPENAI_API_CONFIGS") or {}
        mine = [i for i in range(len(urls))
                if {"name": PIPELINES_MARK} in (configs.get(str(i), {}).get("tags") or [])]
        if mine and report.change(f"remove the Pipelines connection(s) {[urls[i] for i in mine]}"):
            keys = list(cfg.get("OPENAI_API_KEYS") or []) + [""] * len(urls)
            keep = [i for i in range(len(urls)) if i not in mine]
            owui.call("POST", "/openai/config/update", json={
                "ENABLE_OPENAI_API": cfg.get("ENABLE_OPENAI_API"), "OPENAI_API_BASE_URLS": [urls[i] for i in keep],
                "OPENAI_API_KEYS": [keys[i] for i in keep],
                "OPENAI_API_CONFIGS": {str(n): configs.get(str(i), {}) for n, i in enumerate(keep)}})
        all_ids = [f"xops.{p}" for p in PILLAR_NAMES] + [f"{PIPELINES_MANIFOLD}.{p}" for p in PILLAR_NAMES]
        for model_id in all_ids:
            current = owui.get_or_none("/api/v1/models/model", params={"id": model_id})
            if current is not None and report.change(f"delete model entry {model_id}"):
                owui.call("POST", "/api/v1/models/model/delete", json={"id": model_id})
    finally:
        owui.close()
    return report
