"""The assembly report: what goes in it (`ReportData`) and where it comes from.

`build_report_data(sources)` assembles one `ReportData` from whichever
sources are given, each read by one small loader:

- a pol.is export folder → statements, moderators' decisions, raw votes,
  vote analysis with opinion groups (`from_polis`);
- a statements file (JSONL/CSV), e.g. the paper's quoted statements → texts,
  themes, published or not, quoted vote percentages and the source's own
  categories (`from_statements_file`);
- a triage-queue database (`.db`/`.sqlite`) → statements, decisions with
  reason codes, theme assignments (`from_queue`).

Parts are merged (later sources add to earlier ones), so
`statementkit report conv/ corpus/paper-statements.jsonl` works too.
`statementkit.report.html.render_report` turns the data into one HTML file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statementkit.errors import InputError
from statementkit.records import Moderation, Statement
from statementkit.votes.analysis import (
    CATEGORIES,
    TOO_FEW,
    StatementVotes,
    VoteAnalysis,
    VoteRules,
    from_percentages,
    load_vote_rules,
)

Progress = Callable[[str], None]
DB_SUFFIXES = (".db", ".sqlite", ".sqlite3")
#: Decisions in the moderation log.
ACCEPTED, REJECTED, PENDING = "accepted", "rejected", "pending"
NOT_RECORDED = "not recorded"


@dataclass(slots=True)
class ModerationDecision:
    """One moderation decision on a submitted statement."""

    id: str
    decision: str                       # accepted | rejected | pending
    reasons: list[str] = field(default_factory=list)
    at: str | None = None               # when (ISO time or the source's timestamp)
    by: str | None = None               # who decided, when known


@dataclass(slots=True)
class ReportData:
    """Everything the report shows; every field may be empty when no source has it."""

    title: str = "Assembly report"
    sources: list[str] = field(default_factory=list)
    statements: dict[str, Statement] = field(default_factory=dict)
    votes: dict[str, StatementVotes] = field(default_factory=dict)
    analysis: VoteAnalysis | None = None
    themes: dict[str, str] = field(default_factory=dict)          # statement id → theme id
    theme_titles: dict[str, str] = field(default_factory=dict)    # theme id → title
    theme_labels: dict[str, str] = field(default_factory=dict)    # theme id → short label (charts)
    decisions: dict[str, ModerationDecision] = field(default_factory=dict)
    source_categories: dict[str, str | None] = field(default_factory=dict)  # e.g. the paper's own
    polis_groups: dict[str, int] = field(default_factory=dict)
    n_participants: int | None = None
    n_votes: int | None = None
    description: str | None = None
    attributions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rules: VoteRules | None = None

    # -------------------------------------------------------- derived views

    def category_counts(self) -> Counter[str]:
        return Counter(v.category or "none" for v in self.votes.values())

    def by_category(self, category: str) -> list[StatementVotes]:
        """Statements of a category, most telling first: by the lower end of the share's interval
        when counts are known (so 12 of 12 does not outrank 330 of 340), else by the share."""
        rows = [v for v in self.votes.values() if v.category == category]

        def low(ci: tuple[float, float] | None, share: float) -> float:
            return ci[0] if ci else share

        key: dict[str, Callable[[StatementVotes], float]] = {
            "consensus": lambda v: -low(v.agree_ci, v.agree_share),
            "rejection": lambda v: -low(v.disagree_ci, v.disagree_share),
            "friction": lambda v: -(v.group_gap or 0), "uncertainty": lambda v: -low(v.pass_ci, v.pass_share),
            "divided": lambda v: -min(v.agree_share, v.disagree_share), TOO_FEW: lambda v: -(v.n or 0),
        }
        return sorted(rows, key=key.get(category, lambda v: 0.0))

    def decision_counts(self) -> Counter[str]:
        return Counter(d.decision for d in self.decisions.values())

    def reason_counts(self) -> Counter[str]:
        """Rejections by reason code (`not recorded` when the source has none)."""
        out: Counter[str] = Counter()
        for d in self.decisions.values():
            if d.decision == REJECTED:
                out.update(d.reasons or [NOT_RECORDED])
        return out

    def is_public(self, sid: str) -> bool:
        """Whether the moderators made the statement public: accepted, or no decision known (a
        published set). Pending and rejected statements appear only in the moderation section."""
        decision = self.decisions.get(sid)
        return decision is None or decision.decision == ACCEPTED

    @property
    def cluster_themes(self) -> set[str]:
        """Theme ids that stand for clusters of a run without a taxonomy (`cluster_key`)."""
        return {t for t in self.themes.values() if re.fullmatch(r"C\d+", t)}

    def theme_members(self) -> dict[str, list[str]]:
        """Theme id → the public statement ids, in theme order."""
        out: dict[str, list[str]] = {t: [] for t in self.theme_titles}
        for sid, theme in self.themes.items():
            if self.is_public(sid):
                out.setdefault(theme, []).append(sid)
        return {t: ids for t, ids in out.items() if ids}

    def source_agreement(self) -> dict[str, Any] | None:
        """How often the computed category equals the source's (the paper's), where both exist.

        Shares alone cannot show friction between groups; `divided` is its
        stand-in then, so a source's `friction` counts as matched by `divided`
        when no group votes exist.
        """
        rows = []
        for sid, theirs in self.source_categories.items():
            v = self.votes.get(sid)
            if v is None:
                continue
            ours = v.category
            match = ours == theirs or (theirs == "friction" and ours == "divided" and not v.groups)
            rows.append({"id": sid, "source": theirs, "computed": ours, "match": match})
        if not rows:
            return None
        return {"n": len(rows), "matches": sum(r["match"] for r in rows),
                "agreement": sum(r["match"] for r in rows) / len(rows), "rows": rows}


# ---------------------------------------------------------------- loaders


def from_polis(path: str | Path, rules: VoteRules, progress: Progress | None = None, *,
               meta: Sequence[str] = ()) -> ReportData:
    """A pol.is export folder: comments, moderators' decisions, votes, groups. `meta`: statements
    pol.is' moderators marked meta, which its CSV export cannot say (`votes.conversation.with_meta`)."""
    from statementkit.votes.analysis import analyse_conversation
    from statementkit.votes.conversation import read_conversation, with_meta

    say = progress or (lambda _msg: None)
    say(f"reading {Path(path).name}")
    conv = read_conversation(path)
    if meta:
        conv = with_meta(conv, meta)
    analysis = analyse_conversation(conv, rules, progress=progress)
    data = ReportData(title=conv.summary.get("topic") or conv.name, sources=[str(path)], rules=rules)
    data.statements = {s.id: s for s in conv.statements}
    data.analysis = analysis
    data.votes = {v.id: v for v in analysis.statements if v.id in data.statements or v.n}
    data.polis_groups = conv.polis_groups
    data.n_participants, data.n_votes = analysis.n_participants, analysis.n_votes
    data.description = conv.summary.get("conversation-description") or None
    names = {Moderation.ACCEPTED: ACCEPTED, Moderation.REJECTED: REJECTED, Moderation.UNMODERATED: PENDING}
    for s in conv.statements:
        decision = names.get(s.meta.get("moderated"), PENDING)  # type: ignore[call-overload]
        data.decisions[s.id] = ModerationDecision(s.id, decision, at=_polis_time(s.meta))
    data.attributions.append("Data was gathered using the Polis software (compdemocracy.org/polis) and is "
                             "sub-licensed under CC BY 4.0 with Attribution to The Computational Democracy "
                             f"Project ({conv.summary.get('url', conv.name)}).")
    data.notes.append("pol.is exports record whether moderators accepted or rejected a comment, not why: "
                      f"reason codes show as '{NOT_RECORDED}'.")
    return data


