"""Knowledge (L4): remediation playbooks, analyzer metadata and past run summaries in ChromaDB."""
