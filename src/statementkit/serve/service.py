"""What the web service does, without the web: check drafts, add submissions, report their status.

`Service` holds what is loaded once at start and kept warm (the rules, the
embedding model) and calls the same functions as the other fronts:
`checks.check_with_advice` (the verdict `check` prints, with the advice
`selfcheck` gives) and `Queue.add` (what `queue add` runs). Drafts are checked
with the model *without* the on-disk vector cache, so a draft leaves nothing
behind; only submitted statements are stored, in the queue.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statementkit.checks import Advice, Rules, check_with_advice
from statementkit.checks.advice import advice_language
from statementkit.checks.kinds.length import count_characters
from statementkit.checks.registry import Finding
from statementkit.checks.render import texts
from statementkit.errors import QueueError
from statementkit.records import Screening, Statement

#: Who the queue's audit log names for submissions that came through the service.
SERVE_USER = "statementkit-serve"
#: Prefix of the ids the service gives submissions that come without one (the rest is random).
GENERATED_PREFIX = "web-"


class IdTaken(QueueError):
    """A submission's id is in the queue already, with another text."""


@dataclass(slots=True)
class Checked:
    """One draft's answer: the moderators' record and the advice to its author."""

    screening: Screening
    advice: Advice
    characters: int
    limit: int | None

    def to_dict(self) -> dict[str, Any]:
        advice = self.advice.to_dict()
        advice.pop("text")  # the caller has it; an answer should not echo drafts around
        return {**self.screening.to_dict(), "advice": advice,
                "characters": {"count": self.characters, "limit": self.limit}}


@dataclass(slots=True)
class SubmissionStatus:
    """Where a submission stands, with the moderator's reasons in the author's language."""

    id: str
    status: str           # pending | accepted | rejected | edited | merged
    verdict: str | None   # the screening's verdict when it came in
    codes: list[str]      # the moderator's reason codes (rejected)
    reasons: list[dict[str, str]]
    lang: str
    merged_into: str | None = None
    decided_at: str | None = None

    @property
    def published(self) -> bool:
        return self.status in ("accepted", "edited")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "published": self.published, "verdict": self.verdict,
                "codes": self.codes, "reasons": self.reasons, "lang": self.lang,
                "merged_into": self.merged_into, "decided_at": self.decided_at}


@dataclass(slots=True)
class _Ticket:
    """One request's statements waiting for a check, and its answer once checked."""

    statements: list[Statement]
    advice_lang: str | None
    result: list[Checked] | None = None
    error: BaseException | None = None
    done: bool = False


