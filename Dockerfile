# xOps images (runbooks API, MCP server, crew worker, sandbox; and mcpo). Pure-Python wheels only, so the
# same file builds linux/amd64 and linux/arm64 (Graviton): docker buildx build --platform linux/arm64,linux/amd64
#   target core (default): `xops api serve`, `xops mcp serve`, `xops sandbox up`, `xops demo`
#   target mcpo:            core + mcpo's own venv (mcpo needs mcp<2 and fastapi<0.145) for `xops mcpo serve`
# Supply chain (docs/security.md): every dependency is pinned by sha256 in requirements/image.txt and installed
# with --require-hashes --no-deps (nothing unpinned is resolved at build time); the image's CycloneDX SBOM
# (`./run sbom`) is shipped at /app/sbom/.
FROM python:3.11-slim AS core
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 XOPS_DATA_DIR=/data PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements/image.txt requirements/image.txt
# CPU torch (the crews' local embedder) from PyTorch's CPU index, never CUDA, pinned by version (the one
# dependency not pinned by hash: see requirements/image.txt); its own dependencies are in image.txt.
RUN pip install --no-cache-dir --no-deps torch==2.13.0+cpu --index-url https://download.pytorch.org/whl/cpu \
 && pip install --no-cache-dir --require-hashes --no-deps -r requirements/image.txt
COPY pyproject.toml README.md ./
COPY src ./src
COPY mcp_servers ./mcp_servers
COPY sbom ./sbom
RUN pip install --no-cache-dir --no-deps --no-build-isolation . \
 && useradd --uid 10001 --create-home xops \
 && mkdir -p /data /chroma && chown xops:xops /data /chroma
USER xops
EXPOSE 8700 8900
ENTRYPOINT ["xops"]
CMD ["demo"]

FROM core AS mcpo
USER root
COPY requirements/mcpo-image.txt /tmp/mcpo-image.txt
RUN python -m venv /opt/mcpo-venv \
 && /opt/mcpo-venv/bin/pip install --no-cache-dir --require-hashes --no-deps -r /tmp/mcpo-image.txt
ENV XOPS_MCPO_VENV=/opt/mcpo-venv
USER xops
EXPOSE 8800
CMD ["mcpo", "serve", "--host", "0.0.0.0", "--port", "8800"]
