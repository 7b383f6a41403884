"""Crews (L5): CloudOps, FinOps and DevSecOps crews (agents and tasks in YAML) and the Flow that routes a
question to them. Their tools are the analyzers, in-process through the registry."""
