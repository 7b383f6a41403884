"""The LLM gateway: one settings object, the CrewAI LLM it builds, and a reachability check."""
