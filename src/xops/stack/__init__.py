"""`xops stack up`: the whole local stack on the sandbox (AWS, Runbooks API, MCP, mcpo, Pipelines, Open WebUI)."""
