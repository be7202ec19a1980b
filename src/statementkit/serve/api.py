"""The JSON API, version 1: request and answer shapes, routes, errors.

Every error is `{"error": {"status", "code", "message", "field"}}` (422 names
the field, 413 too large, 429 too many requests, 401 without a valid token).
The OpenAPI description is generated from these models at
`/api/v1/openapi.json`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from statementkit.errors import InputError, QueueConflict, QueueError
from statementkit.records import Statement
from statementkit.serve.limits import Limits, same_token, valid_page_token
from statementkit.serve.service import GENERATED_PREFIX, IdTaken, Service, general_text

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"


class ApiError(HTTPException):
    """An error with a machine code and, for 422, the field it is about."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(status, message, headers)
        self.code, self.field = code, field


class Draft(BaseModel):
    """One statement to check."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="The statement, as the participant wrote it.")
    lang: str | None = Field(None, description="Force the statement's language (ISO 639-1); else detected.")
    id: str | None = Field(None, pattern=ID_PATTERN, description="Your id, returned as is (default: draft).")


class CheckRequest(Draft):
    advice_lang: str | None = Field(None, description="Language of the advice (default: the statement's).")


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[Draft] = Field(description="Statements to check, answered in the same order.")
    advice_lang: str | None = Field(None, description="Language of the advice (default: each statement's).")


class Submission(Draft):
    """A statement for the triage queue; `id` is yours (e.g. the platform's comment id) or generated."""


class FlagOut(BaseModel):
    code: str
    message: str
    span: list[int] | None
    suggestion: str | None
    severity: str
    rule: str | None


class ProblemOut(BaseModel):
    code: str
    title: str
    message: str
    fix: str
    severity: str
    span: list[int] | None = Field(description="[start, end) in code points of the text.")


class AdviceOut(BaseModel):
    lang: str
    verdict: str
    exit_code: int
    summary: str
    problems: list[ProblemOut]


class Characters(BaseModel):
    count: int
    limit: int | None


class CheckResult(BaseModel):
    """`statementkit check --format json`'s record, plus the advice to the author."""

    id: str
    verdict: str
    flags: list[FlagOut]
    lang: str | None = None
    advice: AdviceOut
    characters: Characters


class BatchResult(BaseModel):
    results: list[CheckResult]


class SubmissionOut(BaseModel):
    id: str
    status: str
    verdict: str | None
    codes: list[str]
    added: bool = Field(description="False when this id was already in the queue with this text.")


class Reason(BaseModel):
    code: str
    title: str
    message: str
    fix: str


class StatusOut(BaseModel):
    id: str
    status: str
    published: bool
    verdict: str | None
    codes: list[str]
    reasons: list[Reason]
    lang: str
    merged_into: str | None
    decided_at: str | None


# ------------------------------------------------------------------ dependencies


def service(request: Request) -> Service:
    return request.app.state.service


def rate_limited(request: Request) -> None:
    """429 once this client has used its burst and exceeds the sustained rate."""
    client = request.client.host if request.client else "unknown"
    allowed, wait = request.app.state.limiter.allow(client)
    if not allowed:
        seconds = max(1, int(wait + 0.999))
        raise ApiError(429, "rate_limited", f"too many requests; retry in {seconds} s",
                       headers={"Retry-After": str(seconds)})


def caller(request: Request, authorization: Annotated[str | None, Header()] = None,
           x_page_token: Annotated[str | None, Header()] = None) -> str:
    """'api' for the platform's token, 'page' for a page token the participant page carries; else 401."""
    token = request.app.state.token
    if authorization and authorization.lower().startswith("bearer ") and same_token(authorization[7:].strip(), token):
        return "api"
    if valid_page_token(x_page_token, token):
        return "page"
    raise ApiError(401, "unauthorized", "a valid API token is needed: send 'Authorization: Bearer <token>'",
                   headers={"WWW-Authenticate": "Bearer"})


ServiceDep = Annotated[Service, Depends(service)]
CallerDep = Annotated[str, Depends(caller)]


def queue_required(request: Request) -> None:
    if request.app.state.service.queue_path is None:
        raise ApiError(404, "no_queue", "this service has no triage queue (start it with --queue DB)")


# ------------------------------------------------------------------ checks


def _statement(draft: Draft, limits: Limits, default_id: str, field: str) -> Statement:
    """The draft as a Statement; a text over the service's size limit or an unknown forced language
    is a 422 on its field. (An empty text is no error: the checks reject it, saying why.)"""
    from statementkit.text.language import forced_language

    if len(draft.text) > limits.max_text_chars:
        raise ApiError(422, "too_long", f"text is {len(draft.text)} characters; this service checks at most "
                                        f"{limits.max_text_chars}", f"{field}text")
    lang = None
    if draft.lang:
        try:
            lang = forced_language(draft.lang)
        except InputError as e:
            raise ApiError(422, "invalid", str(e), f"{field}lang") from None
    return Statement(draft.id or default_id, draft.text, lang)


def _advice_lang(svc: Service, lang: str | None) -> str | None:
    if lang is None:
        return None
    code = lang.lower().split("-")[0]
    if code not in svc.rules.messages:
        valid = ", ".join(sorted(svc.rules.messages))
        raise ApiError(422, "invalid", f"no advice in language '{lang}' (valid: {valid})", "advice_lang")
    return code


def router() -> APIRouter:
    """The /api/v1 routes (rate-limited)."""
    api = APIRouter(prefix="/api/v1", dependencies=[Depends(rate_limited)])

    @api.post("/check", response_model=CheckResult, summary="Check one statement")
    def check(body: CheckRequest, request: Request, svc: ServiceDep) -> JSONResponse:
        """The verdict and flags `statementkit check --format json` gives for this statement (same
        rules, same model), with the advice to its author in their language."""
        statement = _statement(body, request.app.state.limits, "draft", "")
        # the record is built by to_dict (the shape check prints); the model above only documents it,
        # so FastAPI does not validate every answer again
        return JSONResponse(svc.check([statement], _advice_lang(svc, body.advice_lang))[0].to_dict())

    @api.post("/check/batch", response_model=BatchResult, summary="Check several statements")
    def check_batch(body: BatchRequest, request: Request, svc: ServiceDep) -> JSONResponse:
        """One answer per item, in order; ids default to the item's position (1, 2, ...)."""
        limits = request.app.state.limits
        if len(body.items) > limits.max_batch:
            raise ApiError(422, "too_many_items", f"{len(body.items)} items; at most {limits.max_batch} per batch",
                           "items")
        statements = [_statement(d, limits, str(n), f"items.{n - 1}.") for n, d in enumerate(body.items, 1)]
        checked = svc.check(statements, _advice_lang(svc, body.advice_lang))
        return JSONResponse({"results": [c.to_dict() for c in checked]})

    @api.get("/rules", summary="The assembly's languages, limits and criteria")
    def rules(svc: ServiceDep) -> dict[str, Any]:
        """For a platform's own UI: the languages, the character limit, and each criterion's title and
        general fix in every language the advice exists in."""
        return rules_description(svc)

    @api.post("/submissions", response_model=SubmissionOut, status_code=201,
              dependencies=[Depends(queue_required)], summary="Add a statement to the triage queue")
    def submit(body: Submission, request: Request, svc: ServiceDep, who: CallerDep) -> JSONResponse:
        """Screened by every stage the queue runs (checks, duplicates, themes) and stored as pending.
        Needs the API token (or the participant page's own token, which cannot choose ids)."""
        if who == "page" and body.id:
            raise ApiError(422, "invalid", "the page cannot choose submission ids", "id")
        statement = _statement(body, request.app.state.limits, "", "")
        if not statement.text.strip():
            raise ApiError(422, "empty", "text is empty", "text")
        try:
            sid, added = svc.submit(statement.text, statement.lang, body.id)
        except IdTaken as e:
            raise ApiError(409, "conflict", str(e), "id") from None
        except QueueConflict as e:
            raise ApiError(409, "conflict", str(e)) from None
        except QueueError as e:  # locked, another session added the id meanwhile, ...
            raise ApiError(503, "queue_unavailable", str(e)) from None
        found = svc.status(sid)
        assert found is not None  # just added
        out = {"id": sid, "status": found.status, "verdict": found.verdict, "codes": found.codes, "added": added}
        return JSONResponse(out, status_code=201 if added else 200)

    @api.get("/submissions/{sid}", response_model=StatusOut, dependencies=[Depends(queue_required)],
             summary="A submission's status and the moderator's reasons")
    def submission(sid: str, svc: ServiceDep, who: CallerDep,
                   lang: Annotated[str | None, Query(description="Language of the reasons (default: the "
                                                                 "statement's)")] = None) -> dict[str, Any]:
        """Pending, accepted, rejected (with the reason codes, their title and fix in `lang`), edited
        or merged (into which statement)."""
        if who == "page" and not sid.startswith(GENERATED_PREFIX):
            raise ApiError(404, "not_found", f"no submission '{sid}'")
        found = svc.status(sid, _advice_lang(svc, lang))
        if found is None:
            raise ApiError(404, "not_found", f"no submission '{sid}'")
        return found.to_dict()

    return api


def rules_description(svc: Service) -> dict[str, Any]:
    """The assembly as a platform's UI needs it."""
    from statementkit.checks.registry import Finding
    from statementkit.checks.render import texts

    rules = svc.rules
    languages = sorted(rules.messages)
    criteria = []
    for criterion in rules.criteria:
        if not criterion.enabled:
            continue
        words = {}
        for lang in languages:
            title, _, fix = texts(rules, lang, Finding(criterion.code, criterion.id, None))
            words[lang] = {"title": title, "fix": general_text(fix)}
        criteria.append({"id": criterion.id, "code": criterion.code, "severity": criterion.severity,
                         "text": words})
    return {"assembly": rules.name, "languages": list(rules.languages), "advice_languages": languages,
            "limits": {"max_chars": svc.limit}, "criteria": criteria}
