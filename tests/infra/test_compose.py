"""docker-compose.yml against the Compose Specification's JSON schema (vendored, see
compose-spec.SOURCE.md), and every image, port, command, volume and file it names against the code."""

from __future__ import annotations

import copy
import json
import re
import string
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import typer
import yaml

from tests.infra.facts import OPEN_WEBUI_IMAGE, ROOT, SANDBOX_PORT, SERVICE_COMMANDS, SERVICE_PORTS

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
SCHEMA = json.loads((Path(__file__).with_name("compose-spec.json")).read_text())
# COPY sources that arrive with the MCP branch (requirements/mcpo.txt pins mcpo's own venv).
PENDING_FILES: set[str] = set()


def schema_errors(document: dict) -> list[str]:
    validator = jsonschema.Draft201909Validator(SCHEMA)
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(document)]


def test_compose_file_is_valid_against_the_compose_spec_schema() -> None:
    assert {"service", "healthcheck", "volume"} <= set(SCHEMA["definitions"])
    assert schema_errors(COMPOSE) == []


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["services"]["mcp"].update(helthcheck={}), "'helthcheck' does not match any of the regexes"),
    (lambda d: d["services"]["nginx"].update(ports="443:8443"), "is not of type 'array'"),
    (lambda d: d.update(volume={}), "'volume' does not match any of the regexes"),
])
def test_the_schema_check_rejects_a_broken_file(mutate, expected: str) -> None:
    broken = copy.deepcopy(COMPOSE)
    mutate(broken)
    assert any(expected in e for e in schema_errors(broken))


def test_the_stack_has_its_services_healthchecks_and_a_sandbox_profile() -> None:
    assert set(SERVICES) == {"open-webui", "pipelines", "runbooks-api", "mcp", "mcpo", "nginx", "sandbox"}
    assert {name: svc.get("profiles") for name, svc in SERVICES.items() if svc.get("profiles")} == {"sandbox": ["sandbox"]}
    for name, svc in SERVICES.items():
        test = svc["healthcheck"]["test"]
        assert test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, name
    for name, svc in SERVICES.items():
        for dep, cond in (svc.get("depends_on") or {}).items():
            assert dep in SERVICES and cond == {"condition": "service_healthy"}, (name, dep)


def test_images_are_pinned_and_ours_are_built_from_files_in_the_repo() -> None:
    assert SERVICES["open-webui"]["image"] == OPEN_WEBUI_IMAGE
    for name, svc in SERVICES.items():
        image = svc["image"]
        assert ":" in image and not image.endswith(":latest"), f"{name}: pin the image tag ({image})"
        if "build" not in svc:
            continue
        build = svc["build"]
        dockerfile = ROOT / build["context"] / build["dockerfile"]
        assert dockerfile.is_file(), name
        text = dockerfile.read_text()
        if "target" in build:
            assert re.search(rf"^FROM .+ AS {build['target']}$", text, re.M), (name, build["target"])
        assert image.endswith(":local")


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "infra/docker/pipelines.Dockerfile"])
def test_dockerfiles_are_multi_arch_and_copy_only_files_that_exist(dockerfile: str) -> None:
    text = (ROOT / dockerfile).read_text()
    bases = re.findall(r"^FROM (\S+)", text, re.M)
    assert bases and all(b.startswith("python:3.11-slim") or b in {"core"} for b in bases), bases
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert not re.search(r"amd64|x86_64|aarch64|arm64", body), "no architecture-specific binaries"
    assert re.search(r"^USER (?!root)\w+", text, re.M), "the image runs as a non-root user"
    for sources in re.findall(r"^COPY (?:--\S+ )*(.+) \S+$", text, re.M):
        for source in sources.split():
            assert (ROOT / source).exists() or source in PENDING_FILES, f"{dockerfile}: COPY {source} is missing"


def test_ports_and_commands_match_the_code() -> None:
    for name, command in SERVICE_COMMANDS.items():
        assert SERVICES[name]["command"] == command, name
    for name, port in SERVICE_PORTS.items():
        svc = SERVICES[name]
        exposed = {str(p).rsplit(":", 1)[-1] for p in [*svc.get("ports", []), *svc.get("expose", [])]}
        assert exposed == {str(port)}, (name, exposed)
        assert f"127.0.0.1:{port}/" in " ".join(svc["healthcheck"]["test"]), name
        if "command" in svc and "--port" in svc["command"]:
            assert svc["command"][svc["command"].index("--port") + 1] == str(port)
    assert SERVICES["sandbox"]["command"] == ["sandbox", "up", "--port", str(SANDBOX_PORT)]
    assert f"127.0.0.1:{SANDBOX_PORT}/" in " ".join(SERVICES["sandbox"]["healthcheck"]["test"])
    assert SERVICES["open-webui"]["environment"]["PORT"] == str(SERVICE_PORTS["open-webui"])
    assert SERVICES["open-webui"]["environment"]["OPENAI_API_BASE_URL"] == f"http://pipelines:{SERVICE_PORTS['pipelines']}"
    assert SERVICES["pipelines"]["environment"]["XOPS_API_URL"] == f"http://runbooks-api:{SERVICE_PORTS['runbooks-api']}"
    assert SERVICES["nginx"]["environment"]["OPEN_WEBUI_UPSTREAM"] == f"open-webui:{SERVICE_PORTS['open-webui']}"


