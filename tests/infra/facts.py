"""Facts the infra files must agree on (Terraform, docker-compose, nginx) and with the code."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
MODULES = ("identity", "ecs", "edge", "efs")
ENVS = ("dev", "prod")
OPEN_WEBUI_IMAGE = "ghcr.io/open-webui/open-webui:v0.12.4"
# Port of each service: the xops CLI defaults (api 8700, mcpo 8800) and the ports the brief fixes
# (mcp 8900, given with --port), Open WebUI's 8080, the Pipelines server's 9099, the sandbox's 5050.
SERVICE_PORTS = {"open-webui": 8080, "runbooks-api": 8700, "mcpo": 8800, "mcp": 8900, "pipelines": 9099}
SANDBOX_PORT = 5050
# Commands (after the `xops` entry point) of our services; ECS and compose must run the same ones.
SERVICE_COMMANDS = {
    "runbooks-api": ["api", "serve", "--host", "0.0.0.0", "--port", "8700"],
    "mcp": ["mcp", "serve", "xops", "--transport", "http", "--host", "0.0.0.0", "--port", "8900"],
    "mcpo": ["mcpo", "serve", "--host", "0.0.0.0", "--port", "8800"],
}
# Services that run analyzers (and so carry the generated read-only policy); the others must not.
ANALYZER_SERVICES = {"runbooks-api", "mcp", "mcpo", "crew-worker"}
