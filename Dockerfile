# xOps images (runbooks API, MCP server, crew worker, sandbox; and mcpo). Pure-Python wheels only, so the
# same file builds linux/amd64 and linux/arm64 (Graviton): docker buildx build --platform linux/arm64,linux/amd64
#   target core (default): `xops api serve`, `xops mcp serve`, `xops sandbox up`, `xops demo`
#   target mcpo:            core + mcpo's own venv (mcpo needs mcp<2 and fastapi<0.145) for `xops mcpo serve`
FROM python:3.11-slim AS core
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 XOPS_DATA_DIR=/data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
COPY mcp_servers ./mcp_servers
# CPU torch first (the crews' local embedder): from PyTorch's CPU index at build time, never CUDA.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
 && pip install --no-cache-dir ".[sandbox,crews]" \
 && useradd --uid 10001 --create-home xops \
 && mkdir -p /data /chroma && chown xops:xops /data /chroma
USER xops
EXPOSE 8700 8900
ENTRYPOINT ["xops"]
CMD ["demo"]

FROM core AS mcpo
USER root
COPY requirements/mcpo.txt /tmp/mcpo.txt
RUN python -m venv /opt/mcpo-venv && /opt/mcpo-venv/bin/pip install --no-cache-dir -r /tmp/mcpo.txt
ENV XOPS_MCPO_VENV=/opt/mcpo-venv
USER xops
EXPOSE 8800
CMD ["mcpo", "serve", "--host", "0.0.0.0", "--port", "8800"]