def cli_command(*path: str) -> Any | None:
    from xops.cli import app

    command: Any = typer.main.get_command(app)
    for part in path:
        command = getattr(command, "commands", {}).get(part)
        if command is None:
            return None
    return command


@pytest.mark.parametrize("path, service", [
    (("sandbox", "up"), "sandbox"), (("api", "serve"), "runbooks-api"), (("mcpo", "serve"), "mcpo"),
    (("mcp", "serve"), "mcp"),
])
def test_commands_use_options_the_cli_has_and_its_default_ports(path: tuple[str, ...], service: str) -> None:
    command = cli_command(*path)
    if command is None:
        pytest.skip(f"`xops {' '.join(path)}` is not on this branch yet (built in parallel)")
    options = {opt: p for p in command.params for opt in p.opts}
    argv = SERVICES[service]["command"][len(path):]
    for arg in argv:
        if arg.startswith("--"):
            assert arg in options, f"`xops {' '.join(path)}` has no option {arg}"
    # The port the stack uses is the CLI's default (api 8700, mcpo 8800, sandbox 5050); mcp's is given.
    if service != "mcp":
        assert options["--port"].default == int(argv[argv.index("--port") + 1])


def test_volumes_are_declared_used_and_mounted_where_the_code_reads() -> None:
    declared = set(COMPOSE["volumes"])
    used: dict[str, set[str]] = {}
    for svc in SERVICES.values():
        for mount in svc.get("volumes", []):
            source, target = mount.split(":")[:2]
            if not source.startswith("."):
                used.setdefault(source, set()).add(target)
            else:
                assert (ROOT / source).exists() or source == "./infra/nginx/certs", source
    assert set(used) == declared
    assert used == {"open-webui-data": {"/app/backend/data"}, "xops-data": {"/data"}, "chroma-data": {"/chroma"}}
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "XOPS_DATA_DIR=/data" in dockerfile and "/chroma" in dockerfile
    assert SERVICES["runbooks-api"]["environment"]["XOPS_DATA_DIR"] == "/data"
    assert SERVICES["runbooks-api"]["environment"]["CREWAI_STORAGE_DIR"] == "/chroma"


def test_nginx_template_variables_and_env_example_are_complete() -> None:
    template = (ROOT / "infra/nginx/templates/xops.conf.template").read_text()
    used = {m.group("braced") for m in string.Template.pattern.finditer(template) if m.group("braced")}
    assert used == set(SERVICES["nginx"]["environment"])
    env_example = (ROOT / ".env.example").read_text()
    defined = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", env_example, re.M))
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", (ROOT / "docker-compose.yml").read_text()))
    assert required and required <= defined
    assert {"WEBUI_SECRET_KEY", "XOPS_MCP_TOKEN", "XOPS_MCPO_API_KEY", "COMPOSE_PROJECT_NAME"} <= defined
    assert "AWS_ENDPOINT_URL=http://sandbox:5050" in env_example
    assert SERVICES["sandbox"]["environment"]["XOPS_SANDBOX_BIND"] == "0.0.0.0"


def test_the_sandbox_binds_where_compose_needs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from xops.sandbox.moto_server import BIND_ENV, MotoServer

    assert BIND_ENV == "XOPS_SANDBOX_BIND"
    monkeypatch.setenv(BIND_ENV, "0.0.0.0")
    server = MotoServer().start()
    try:
        assert server._server._server.server_address[0] == "0.0.0.0"
        assert server.endpoint.startswith("http://127.0.0.1:")
    finally:
        server.stop()
    monkeypatch.delenv(BIND_ENV)
    assert MotoServer().bind == "127.0.0.1"


def test_runbooks_api_health_probes_name_real_routes(tmp_path: Path) -> None:
    """compose's healthcheck and the ECS task's health command both probe a route the API really serves."""
    from xops.api.app import create_app
    from xops.api.settings import ApiSettings

    routes = {getattr(r, "path", "") for r in create_app(ApiSettings(data_dir=tmp_path, api_keys=["k"])).routes}
    compose_probe = " ".join(SERVICES["runbooks-api"]["healthcheck"]["test"])
    ecs = (ROOT / "infra" / "modules" / "ecs" / "main.tf").read_text()
    for text in (compose_probe, ecs):
        paths = re.findall(r"127\.0\.0\.1:8700(/[A-Za-z0-9_/-]*)", text)
        assert paths and set(paths) <= routes, (paths, sorted(routes))
