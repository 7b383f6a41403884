"""The local stack: sandbox AWS (moto, in this process), Runbooks API, the native MCP server (HTTP), mcpo,
the Pipelines server and Open WebUI (light install in .venv-owui), with xOps installed. No LLM key needed;
with ANTHROPIC_API_KEY (or another LLM the API is configured for) the API's runs use the crews."""

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xops.sandbox.moto_server import free_port
from xops.stack.processes import Children, StackError

REPO = Path(__file__).resolve().parents[3]
ADMIN_EMAIL = "admin@xops.local"
ADMIN_NAME = "xOps Admin"


@dataclass
class StackInfo:
    url: str
    email: str
    password: str
    urls: dict[str, str]
    data_dir: Path


def xops_bin() -> str:
    return str(Path(sys.executable).with_name("xops"))


def openwebui_bin() -> Path:
    binary = Path(os.environ.get("XOPS_OWUI_VENV", REPO / ".venv-owui")) / "bin" / "open-webui"
    if not binary.exists():
        raise StackError(f"Open WebUI is not installed ({binary} not found)",
                         "run `./run setup` (it builds .venv-owui), or set XOPS_OWUI_VENV")
    return binary


def openwebui_env(data_dir: Path, port: int, password: str, secret_key: str) -> dict[str, str]:
    """Offline Open WebUI (no Ollama/OpenAI defaults, no update check, no telemetry) with an admin at boot."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR")}
    return {**keep, "HOME": str(data_dir), "DATA_DIR": str(data_dir), "WEBUI_SECRET_KEY": secret_key,
            "WEBUI_ADMIN_EMAIL": ADMIN_EMAIL, "WEBUI_ADMIN_PASSWORD": password, "WEBUI_ADMIN_NAME": ADMIN_NAME,
            "OFFLINE_MODE": "true", "HF_HUB_OFFLINE": "1", "ENABLE_OLLAMA_API": "false", "ENABLE_OPENAI_API": "false",
            "RAG_EMBEDDING_ENGINE": "openai", "ENABLE_VERSION_UPDATE_CHECK": "false", "ANONYMIZED_TELEMETRY": "False",
            "DO_NOT_TRACK": "true", "SCARF_NO_ANALYTICS": "true", "WEBUI_NAME": "xOps",
            "CORS_ALLOW_ORIGIN": f"http://127.0.0.1:{port};http://localhost:{port}"}


def secret_file(folder: Path, name: str) -> str:
    """A random secret kept in the data dir, so a restarted stack keeps its keys (and Open WebUI its admin)."""
    path = folder / "secrets" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(24))
    return path.read_text().strip()


def start_stack(children: Children, data_dir: Path, port: int, seed: int, say: Any) -> StackInfo:
    from xops.owui.install import InstallSpec, install
    from xops.sandbox.runner import start_sandbox

    data_dir.mkdir(parents=True, exist_ok=True)
    keys = {n: secret_file(data_dir, n) for n in ("api-key", "mcp-token", "mcpo-key", "pipelines-key",
                                                   "pipelines-secret", "openwebui-password", "openwebui-secret")}
    say(f"starting sandbox AWS (moto, seed {seed})…")
    sandbox = start_sandbox(seed=seed)
    children.cleanups.append(sandbox.server.stop)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "XOPS_"))} | sandbox.env() | {
        "XOPS_DATA_DIR": str(data_dir / "xops")}
    for name in ("ANTHROPIC_API_KEY", "XOPS_LLM_MODEL"):  # the crews, when an LLM is configured
        if os.environ.get(name):
            base[name] = os.environ[name]
    xops = xops_bin()
    logs = data_dir / "logs"
    urls = {"sandbox": sandbox.endpoint}

    def url() -> str:
        return f"http://127.0.0.1:{free_port()}"

    say("starting the Runbooks API…")
    api = url()
    children.start("api", [xops, "api", "serve", "--port", api.rsplit(":", 1)[1]],
                   base | {"XOPS_API_KEYS": keys["api-key"]}, logs / "api.log", api, "/readyz")
    urls["api"] = api
    say("starting the MCP server (streamable HTTP)…")
    mcp = url()
    children.start("mcp", [xops, "mcp", "serve", "xops", "--transport", "http", "--port", mcp.rsplit(":", 1)[1]],
                   base | {"XOPS_MCP_TOKEN": keys["mcp-token"]}, logs / "mcp.log", mcp, "/health")
    urls["mcp"] = f"{mcp}/mcp"
    say("starting mcpo (OpenAPI)…")
    mcpo = url()
    children.start("mcpo", [xops, "mcpo", "serve", "--port", mcpo.rsplit(":", 1)[1]],
                   base | {"XOPS_MCPO_API_KEY": keys["mcpo-key"]}, logs / "mcpo.log", mcpo, "/devsecops/openapi.json",
                   headers={"Authorization": f"Bearer {keys['mcpo-key']}"})
    urls["mcpo"] = mcpo
    say("starting the Pipelines server…")
    pipes = url()
    children.start("pipelines", [xops, "owui", "pipelines", "--port", pipes.rsplit(":", 1)[1]],
                   base | {"PIPELINES_API_KEY": keys["pipelines-key"], "XOPS_API_URL": api,
                           "XOPS_API_KEY": keys["api-key"], "XOPS_PIPELINES_SECRET": keys["pipelines-secret"],
                           "XOPS_ACCOUNTS": "all"},
                   logs / "pipelines.log", pipes, "/v1/models", headers={"Authorization": f"Bearer {keys['pipelines-key']}"})
    urls["pipelines"] = pipes
    say("starting Open WebUI (the first start takes a minute)…")
    owui = f"http://127.0.0.1:{port}"
    owui_data = data_dir / "openwebui"
    owui_data.mkdir(parents=True, exist_ok=True)
    children.start("openwebui", [str(openwebui_bin()), "serve", "--host", "127.0.0.1", "--port", str(port)],
                   openwebui_env(owui_data, port, keys["openwebui-password"], keys["openwebui-secret"]),
                   logs / "openwebui.log", owui, "/health", cwd=owui_data, timeout=300)
    urls["openwebui"] = owui
    say("installing xOps into Open WebUI…")
    report = install(InstallSpec(url=owui, email=ADMIN_EMAIL, password=keys["openwebui-password"], api_url=api,
                                 api_key=keys["api-key"], accounts="all", mcpo_url=mcpo, mcpo_key=keys["mcpo-key"],
                                 mcp_url=urls["mcp"], mcp_token=keys["mcp-token"], pipelines_url=pipes,
                                 pipelines_key=keys["pipelines-key"], pipelines_secret=keys["pipelines-secret"]))
    say(f"xOps installed ({len(report.changes)} changes)")
    return StackInfo(owui, ADMIN_EMAIL, keys["openwebui-password"], urls, data_dir)
