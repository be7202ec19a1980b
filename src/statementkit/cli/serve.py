"""`statementkit serve`: the participant page and the JSON API, served by uvicorn."""

from __future__ import annotations

from pathlib import Path

import typer

from statementkit.cli._util import RULES_OPTION, err_console, handle_errors


@handle_errors
def serve(
    rules: Path = RULES_OPTION,
    queue: Path = typer.Option(None, "--queue", metavar="DB",
                               help="Triage queue: enables POST /api/v1/submissions and the page's submit button "
                                    "(needs --token or $STATEMENTKIT_TOKEN).", show_default=False),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    token: str = typer.Option(None, "--token", help="API token for the submissions endpoints (better: set "
                                                    "$STATEMENTKIT_TOKEN, which no process list shows). Never "
                                                    "logged.", show_default=False),
    cors: list[str] = typer.Option([], "--cors", metavar="ORIGIN",
                                   help="A site whose scripts may call the API (repeatable), e.g. "
                                        "https://platform.example.org; also the only sites allowed to frame the "
                                        "page. Default: none may call, any may frame."),
    embed: bool = typer.Option(True, "--embed/--no-embed",
                               help="Use the embedding model when installed, as `check` does (the same verdicts "
                                    "as `check` and the queue). --no-embed: lexicons only, fastest."),
    rate: float = typer.Option(120.0, "--rate", help="Requests per minute per client address (0: no limit)."),
    burst: int = typer.Option(30, "--burst", help="Requests a client may make at once before --rate applies."),
    max_chars: int = typer.Option(2000, "--max-chars", help="Longest text accepted (longer: 422)."),
    access_log: bool = typer.Option(False, "--access-log", help="Log each request's method, path and status "
                                                                "(never bodies or tokens)."),
) -> None:
    """Serve the participant's check as a web page and a JSON API.

    A page at / where participants type a statement and see, as they type,
    each problem a moderator would object to, where it is and how to fix it,
    in their language; and an API for platforms: POST /api/v1/check,
    /api/v1/check/batch, /api/v1/submissions (with --queue), GET
    /api/v1/rules, /healthz; the OpenAPI description at
    /api/v1/openapi.json. The rules and the model are loaded once. Drafts are
    neither stored nor logged. Ctrl-C (or SIGTERM) stops it after the
    requests in flight.

    Example: STATEMENTKIT_TOKEN=s3cret statementkit serve --queue assembly.db --port 8000
    """
    import uvicorn

    from statementkit.serve import Limits, create_app

    limits = Limits(max_text_chars=max_chars, rate=rate, burst=burst)
    app = create_app(rules, queue, embedder="installed" if embed else None, token=token,
                     cors_origins=tuple(cors), limits=limits)
    model = app.state.service.embedder
    err_console().print(f"statementkit serve: {app.state.service.rules.name}; "
                        f"{'model ' + model.id if model is not None else 'lexicons only'}"
                        f"{'; queue ' + str(queue) if queue else ''} — http://{host}:{port}/")
    uvicorn.run(app, host=host, port=port, access_log=access_log, log_level="info" if access_log else "warning",
                timeout_graceful_shutdown=10, server_header=False)
