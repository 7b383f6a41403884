"""The xOps finops MCP server: `python mcp_servers/finops.py [--transport http --port 8765]` (docs/mcp.md)."""

import sys
from pathlib import Path

# This folder holds xops.py, which would shadow the xops package: import from the installed package.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from xops.mcp.cli import run_named  # noqa: E402

if __name__ == "__main__":
    run_named("finops")
