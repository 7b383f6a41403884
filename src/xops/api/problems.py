"""Every 4xx/5xx body is application/problem+json (RFC 9457): what is wrong (`detail`) and what to do (`hint`)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from xops.core.errors import UsageError, XopsError

log = logging.getLogger("xops.api")
MEDIA_TYPE = "application/problem+json"


class Problem(Exception):
    def __init__(self, status: int, title: str, detail: str, hint: str = "",
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.hint = status, title, detail, hint
        self.headers, self.extra = headers or {}, extra


def problem_response(status: int, title: str, detail: str, hint: str = "", headers: dict[str, str] | None = None,
                     **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if hint:
        body["hint"] = hint
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "(body)"


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.title, exc.detail, exc.hint, exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": _field(tuple(e.get("loc", ()))), "message": e.get("msg", ""),
                   **({"allowed": e["ctx"]["expected"]} if "expected" in e.get("ctx", {}) else {})}
                  for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem_response(422, "invalid request", detail,
                                "fix the fields named above; the OpenAPI document at /openapi.json has the schema",
                                errors=errors)

    @app.exception_handler(XopsError)
    async def _xops(_: Request, exc: XopsError) -> JSONResponse:
        title = "invalid request" if isinstance(exc, UsageError) else exc.title
        return problem_response(exc.http_status, title, exc.message, exc.hint)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        hint = {404: "check the URL against /openapi.json", 405: "check the HTTP method against /openapi.json"}
        return problem_response(exc.status_code, str(exc.detail), str(exc.detail), hint.get(exc.status_code, ""),
                                headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem_response(500, "internal error", f"{type(exc).__name__} while handling {request.url.path}",
                                "this is a bug in xOps: report it with the server log")
