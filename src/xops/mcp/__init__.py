"""MCP servers built from the analyzer registry, their transports, and the mcpo bridge (docs/mcp.md)."""
