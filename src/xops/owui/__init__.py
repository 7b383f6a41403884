"""The Open WebUI surface: sources of the single-file functions and tools (built into functions/, tools/ by
`xops owui build`), the installer (`xops owui install`), and the Pipelines-server pipelines' shared code."""
