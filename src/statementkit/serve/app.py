"""The app factory: one ASGI app with the participant page, the JSON API and the guards around them.

    from statementkit.serve import create_app
    app = create_app("rules/", queue="assembly.db", token=os.environ["STATEMENTKIT_TOKEN"])
    # serve it with uvicorn, or mount it in the platform's own ASGI app:
    platform_app.mount("/statements", app)

FastAPI (on Starlette) because the API is described by the same models that
validate it: the OpenAPI document and the 422 errors naming the field come
from one place. Its interactive docs page is off: it loads scripts from a CDN,
and the service must work offline.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from statementkit.checks import Rules, load_rules
from statementkit.errors import StatementkitError
from statementkit.serve.api import router
from statementkit.serve.limits import (
    TOKEN_ENV,
    BodyLimit,
    Limits,
    RateLimiter,
    error_body,
    page_token,
)
from statementkit.serve.page import ASSETS, negotiate, page_languages, render_page
from statementkit.serve.service import Service

#: The model as `check` picks it: the registry's default when installed, else lexicons only.
INSTALLED = "installed"


def create_app(rules: Rules | str | Path | None = None, queue: str | Path | None = None, *,
               embedder: Any = INSTALLED, token: str | None = None, cors_origins: tuple[str, ...] = (),
               limits: Limits | None = None, warm: bool = True) -> FastAPI:
    """The service for one assembly: its rules, optionally its triage queue.

    `embedder`: the model for the checks' classifiers and scope by meaning; by default the one
    `statementkit check` uses (installed, else lexicons only), None for lexicons only (the queue,
    given None, uses the installed model as `queue add` does).
    `token`: the API token the submissions endpoints require (default: $STATEMENTKIT_TOKEN); a
    queue without a token is refused, so submissions are never open by accident.
    `cors_origins`: sites whose scripts may call the API from the browser (none by default; the
    page itself and an embedded iframe need none). `warm`: run one check now, so the first
    participant does not wait for the model and the lexicons to load.
    """
    loaded = rules if isinstance(rules, Rules) else load_rules(rules)
    limits = limits or Limits()
    token = token or os.environ.get(TOKEN_ENV) or None
    queue_path = Path(queue) if queue is not None else None
    if queue_path is not None and not token:
        raise StatementkitError(f"a queue needs an API token for its submissions endpoints: pass --token or set "
                                f"${TOKEN_ENV} (e.g. to the output of: python -c \"import secrets; "
                                f"print(secrets.token_urlsafe(32))\")")
    checks_model, queue_model = _models(embedder)
    svc = Service(loaded, checks_model, queue_path, queue_model)
    if queue_path is not None:
        with svc.open_queue():  # a missing or unreadable queue is an error now, not at the first submission
            pass
    if warm:
        svc.warm_up()

    app = FastAPI(title="statementkit", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json",
                  description="Screen participants' statements against the assembly's moderation criteria: the "
                              "same verdict as `statementkit check`, with advice for the author in their language.")
    app.state.service, app.state.limits, app.state.token = svc, limits, token
    app.state.limiter = RateLimiter(limits.rate, limits.burst)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "header")]
        message = first.get("msg", "invalid request")
        if first.get("type") == "json_invalid":
            message, where = "the body is not valid JSON", []
        field = ".".join(where) or None
        return JSONResponse(error_body(422, "invalid", f"{field}: {message}" if field else message, field), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = getattr(exc, "code", None) or {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        return JSONResponse(error_body(exc.status_code, code, str(exc.detail), getattr(exc, "field", None)),
                            exc.status_code, headers=exc.headers)

    @app.exception_handler(StatementkitError)
    async def stage_error(request: Request, exc: StatementkitError) -> JSONResponse:
        return JSONResponse(error_body(503, "unavailable", str(exc)), 503)

    app.include_router(router())

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "model": getattr(svc.embedder, "id", None), "queue": queue_path is not None}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request, lang: str | None = None) -> HTMLResponse:
        offered = page_languages(loaded)
        chosen = lang if lang in offered else negotiate(request.headers.get("accept-language"), offered)
        html = render_page(loaded, chosen, submit=queue_path is not None,
                           page_token=page_token(token, limits.page_token_ttl_s) if queue_path and token else None,
                           base=request.scope.get("root_path", "").rstrip("/"))
        return HTMLResponse(html, headers={"Content-Language": chosen, "Vary": "Accept-Language",
                                           "Cache-Control": "no-store"})

    app.mount("/static", StaticFiles(directory=ASSETS, html=False), name="static")
    app.add_middleware(SecurityHeaders, frame_ancestors=cors_origins)
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "Authorization", "X-Page-Token"], max_age=600)
    app.add_middleware(BodyLimit, max_bytes=limits.max_body_bytes)
    return app


def _models(embedder: Any) -> tuple[Any, Any]:
    """(the checks' model, the queue's model). The registry's model serves the checks without the
    vector cache (drafts leave no vectors on disk) and the queue with it (submissions, kept anyway,
    are never encoded twice); a model passed in serves both as it is."""
    if not (isinstance(embedder, str) and embedder == INSTALLED):
        return embedder, embedder
    from statementkit.embed import CachedEmbedder, load_embedder, missing_model

    if missing_model(None):
        return None, None
    model = load_embedder()
    return model, CachedEmbedder(model)


class SecurityHeaders:
    """No content from elsewhere (the page is self-contained); framing by any site unless the CORS
    allow-list names the sites that embed it. Plain ASGI: no per-request task as Starlette's
    BaseHTTPMiddleware would add."""

    def __init__(self, app: Any, frame_ancestors: tuple[str, ...] = ()):
        self.app = app
        policy = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                  f"frame-ancestors {' '.join(frame_ancestors) if frame_ancestors else '*'}")
        self.headers = [(b"content-security-policy", policy.encode()), (b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"no-referrer")]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in self.headers if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)
