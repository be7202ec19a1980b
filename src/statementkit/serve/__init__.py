"""`statementkit serve`: the participant's check in a web page, and a JSON API platforms call.

    from statementkit.serve import create_app
    app = create_app()                       # the bundled rules, the installed model
    # uvicorn.run(app)  or  platform_app.mount("/check", app)

A thin front like the CLI and the terminal UI: the verdict comes from
`checks.check_with_advice` (what `check` and `selfcheck` run), submissions go
through `Queue.add`. Modules: `app` (the factory), `api` (routes, shapes,
errors), `service` (the warm state and what it does), `page` (the
participant page and its languages), `limits` (sizes, rate limits, tokens),
`assets/` (HTML, CSS, JavaScript, the page's words).
"""

from __future__ import annotations

from statementkit.serve.app import create_app
from statementkit.serve.limits import Limits

__all__ = ["Limits", "create_app"]
