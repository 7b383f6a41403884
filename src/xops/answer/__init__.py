"""The deterministic mode: a question is routed to pillars and analyzers, and answered without an LLM."""