def from_statements_file(path: str | Path, rules: VoteRules, progress: Progress | None = None) -> ReportData:
    """A statements file; uses the fields it has (theme, published, agree/disagree/pass, category, codes)."""
    from statementkit.io import format_from_name, read_statements

    if format_from_name(Path(path)) is None:
        raise InputError("not a statements file, a pol.is export folder or a queue database", path,
                         hint="statements files end in .jsonl, .json, .csv, .tsv or .txt")
    (progress or (lambda _msg: None))(f"reading {Path(path).name}")
    statements = read_statements(path)
    data = ReportData(title=Path(path).stem, sources=[str(path)], rules=rules)
    data.statements = {s.id: s for s in statements}
    data.votes = {v.id: v for v in from_percentages(statements, rules)}
    for s in statements:
        if s.meta.get("theme") not in (None, ""):
            data.themes[s.id] = str(s.meta["theme"])
        if "category" in s.meta:
            data.source_categories[s.id] = s.meta["category"]
        decision = _decision_from_meta(s)
        if decision:
            data.decisions[s.id] = decision
    data.source_categories = {k: v for k, v in data.source_categories.items() if k in data.votes}
    if data.votes:
        data.notes.append(f"{len(data.votes)} statements have vote percentages (no raw votes): shares are "
                          "classified, but there are no counts, intervals or opinion groups.")
    return data