@dataclass(slots=True)
class Service:
    """The warm state of one `statementkit serve`: rules, model, queue file."""

    rules: Rules
    embedder: Any = None             # checks' model (uncached); None: lexicons only
    queue_path: Path | None = None
    queue_embedder: Any = None       # the same model behind the vector cache, for the queue's stages
    _checks: threading.Lock = field(default_factory=threading.Lock)       # one check at a time
    _waiting: list[_Ticket] = field(default_factory=list)                   # requests for the next check
    _waiting_lock: threading.Lock = field(default_factory=threading.Lock)
    _queue: threading.Lock = field(default_factory=threading.Lock)

    @property
    def limit(self) -> int | None:
        from statementkit.serve.page import char_limit

        return char_limit(self.rules)

    def check(self, statements: list[Statement], advice_lang: str | None = None) -> list[Checked]:
        """`check` and the advice for each statement, one pass of the criteria.

        Requests that arrive while a check runs are checked together in the next one: the model's
        fixed cost per call is paid once per batch, not per request, and CPU-bound checks could only
        take turns anyway. Safe because, without published statements, no criterion looks across
        statements (`checks.check_stream` relies on the same).
        """
        ticket = _Ticket(statements, advice_lang)
        with self._waiting_lock:
            self._waiting.append(ticket)
        with self._checks:
            if not ticket.done:  # no earlier batch took it: check everything waiting now
                with self._waiting_lock:
                    batch, self._waiting[:] = list(self._waiting), []
                self._run(batch)
        if ticket.error is not None:
            raise ticket.error
        assert ticket.result is not None
        return ticket.result

    def _run(self, batch: list[_Ticket]) -> None:
        statements = [s for t in batch for s in t.statements]
        langs = [t.advice_lang for t in batch for _ in t.statements]
        try:
            pairs = check_with_advice(statements, self.rules, embedder=self.embedder, advice_lang=langs)
        except BaseException as e:  # every waiting request hears of it, then the next batch runs
            for t in batch:
                t.error, t.done = e, True
            raise
        limit, at = self.limit, 0
        for t in batch:
            t.result = [Checked(screening, advice, count_characters(s.text), limit)
                        for s, (screening, advice) in zip(t.statements, pairs[at:at + len(t.statements)])]
            t.done, at = True, at + len(t.statements)

    def warm_up(self) -> None:
        """Load everything a first check would (language detector, spaCy, classifiers), so the first
        participant does not wait for it."""
        lang = self.rules.default_language  # a sentence of the assembly's own, whatever its subject
        opening = self.rules.advice_example(lang)[0].rstrip(" …")
        self.check([Statement("warm-up", f"{opening} {self.rules.scope_name(lang)}.", lang)])

    # ---------------------------------------------------------------- the queue

    def open_queue(self) -> Any:
        from statementkit.queue import Queue

        if self.queue_path is None:
            raise QueueError("this service has no queue (start it with --queue DB)")
        return Queue(self.queue_path, who=SERVE_USER)

    def submit(self, text: str, lang: str | None = None, sid: str | None = None) -> tuple[str, bool]:
        """Add a submission to the queue, screened by every stage the queue runs; (id, newly added).
        The same id with the same text again is not added twice; with another text it is a
        QueueError."""
        sid = sid or GENERATED_PREFIX + secrets.token_hex(12)
        with self._queue, self.open_queue() as q:
            if q.seq_of(sid) is not None and q.get(sid, history=False).original_text != text:
                raise IdTaken(f"id '{sid}' is already in the queue with a different text; give a new id")
            report = q.add([Statement(sid, text, lang)], embedder=self.queue_embedder)
        return sid, bool(report.added)

    def status(self, sid: str, lang: str | None = None) -> SubmissionStatus | None:
        """A submission's status; None when there is no submission with that id. A rejection's
        reason codes come with their title and fix in `lang` (default: the statement's language),
        worded for the author's own text when the checks find the same problem in it."""
        with self._queue, self.open_queue() as q:
            if q.seq_of(sid) is None:
                return None
            item = q.get(sid, history=False)
        if item.kind != "submission":
            return None
        lang = lang or advice_language(self.rules, item.statement.lang)
        reasons = self.reasons(item.original_text, item.statement.lang, item.codes, lang) if item.codes else []
        return SubmissionStatus(item.id, item.status, item.verdict, list(item.codes), reasons,
                                lang, item.merged_into, item.decided_at)

    def reasons(self, text: str, text_lang: str | None, codes: list[str], lang: str) -> list[dict[str, str]]:
        """Each reason code as the author should read it: the problem the checks find in the text
        for that code (its span's words filled in), else the code's general title and fix."""
        checked = self.check([Statement("status", text, text_lang)], advice_lang=lang)[0]
        found = {p.code: p for p in reversed(checked.advice.problems)}  # the first problem of each code
        out = []
        for code in codes:
            problem = found.get(code)
            if problem is not None:
                out.append({"code": code, "title": problem.title, "message": problem.message, "fix": problem.fix})
                continue
            title, message, fix = texts(self.rules, checked.advice.lang, Finding(code, code, None))
            out.append({"code": code, "title": title, "message": general_text(message), "fix": general_text(fix)})
        return out


def general_text(template: str) -> str:
    """A general message only when it needs no detail of a particular text ({term}, {id})."""
    return "" if "{" in template else template
