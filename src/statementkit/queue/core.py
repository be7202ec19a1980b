"""`Queue`: one assembly's triage database, as a Python object.

It ties the pieces together: importing runs the pipeline's available stages
(`pipeline.screen`) against the statements published so far and stores their
results; decisions, undo and claims go through `actions` and `locks`;
reading through `query`; exports through `export`.

    with Queue.create("assembly.db", published="corpus/paper-statements.jsonl") as q:
        q.add("corpus/demo-submissions.jsonl")
        q.reject(["sub-02"], codes=["jargon"], note="LoRA, zero-shot")
        q.undo()
"""

from __future__ import annotations

import getpass
import os
import secrets
import socket
import sqlite3
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import IO, Any

from statementkit.errors import QueueError
from statementkit.queue import actions, analyst, export, locks, query, store
from statementkit.queue.db import connect, transaction, translate
from statementkit.queue.items import AddReport, ClusterInfo, Item, LogEntry, Row
from statementkit.records import Screening, Statement


def default_user() -> str:
    """Who decides: $STATEMENTKIT_USER, else the login name."""
    name = os.environ.get("STATEMENTKIT_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "moderator"


class Queue:
    """A triage queue stored in one SQLite file. Every method raises QueueError, never sqlite3 errors."""

    def __init__(self, path: str | Path, *, who: str | None = None, _create: bool = False,
                 timeout: float | None = None):
        self.path = Path(path)
        self.who = who or default_user()
        self.session = f"{self.who}@{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        kwargs = {} if timeout is None else {"timeout": timeout}
        self.conn: sqlite3.Connection = connect(self.path, create=_create, **kwargs)
        self._checks_rules: Any = None  # the queue's rules for the checks, loaded at the first edit

    # ------------------------------------------------------------ lifecycle

    @classmethod
    def create(cls, path: str | Path, *, published: str | Path | Sequence[Statement] | None = None,
               rules: str | Path | None = None, name: str | None = None, who: str | None = None) -> Queue:
        """Make a new queue; `published` statements (a file or a list) are the reference for duplicates."""
        from statementkit.rules import assembly_config, resolve_rules_dir

        rules_path = resolve_rules_dir(rules)  # validate before creating the file
        assembly = name or str(assembly_config(rules).get("name", "")) or Path(path).stem
        themes = _taxonomy_themes(rules)
        q = cls(path, who=who, _create=True)
        with translate(q.path), transaction(q.conn):
            store.set_meta(q.conn, name=assembly, rules=str(rules_path.resolve()) if rules is not None else "")
            store.store_taxonomy(q.conn, themes)
        if published is not None:
            q.add(published, reference=True)
        return q

    def close(self) -> None:
        try:
            locks.release(self.conn, self.session)
        except (sqlite3.Error, QueueError):
            pass  # closing must not fail; expired claims are ignored anyway
        self.conn.close()

    def __enter__(self) -> Queue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def name(self) -> str:
        with translate(self.path):
            return store.get_meta(self.conn, "name", self.path.stem) or self.path.stem

    @property
    def rules(self) -> str | None:
        with translate(self.path):
            return store.get_meta(self.conn, "rules") or None

    def data_version(self) -> int:
        """Changes whenever another connection commits (for polling)."""
        with translate(self.path):
            return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def check(self) -> list[str]:
        """SQLite's integrity check: [] when the file is sound, else the problems found."""
        with translate(self.path):
            found = [r[0] for r in self.conn.execute("PRAGMA integrity_check")]
        return [] if found == ["ok"] else found

    # ------------------------------------------------------------ import

    def add(self, source: str | Path | Sequence[Statement], *, reference: bool = False,
            rules: str | Path | None = None, fmt: str | None = None, skip_empty: bool = False,
            embedder: Any = None, id_prefix: str = "", moderation: str | None = None,
            moderator: str = "pol.is") -> AddReport:
        """Add submissions (screened by every available stage) or, with `reference`, published statements.

        Ids already in the queue with the same text are skipped, so re-importing
        a file is harmless; the same id with different text is an error.
        `skip_empty` drops rows without text (real pol.is exports have a few).
        `embedder` replaces the registry's default model for the stages that embed.
        `id_prefix` is put before every id, so several conversations whose ids clash (pol.is numbers
        comments from 0 in each) can share one queue. `moderation="polis"` takes a pol.is export's
        `moderated` column (1 accepted, -1 rejected, 0 not yet) as the decisions of `moderator`,
        logged like any other decision (and undoable).
        """
        if moderation not in (None, "polis"):
            raise QueueError(f"unknown moderation source '{moderation}' (valid: polis)")
        from statementkit.io import read_statements

        if isinstance(source, (str, Path)):
            statements = read_statements(source, fmt, skip_empty=skip_empty)
            label = str(source)
        else:
            statements, label = list(source), None
        if id_prefix:
            from dataclasses import replace

            statements = [replace(s, id=f"{id_prefix}{s.id}") for s in statements]
        if reference:
            statements = [s for s in statements if s.meta.get("published", True) is not False]
        store.check_encodable(statements)
        rules = rules if rules is not None else self.rules
        with translate(self.path):
            new, skipped = self._new_only(statements)
        if reference:
            from statementkit.rules import expected_languages
            from statementkit.text.language import with_languages

            new, stages, rows, themes = with_languages(new, expected_languages(rules)), ["lang"], [], None
            earlier = False
        else:
            # with earlier submissions pending, clusters are made over all of them below, not this import alone
            earlier = self._earlier_pending(new)
            new, stages, rows, themes = self._screen(new, rules, embedder, themes=not earlier)
        # near-duplicate groups belong to the whole queue: every pending submission, earlier imports too
        regrouped = self._regroup(rows, rules, embedder) if "dedup" in stages else None
        kind = "reference" if reference else "submission"
        with translate(self.path), transaction(self.conn):
            clash = self._new_only(new)[1]
            if clash:
                raise QueueError(f"'{clash[0]}' was added by another session meanwhile; run the import again")
            run = store.new_run(self.conn, "reference" if reference else "import", label, self.who, len(new), stages)
            store.insert_statements(self.conn, new, kind=kind, run_id=run, who=self.who)
            self._store_rows(rows, themes, run)
            if regrouped is not None:
                store.store_duplicates(self.conn, regrouped[0])
                store.store_screening(self.conn, regrouped[1])
            if reference:
                actions.pin_themes(self.conn, self._given_themes(new), who=self.who,
                                   note=f"theme given in {label or 'the input'}")
        if moderation == "polis" and not reference:
            self._import_moderation(new, moderator)
        if new and earlier and self._can_cluster(embedder):
            # every published and pending statement clustered together, so earlier imports keep clusters
            # that exist (the analyst's decisions are carried over)
            self.recluster(rules, embedder=embedder)
            stages = [*stages, "themes"]
        return AddReport([s.id for s in new], skipped, stages, kind, run)

    def _import_moderation(self, statements: Sequence[Statement], moderator: str) -> None:
        """pol.is moderators' decisions as decisions of `moderator` in the audit log."""
        accepted = [s.id for s in statements if s.meta.get("moderated") == 1]
        rejected = [s.id for s in statements if s.meta.get("moderated") == -1]
        note = "moderated in pol.is (imported)"
        with translate(self.path):
            if accepted:
                actions.decide(self.conn, accepted, "accept", who=moderator, note=note, skip_conflicts=True)
            if rejected:
                actions.decide(self.conn, rejected, "reject", who=moderator, note=note, skip_conflicts=True,
                               reason_known=False)

    @staticmethod
    def _can_cluster(embedder: Any) -> bool:
        from statementkit.embed import installed_embedder

        return embedder is not None or installed_embedder() is not None

    def _earlier_pending(self, new: Sequence[Statement]) -> bool:
        ids = {s.id for s in new}
        with translate(self.path):
            return any(r[0] not in ids for r in self.conn.execute(
                "SELECT id FROM statements WHERE kind = 'submission' AND status = 'pending'"))

    def _regroup(self, rows: Sequence[Any], rules: str | Path | None, embedder: Any) -> tuple[list, list] | None:
        """Duplicates, groups and `duplicate` flags of every pending submission (earlier imports and
        these `rows`), as one import of all of them would give: (dedup results, screenings)."""
        from statementkit.checks import add_duplicates
        from statementkit.dedup import find_duplicates
        from statementkit.embed import installed_embedder

        new_ids = {r.statement.id for r in rows}
        with translate(self.path):
            earlier = [r for r in self.conn.execute(
                "SELECT id, text, lang, verdict FROM statements WHERE kind = 'submission' AND status = 'pending' "
                "ORDER BY seq") if r["id"] not in new_ids]
            if not earlier:
                return None
            old_flags = query.flags_of(self.conn, [r["id"] for r in earlier])
            reference = query.published(self.conn)
        statements = [Statement(r["id"], r["text"], r["lang"]) for r in earlier] + [r.statement for r in rows]
        screenings = [Screening(r["id"], r["verdict"] or "accept", old_flags[r["id"]], r["lang"], r["text"])
                      for r in earlier] + [r.screening for r in rows]
        embedder = embedder if embedder is not None else installed_embedder()
        results = find_duplicates(statements, reference, embedder=embedder, rules=rules, semantic=embedder is not None)
        without = [Screening(s.id, s.verdict, [f for f in s.flags if f.code != "duplicate"], s.lang, s.text)
                   for s in screenings]
        return results, add_duplicates(without, results, reference, rules)

    def _given_themes(self, statements: Sequence[Statement]) -> dict[str, str]:
        """Themes a published set already carries (`theme` field), when they are the taxonomy's ids."""
        valid = {t[0] for t in query.taxonomy(self.conn)} | {"none"}
        return {s.id: str(s.meta["theme"]) for s in statements
                if s.meta.get("theme") is not None and str(s.meta["theme"]) in valid}

    def add_screened(self, rows: Sequence[Any], *, clusters: Sequence[Any] = (), stages: Sequence[str] = (),
                     source: str | None = None) -> AddReport:
        """Add submissions already screened elsewhere: `pipeline.ScreenRow`s (statement + stage results).

        For results computed once and stored (e.g. `statementkit demo --format
        jsonl` in another process) or by a custom pipeline.
        """
        statements = [r.statement for r in rows]
        store.check_encodable(statements)
        with translate(self.path), transaction(self.conn):
            new, skipped = self._new_only(statements)
            keep = {s.id for s in new}
            rows = [r for r in rows if r.statement.id in keep]
            run = store.new_run(self.conn, "import", source, self.who, len(new), stages)
            store.insert_statements(self.conn, new, kind="submission", run_id=run, who=self.who)
            self._store_rows(rows, None, run, clusters)
        return AddReport([s.id for s in new], skipped, list(stages), "submission", run)

    def rescreen(self, rules: str | Path | None = None, *, embedder: Any = None) -> AddReport:
        """Run the available stages again on every pending submission, against today's published set.

        Use it after accepting statements (later duplicates now point at them) or
        after upgrading statementkit (stages that did not exist then fill in).
        """
        with translate(self.path):
            pending = [Statement(r["id"], r["text"], r["lang"], {}) for r in self.conn.execute(
                "SELECT id, text, lang FROM statements WHERE kind = 'submission' AND status = 'pending' ORDER BY seq")]
        _, stages, rows, themes = self._screen(pending, rules if rules is not None else self.rules, embedder)
        with translate(self.path), transaction(self.conn):
            current = {r[0] for r in self.conn.execute("SELECT id FROM statements WHERE status = 'pending'")}
            rows = [r for r in rows if r.statement.id in current]  # decided meanwhile: keep what they saw
            run = store.new_run(self.conn, "rescreen", None, self.who, len(rows), stages)
            self._store_rows(rows, themes, run)
        return AddReport([r.statement.id for r in rows], [], stages, "submission", run)

    def _new_only(self, statements: Sequence[Statement]) -> tuple[list[Statement], list[str]]:
        ids = [s.id for s in statements]
        if len(set(ids)) != len(ids):
            seen: set[str] = set()
            dup = next(i for i in ids if i in seen or seen.add(i))
            raise QueueError(f"id '{dup}' appears twice in the statements being added; ids must be unique")
        have: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            have.update((r[0], r[1]) for r in self.conn.execute(
                f"SELECT id, original_text FROM statements WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
        clash = [s.id for s in statements if s.id in have and have[s.id] != s.text]
        if clash:
            more = f" and {len(clash) - 1} more" if len(clash) > 1 else ""
            raise QueueError(f"id '{clash[0]}'{more} already in the queue with a different text; "
                             "give new submissions new ids (another conversation: --id-prefix NAME:)")
        return [s for s in statements if s.id not in have], [s.id for s in statements if s.id in have]

    def _screen(self, statements: list[Statement], rules: str | Path | None,
                embedder: Any = None, themes: bool = True) -> tuple[list, list[str], list, Any]:
        """Run the pipeline; returns (statements with languages, stages, rows, the themes stage's result)."""
        from statementkit.pipeline import screen

        if not statements:
            return [], [], [], None
        with translate(self.path):
            reference = query.published(self.conn)
        result = screen(statements, reference, rules, embedder=embedder, decisions=self.theme_decisions(),
                        themes=themes)
        return [row.statement for row in result.rows], list(result.stages), result.rows, result.theme_result

    def _store_rows(self, rows: Sequence[Any], themes: Any, run: int, clusters: Sequence[Any] = ()) -> None:
        """Store each stage's results; `themes` is a ThemeResult (every statement it themed, its clusters)."""
        store.set_languages(self.conn, [r.statement for r in rows])
        store.store_screening(self.conn, [r.screening for r in rows if r.screening is not None])
        store.store_duplicates(self.conn, [r.duplicates for r in rows if r.duplicates is not None])
        if themes is not None:
            self._store_themes(themes, run)
        else:
            store.store_themes(self.conn, [r.theme for r in rows if r.theme is not None])
            if clusters:
                store.leave_clusters_except(self.conn, [r.theme.id for r in rows if r.theme is not None])
                store.store_clusters(self.conn, clusters, run)

    def theme_decisions(self) -> Any:
        """The analyst's decisions as the themes stage's `ThemeDecisions`."""
        from statementkit.themes.decisions import ThemeDecisions

        return ThemeDecisions.from_records(self.theme_decision_records())

    def recluster(self, rules: str | Path | None = None, *, embedder: Any = None, progress: Any = None) -> Any:
        """Run the themes stage over the published statements and the pending submissions, with the
        analyst's decisions; store every theme, the clusters and the stage's bookkeeping.

        Returns the `ThemeResult`.
        """
        from statementkit.embed import default_embedder
        from statementkit.themes.assign import assign_themes
        from statementkit.themes.taxonomy import taxonomy_for_rules

        taxonomy = taxonomy_for_rules(rules if rules is not None else self.rules)
        with translate(self.path):
            statements = [Statement(r["id"], r["text"], r["lang"], {}) for r in self.conn.execute(
                "SELECT id, text, lang FROM statements WHERE published = 1 OR status = 'pending' ORDER BY seq")]
        if not statements:
            raise QueueError(f"{self.path}: nothing to cluster yet (no published or pending statements)")
        result = assign_themes(statements, taxonomy, embedder=embedder or default_embedder(),
                               decisions=self.theme_decisions(), progress=progress)
        with translate(self.path), transaction(self.conn):
            run = store.new_run(self.conn, "themes", None, self.who, len(statements), ["themes"])
            self._store_themes(result, run)
        return result

    def _store_themes(self, themes: Any, run: int) -> None:
        """A ThemeResult: every statement's theme, the clusters and the stage's bookkeeping (ids, splits).

        Statements the run left out (rejected or merged since) keep their theme but leave their
        cluster: the cluster table holds this run's clusters only.
        """
        store.store_themes(self.conn, themes.assignments)
        store.leave_clusters_except(self.conn, [a.id for a in themes.assignments])
        store.store_clusters(self.conn, themes.clusters, run)
        analyst.store_bookkeeping(self.conn, themes.decisions.to_records(), self.who)

    # ------------------------------------------------------------ reading

    def import_summary(self, ids: Sequence[str]) -> dict[str, Any]:
        """Verdicts, reason codes, languages, duplicates and clusters of the statements `ids`."""
        with translate(self.path):
            return query.import_summary(self.conn, ids)

    def seqs(self, flt: query.Filter | None = None) -> list[int]:
        with translate(self.path):
            return query.seqs(self.conn, flt)

    def rows(self, seqs: Sequence[int]) -> list[Row]:
        with translate(self.path):
            return query.rows(self.conn, seqs, self.who)

    def list(self, flt: query.Filter | None = None, limit: int | None = None) -> list[Row]:
        with translate(self.path):
            found = query.seqs(self.conn, flt)
            return query.rows(self.conn, found[:limit] if limit is not None else found, self.who)

    def get(self, sid: str, history: bool = True) -> Item:
        with translate(self.path):
            return query.get_item(self.conn, sid, self.who, history)

    def seq_of(self, sid: str) -> int | None:
        with translate(self.path):
            return query.seq_of(self.conn, sid)

    def published(self) -> list[Statement]:
        with translate(self.path):
            return query.published(self.conn)

    def near_duplicates_of(self, sid: str, pending_only: bool = True) -> list[str]:
        with translate(self.path):
            return query.near_duplicates_of(self.conn, sid, pending_only=pending_only)

    def stats(self) -> dict[str, Any]:
        with translate(self.path):
            return {"name": self.name, **query.stats(self.conn)}

    def counts(self) -> dict[str, int]:
        with translate(self.path):
            return query.counts(self.conn)

    def clusters(self) -> list[ClusterInfo]:
        with translate(self.path):
            return query.clusters(self.conn)

    def cluster_members(self, cluster: int | None) -> list[dict[str, Any]]:
        with translate(self.path):
            return query.cluster_members(self.conn, cluster)

    def theme_decision_records(self) -> list[dict[str, Any]]:
        """The analyst's theme decisions as `ThemeDecisions.to_records()` rows (see `queue.analyst`)."""
        with translate(self.path):
            return analyst.records(self.conn)

    def taxonomy(self) -> list[tuple[str, str, str]]:
        with translate(self.path):
            return query.taxonomy(self.conn)

    def log(self, *, target: str | None = None, who: str | None = None, since: int = 0,
            limit: int | None = None) -> list[LogEntry]:
        with translate(self.path):
            return actions.log(self.conn, target=target, who=who, since=since, limit=limit)

    def last_undoable(self) -> LogEntry | None:
        with translate(self.path):
            return actions.last_undoable(self.conn, self.who)

    # ------------------------------------------------------------ deciding

    def decide(self, ids: Sequence[str], action: str, *, codes: Sequence[str] = (), note: str | None = None,
               text: str | None = None, into: str | None = None, theme: str | None = None,
               expect: Collection[str] | None = ("pending",), skip_conflicts: bool = False
               ) -> tuple[list[LogEntry], list[actions.Skipped]]:
        """See `actions.decide`. Returns (decisions written, items skipped)."""
        themes = None
        if action == "theme" and theme is not None:
            themes = [t[0] for t in self.taxonomy()] + ["none"]
            if len(themes) == 1:
                themes = None  # a queue without a taxonomy accepts any theme id
        screening = self._screen_edit(ids, text) if action == "edit" and text and text.strip() else None
        with translate(self.path):
            return actions.decide(self.conn, ids, action, who=self.who, codes=codes,
                                  note=note, text=text, into=into, theme=theme, expect=expect,
                                  skip_conflicts=skip_conflicts, themes=themes, screening=screening)

    def _screen_edit(self, ids: Sequence[str], text: str) -> Screening:
        """The edited text checked against the criteria, as an import would check it; refused when it
        breaks a hard limit (the length), so an edit can never make a statement unpublishable."""
        text = text.strip()
        length = self._rules_for_checks().criterion("too_long")
        if length is not None and len(text) > int(length.params["max_chars"]):
            raise QueueError(f"the edited text has {len(text)} characters; the limit is "
                             f"{int(length.params['max_chars'])}: shorten it")
        sid = ids[0] if ids else ""
        with translate(self.path):
            row = self.conn.execute("SELECT lang FROM statements WHERE id = ?", (sid,)).fetchone()
        return self._check([Statement(sid, text, row[0] if row else None)])[0]

    def _rules_for_checks(self) -> Any:
        from statementkit.checks import load_rules

        if self._checks_rules is None:
            self._checks_rules = load_rules(self.rules)
        return self._checks_rules

    def _check(self, statements: Sequence[Statement]) -> list[Screening]:
        """Texts changed in the queue (an edit, an undone edit), checked as an import checks them."""
        from statementkit.checks import check
        from statementkit.embed import installed_embedder

        return check(statements, self._rules_for_checks(), embedder=installed_embedder())

    def accept(self, ids: Sequence[str], **kw: Any) -> list[LogEntry]:
        return self.decide(ids, "accept", **kw)[0]

    def reject(self, ids: Sequence[str], codes: Sequence[str], **kw: Any) -> list[LogEntry]:
        return self.decide(ids, "reject", codes=codes, **kw)[0]

    def edit(self, sid: str, text: str, **kw: Any) -> list[LogEntry]:
        return self.decide([sid], "edit", text=text, **kw)[0]

    def merge(self, ids: Sequence[str], into: str, **kw: Any) -> list[LogEntry]:
        return self.decide(ids, "merge", into=into, **kw)[0]

    def set_theme(self, ids: Sequence[str], theme: str | None, **kw: Any) -> list[LogEntry]:
        return self.decide(ids, "theme", theme=theme, **kw)[0]

    def decide_cluster(self, cluster_id: int, action: str, value: str | None, note: str | None = None
                       ) -> LogEntry | None:
        if action == "cluster_theme" and value is not None:
            valid = [t[0] for t in self.taxonomy()] + ["none"]
            if len(valid) > 1 and value not in valid:
                raise QueueError(f"unknown theme '{value}' (valid: {', '.join(valid)})")
        with translate(self.path):
            return actions.decide_cluster(self.conn, cluster_id, action, value, who=self.who, note=note)

    def split_cluster(self, cluster_id: int, ids: Sequence[str], note: str | None = None) -> LogEntry:
        """Move statements `ids` out of cluster `cluster_id` into a new one; it takes shape on the next
        themes run (`recluster`). Returns the decision; its target is the new cluster."""
        with translate(self.path):
            return actions.split_cluster(self.conn, cluster_id, ids, who=self.who, note=note)

    def undo(self, seq: int | None = None) -> list[LogEntry]:
        """Undo this moderator's latest decision (its whole batch), or decision `seq`. An undone edit
        has its restored text checked again, so flags and verdict match the text shown."""
        with translate(self.path):
            done = actions.undo(self.conn, who=self.who, seq=seq)
        edited = [d.target for d in done if "text" in d.after and d.before.get("text") != d.after.get("text")]
        if edited:
            with translate(self.path):
                restored = [Statement(r["id"], r["text"], r["lang"]) for r in self.conn.execute(
                    f"SELECT id, text, lang FROM statements WHERE id IN ({', '.join('?' * len(edited))})", edited)]
            screenings = self._check(restored)
            with translate(self.path), transaction(self.conn):
                store.store_screening(self.conn, screenings)
        return done

    # ------------------------------------------------------------ claims

    def claim(self, sid: str, ttl: float = locks.DEFAULT_TTL_S) -> str | None:
        """Claim `sid`; returns who else holds it, or None when it is ours now."""
        with translate(self.path):
            return locks.claim(self.conn, sid, self.who, self.session, ttl)

    def claim_next(self, after_seq: int = 0, candidates: Sequence[int] | None = None,
                   ttl: float = locks.DEFAULT_TTL_S) -> str | None:
        with translate(self.path):
            return locks.claim_next(self.conn, self.who, self.session, after_seq=after_seq, ttl=ttl,
                                     candidates=candidates)

    def release(self, ids: Sequence[str] | None = None) -> None:
        with translate(self.path):
            locks.release(self.conn, self.session, ids)

    def holders(self) -> dict[str, str]:
        """Items other sessions hold: id -> who."""
        with translate(self.path):
            return locks.holders(self.conn, exclude_who=self.who)

    # ------------------------------------------------------------ export

    def export(self, what: str, out: IO[str], fmt: str, *, new_only: bool = False) -> int:
        with translate(self.path):
            return export.export(self.conn, what, out, fmt, new_only=new_only)


def _taxonomy_themes(rules: str | Path | None) -> list[tuple[str, str, str]]:
    """(id, label, title) of the rules' taxonomy.toml themes (the file the themes stage uses,
    `rules.rules_file`); [] when there is none."""
    from statementkit.rules import load_toml, resolve_rules_dir, rules_file

    path = rules_file(rules, "taxonomy.toml") if rules is not None else resolve_rules_dir(None) / "taxonomy.toml"
    if path is None or not path.exists():
        return []
    themes = load_toml(path).get("themes", [])
    return [(str(t["id"]), str(t.get("label") or t.get("title") or t["id"]), str(t.get("title", "")))
            for t in themes if isinstance(t, dict) and "id" in t]
