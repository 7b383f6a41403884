"""A real Open WebUI 0.12.4 (light install in .venv-owui, built by `./run setup`) for tests.

`start_openwebui(folder)` runs `open-webui serve` on a free 127.0.0.1 port, offline (no Ollama/OpenAI
backends, no update check, no telemetry, embeddings set to a remote engine it never calls), with an admin
created at boot, and returns its URL and the admin's bearer token. The session fixture `openwebui`
(registered in the root conftest.py) shares one instance per pytest worker: mark tests that use it with
`@pytest.mark.xdist_group("openwebui")` so one worker starts it (~10 s, ~400 MB).

Open WebUI keeps its configuration in DATA_DIR's database: tests that change settings (tool servers,
functions) should set what they need rather than assume a fresh instance.

`start_openwebui(folder, env=...)` passes extra environment; `scim_env(token)` is what SCIM needs. The
session fixture `openwebui_scim` is a second instance with SCIM enabled (`.scim_token`), for the identity
sync tests (same xdist group "openwebui"); it stays separate because those tests reset its users and groups.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from xops.sandbox.moto_server import free_port

REPO = Path(__file__).resolve().parents[2]
ADMIN_EMAIL = "admin@xops.test"
ADMIN_NAME = "xOps Admin"


def owui_bin() -> Path:
    venv = Path(os.environ.get("XOPS_OWUI_VENV", REPO / ".venv-owui"))
    return venv / "bin" / "open-webui"


@dataclass
class OpenWebUI:
    url: str
    token: str  # the admin's bearer token
    proc: subprocess.Popen
    data_dir: Path
    log: Path
    password: str = field(repr=False, default="")
    scim_token: str = field(repr=False, default="")  # set when started with SCIM enabled

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def client(self, timeout: float = 60) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers, timeout=timeout)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def openwebui_env(data_dir: Path, password: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A minimal, offline environment: nothing of the caller's (AWS_*, DATABASE_URL …) leaks in."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR")}
    return {
        **keep,
        "HOME": str(data_dir),
        "DATA_DIR": str(data_dir),
        "WEBUI_SECRET_KEY": secrets.token_hex(32),
        "WEBUI_ADMIN_EMAIL": ADMIN_EMAIL,
        "WEBUI_ADMIN_PASSWORD": password,
        "WEBUI_ADMIN_NAME": ADMIN_NAME,
        "OFFLINE_MODE": "true",
        "HF_HUB_OFFLINE": "1",
        "ENABLE_OLLAMA_API": "false",
        "ENABLE_OPENAI_API": "false",
        "RAG_EMBEDDING_ENGINE": "openai",
        "ENABLE_VERSION_UPDATE_CHECK": "false",
        "ANONYMIZED_TELEMETRY": "False",
        "DO_NOT_TRACK": "true",
        "SCARF_NO_ANALYTICS": "true",
        "CORS_ALLOW_ORIGIN": "http://127.0.0.1",
        **(extra or {}),
    }


def start_openwebui(data_dir: Path, port: int = 0, env: dict[str, str] | None = None,
                    timeout: float = 180) -> OpenWebUI:
    """Start Open WebUI, wait for /health, sign the boot-time admin in. Raises with the log tail on failure."""
    binary = owui_bin()
    if not binary.exists():
        raise RuntimeError(f"{binary} not found: run `./run setup` (it builds .venv-owui), or set XOPS_OWUI_VENV")
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    password = secrets.token_urlsafe(16)
    log = data_dir / "openwebui.log"
    # Its own origin too: socket.io clients (the tests', headless Chromium) send it.
    env = {"CORS_ALLOW_ORIGIN": f"http://127.0.0.1;http://127.0.0.1:{port}", **(env or {})}
    proc = subprocess.Popen([str(binary), "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=openwebui_env(data_dir, password, env), stdout=log.open("w"),
                            stderr=subprocess.STDOUT, cwd=data_dir)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"Open WebUI exited {proc.returncode}: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"Open WebUI not healthy in {timeout} s: {log.read_text()[-3000:]}")
        time.sleep(0.3)
    r = httpx.post(f"{url}/api/v1/auths/signin", json={"email": ADMIN_EMAIL, "password": password}, timeout=30)
    if r.status_code != 200:
        proc.kill()
        raise RuntimeError(f"Open WebUI admin sign-in failed: HTTP {r.status_code} {r.text[:500]}")
    return OpenWebUI(url, r.json()["token"], proc, data_dir, log, password)


SCIM_AUTH_PROVIDER = "oidc"  # Open WebUI stores a SCIM externalId under this provider name


def scim_env(token: str) -> dict[str, str]:
    """Environment that enables Open WebUI's SCIM 2.0 endpoint (/api/v1/scim/v2) with this bearer token."""
    return {"ENABLE_SCIM": "true", "SCIM_TOKEN": token, "SCIM_AUTH_PROVIDER": SCIM_AUTH_PROVIDER}


@pytest.fixture(scope="session")
def openwebui_scim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenWebUI]:
    """A second Open WebUI with SCIM enabled (see the module docstring)."""
    token = secrets.token_urlsafe(24)
    server = start_openwebui(tmp_path_factory.mktemp("openwebui-scim"), env=scim_env(token))
    server.scim_token = token
    yield server
    server.stop()


@pytest.fixture(scope="session")
def openwebui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenWebUI]:
    """One Open WebUI per pytest worker (see the module docstring for xdist grouping)."""
    server = start_openwebui(tmp_path_factory.mktemp("openwebui"))
    yield server
    server.stop()