def _polis_time(meta: dict[str, Any]) -> str | None:
    """When a pol.is comment was written, readable: from its `timestamp` (milliseconds since 1970,
    UTC), not the export's `datetime` text in the server's time zone ("Tue Aug 30 17:21:58 WIB 2016")."""
    import datetime as dt

    stamp = meta.get("timestamp")
    if isinstance(stamp, (int, float)) and stamp > 0:
        return dt.datetime.fromtimestamp(stamp / 1000, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return str(meta.get("datetime") or "") or None


def _decision_from_meta(s: Statement) -> ModerationDecision | None:
    m = s.meta
    codes = m.get("codes") or m.get("reasons") or []
    if isinstance(codes, str):
        codes = [c.strip() for c in codes.split(",") if c.strip()]
    if "decision" in m:
        return ModerationDecision(s.id, str(m["decision"]), list(codes), m.get("decided_at"), m.get("decided_by"))
    if "published" in m:
        return ModerationDecision(s.id, ACCEPTED if m["published"] else REJECTED, list(codes))
    if "moderated" in m:
        names = {1: ACCEPTED, -1: REJECTED, 0: PENDING}
        return ModerationDecision(s.id, names.get(m["moderated"], PENDING), list(codes))
    return None


def from_queue(path: str | Path, rules: VoteRules, progress: Progress | None = None) -> ReportData:
    """A triage-queue database: statements, decisions with reason codes and who/when, theme assignments.

    Accepted and edited submissions count as accepted; merged ones as rejected
    with the reason `duplicate` unless the moderator gave codes. Published
    reference statements are listed (for their themes) but were not decided here.
    """
    from statementkit.queue import Filter, Queue

    (progress or (lambda _msg: None))(f"reading {Path(path).name}")
    data = ReportData(sources=[str(path)], rules=rules)
    with Queue(path) as q:
        data.title = q.name
        rows = q.list(Filter(kind="all"))
        published_meta = {s.id: s.meta for s in q.published()}  # e.g. the paper's vote percentages
        last: dict[str, Any] = {}
        for d in q.log():
            if d.undone_by is None and d.undoes is None and d.action in ("accept", "reject", "edit", "merge"):
                last[d.target] = d
        for tid, label, title in q.taxonomy():
            data.theme_titles[tid], data.theme_labels[tid] = title or label or tid, label or title or tid
        cluster_of: dict[str, str] = {}
        if not q.taxonomy():
            for c in q.clusters():
                key = cluster_key(c.id)
                data.theme_titles[key] = data.theme_labels[key] = cluster_title(c.id, c.label)
                cluster_of.update((m["id"], key) for m in q.cluster_members(c.id))
    for row in rows:
        meta = {**published_meta.get(row.id, {}), "kind": row.kind, "status": row.status}
        data.statements[row.id] = Statement(row.id, row.text, row.lang, meta)
        if "category" in meta:
            data.source_categories[row.id] = meta["category"]
        if row.theme:
            data.themes[row.id] = row.theme
        elif row.id in cluster_of:  # no taxonomy: the analyst's clusters stand in for themes
            data.themes[row.id] = cluster_of[row.id]
        if row.kind != "submission":
            continue
        decision = {"accepted": ACCEPTED, "edited": ACCEPTED, "rejected": REJECTED, "merged": REJECTED}.get(
            row.status, PENDING)
        reasons = list(row.codes) or (["duplicate"] if row.status == "merged" else [])
        d = last.get(row.id)
        data.decisions[row.id] = ModerationDecision(row.id, decision, reasons, d.at if d else None, d.who if d else None)
    # published statements imported with vote percentages (e.g. the paper corpus) keep them
    data.votes = {v.id: v for v in from_percentages(list(data.statements.values()), rules)}
    data.source_categories = {k: v for k, v in data.source_categories.items() if k in data.votes}
    return data


def load_taxonomy_names(rules_dir: str | Path | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """(theme id → title, theme id → short label) from the rules' taxonomy.toml (empty without one)."""
    from statementkit.rules import load_toml, resolve_rules_dir, rules_file

    path = rules_file(rules_dir, "taxonomy.toml") if rules_dir is not None else \
        resolve_rules_dir(None) / "taxonomy.toml"
    if path is None or not path.exists():
        return {}, {}
    themes = [t for t in load_toml(path).get("themes", []) if isinstance(t, dict) and "id" in t]
    titles = {str(t["id"]): str(t.get("title") or t.get("label") or t["id"]) for t in themes}
    labels = {str(t["id"]): str(t.get("label") or t.get("title") or t["id"]) for t in themes}
    return titles, labels


def source_kind(path: str | Path) -> str:
    """'polis' | 'queue' | 'themes' | 'statements' for a report source, or an InputError saying what is
    accepted. 'themes' is the output of `statementkit themes FILE --format jsonl` (records with a
    theme and a cluster but no text), which adds themes to the statements of another source."""
    p = Path(path)
    if p.is_dir():
        if (p / "comments.csv").exists() or (p / "comments.json").exists():
            return "polis"
        raise InputError("folder without comments.csv or comments.json", p,
                         hint="give a pol.is export folder (CSV export, or the API's JSON)")
    if not p.exists():
        raise InputError("no such file or folder", p)
    if p.suffix.lower() in DB_SUFFIXES:
        return "queue"
    if p.suffix.lower() in (".jsonl", ".ndjson") and _is_themes_output(p):
        return "themes"
    return "statements"


def _is_themes_output(path: Path) -> bool:
    from statementkit.io import read_records

    try:
        _, record = next(read_records(path), (0, None))
    except InputError:
        return False  # not JSON Lines: read as statements, which says what is wrong
    return record is not None and "theme" in record and "cluster" in record and "text" not in record


def from_themes_output(path: str | Path, rules: VoteRules, progress: Progress | None = None) -> ReportData:
    """Themes from `statementkit themes FILE --format jsonl`, for the statements another source gives."""
    from statementkit.io import read_records

    data = ReportData(title=Path(path).stem, sources=[str(path)], rules=rules)
    for n, record in read_records(path):
        if "id" not in record:
            raise InputError("expected a themes record with an id", path, n, "id")
        if record.get("theme") not in (None, ""):
            data.themes[str(record["id"])] = str(record["theme"])
        elif isinstance(record.get("cluster"), int):  # no taxonomy: clusters with their labels
            key = cluster_key(record["cluster"])
            data.themes[str(record["id"])] = key
            data.theme_titles[key] = data.theme_labels[key] = cluster_title(record["cluster"],
                                                                            record.get("cluster_label"))
    return data


def cluster_key(cluster: int) -> str:
    """The report's theme id for a cluster of a run without a taxonomy (reads "C3. label")."""
    return f"C{cluster}"


def cluster_title(cluster: int, label: str | None) -> str:
    return label or f"cluster {cluster}"


LOADERS = {"polis": from_polis, "statements": from_statements_file, "queue": from_queue, "themes": from_themes_output}


def build_report_data(sources: Sequence[str | Path], rules: str | Path | None = None, *,
                      title: str | None = None, progress: Progress | None = None,
                      meta: Sequence[str] = ()) -> ReportData:
    """One ReportData from every source, in order (later sources add to and override earlier ones).
    `meta`: statement ids marked meta in every pol.is export among the sources."""
    if not sources:
        raise InputError("no sources given", hint="give a pol.is export folder, a statements file or a queue database")
    vote_rules = load_vote_rules(rules)
    kinds = [source_kind(s) for s in sources]
    if meta and "polis" not in kinds:
        raise InputError("meta statements are marked in a pol.is export, and none is among the sources")
    parts = [from_polis(s, vote_rules, progress, meta=meta) if kind == "polis"
             else LOADERS[kind](s, vote_rules, progress) for s, kind in zip(sources, kinds)]
    data = merge(parts)
    data.themes = {sid: t for sid, t in data.themes.items() if sid in data.statements} if data.statements else data.themes
    if not data.statements and not data.votes:
        raise InputError(f"nothing to report: no statements in {', '.join(map(str, sources))}")
    if data.themes and set(data.themes.values()) - set(data.cluster_themes):
        titles, labels = load_taxonomy_names(rules)
        data.theme_titles = {**titles, **data.theme_titles}
        data.theme_labels = {**labels, **data.theme_labels}
    for tid in set(data.themes.values()) - set(data.theme_titles):
        data.theme_titles[tid] = data.theme_labels[tid] = "No theme" if tid == "none" else f"Theme {tid}"
    if title:
        data.title = title
    elif data.analysis is None:  # files only: name the assembly the rules describe
        from statementkit.rules import assembly_config

        data.title = str(assembly_config(rules).get("name") or data.title)
    return data


def merge(parts: Sequence[ReportData]) -> ReportData:
    """Combine loader results; dict fields are updated in order, lists concatenated."""
    out = ReportData(title=parts[0].title if parts else "Assembly report", rules=parts[0].rules if parts else None)
    for p in parts:
        out.sources += p.sources
        out.statements.update(p.statements)
        out.themes.update(p.themes)
        out.theme_titles.update(p.theme_titles)
        out.theme_labels.update(p.theme_labels)
        out.decisions.update(p.decisions)
        out.source_categories.update(p.source_categories)
        out.polis_groups.update(p.polis_groups)
        out.attributions += p.attributions
        out.notes += p.notes
        out.description = out.description or p.description
        for sid, v in p.votes.items():
            # raw votes beat quoted percentages
            if sid not in out.votes or out.votes[sid].source == "percentages":
                out.votes[sid] = v
        if p.analysis is not None:
            out.analysis = out.analysis or p.analysis
            out.n_participants = (out.n_participants or 0) + (p.n_participants or 0)
            out.n_votes = (out.n_votes or 0) + (p.n_votes or 0)
    if len(parts) > 1 and parts[0].analysis is None and any(p.analysis for p in parts):
        out.title = next(p.title for p in parts if p.analysis)
    return out


__all__ = ["ACCEPTED", "CATEGORIES", "PENDING", "REJECTED", "ModerationDecision", "ReportData", "build_report_data",
           "from_polis", "from_queue", "from_statements_file", "merge"]
