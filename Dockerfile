# xOps core image (runbooks/CLI). Builds on amd64 and arm64 (pure-Python wheels only).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 XOPS_DATA_DIR=/data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir ".[sandbox]" && useradd --uid 10001 --create-home xops && mkdir /data && chown xops /data
USER xops
ENTRYPOINT ["xops"]
CMD ["demo"]
