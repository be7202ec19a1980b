"""Read pol.is votes: `votes.csv`, `participants-votes.csv`, the API's JSON, a conversation folder.

A conversation's votes are kept as sparse triplets (participant row, statement
column, vote), one per participant and statement: the latest vote wins, as in
pol.is. Votes are +1 agree, -1 disagree, 0 pass; a statement a participant
never saw has no triplet at all, so "pass" and "unseen" stay distinct.

Field names accept the spellings of the common exports (`voter-id` /
`participant_id` / `pid`, `comment-id` / `statement_id` / `tid`), like
red-dwarf does. Readers raise `VotesError` naming the file, line and column.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statementkit.errors import VotesError
from statementkit.records import Moderation, Statement

if TYPE_CHECKING:
    import numpy as np
    import scipy.sparse

VOTER_FIELDS = ("voter-id", "voter_id", "participant_id", "participant-id", "participant", "pid")
STATEMENT_FIELDS = ("comment-id", "comment_id", "statement_id", "statement-id", "tid")
VOTE_FIELDS = ("vote",)
TIME_FIELDS = ("timestamp", "modified", "created")
#: Spellings in pol.is' API export (comments.json, votes.json).
API_STATEMENT_KEYS = ("statement_id", "tid")
API_PARTICIPANT_KEYS = ("participant_id", "pid")
API_MODERATION_KEYS = ("moderated", "mod")
#: Leading columns of participants-votes.csv that are not statements.
PARTICIPANT_COLUMNS = ("participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")

AGREE, DISAGREE, PASS = 1, -1, 0


@dataclass(slots=True)
class Votes:
    """Every participant's latest vote on each statement, as sparse triplets.

    `rows[i]`, `cols[i]`, `values[i]`: participant `participants[rows[i]]` voted
    `values[i]` (+1 agree, -1 disagree, 0 pass) on `statements[cols[i]]`.
    """

    participants: list[str]
    statements: list[str]
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return int(self.values.shape[0])

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.participants), len(self.statements)

    def matrix(self) -> scipy.sparse.csr_matrix:
        """Participants × statements, vote values as float (a pass is an explicit 0)."""
        import scipy.sparse

        return scipy.sparse.csr_matrix((self.values.astype(float), (self.rows, self.cols)), shape=self.shape)

    def votes_per_participant(self) -> np.ndarray:
        import numpy as np

        return np.bincount(self.rows, minlength=len(self.participants))

    def votes_per_statement(self) -> np.ndarray:
        import numpy as np

        return np.bincount(self.cols, minlength=len(self.statements))

    @classmethod
    def from_records(cls, records: Iterable[tuple[Any, Any, int]], *,
                     statements: Sequence[str] | None = None) -> Votes:
        """Build from (participant, statement, vote) in time order; the last vote per pair wins."""
        import numpy as np

        latest: dict[tuple[str, str], int] = {}
        for pid, sid, vote in records:
            if vote not in (AGREE, DISAGREE, PASS):
                raise VotesError(f"vote must be 1, -1 or 0, got {vote!r}", field="vote")
            latest[(str(pid), str(sid))] = int(vote)
        pids = ordered_ids(p for p, _ in latest)
        sids = list(statements) if statements is not None else []
        known = set(sids)
        sids += [s for s in ordered_ids(s for _, s in latest) if s not in known]
        prow = {p: i for i, p in enumerate(pids)}
        scol = {s: i for i, s in enumerate(sids)}
        rows = np.fromiter((prow[p] for p, _ in latest), dtype=np.int32, count=len(latest))
        cols = np.fromiter((scol[s] for _, s in latest), dtype=np.int32, count=len(latest))
        values = np.fromiter(latest.values(), dtype=np.int8, count=len(latest))
        return cls(pids, sids, rows, cols, values)


@dataclass(slots=True)
class VoteHistory:
    """Every vote as cast, in time order: what pol.is saw arrive, update by update.

    `rows` / `cols` index the participants and statements of the `Votes` read
    with it; `times` are milliseconds since the epoch. A changed vote appears
    twice (pol.is keeps the later one).
    """

    times: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return int(self.times.shape[0])


@dataclass(slots=True)
class Conversation:
    """A pol.is conversation: its statements, votes and pol.is' own opinion groups.

    `history` holds the votes with their times when the export has them (votes.csv,
    votes.json); `polis_math` is pol.is' own math output (`math-pca2.json`) when
    the export is from pol.is' API, kept only for comparison and for the
    option to start from pol.is' participant list and base clusters.
    """

    name: str
    statements: list[Statement]
    votes: Votes
    polis_groups: dict[str, int] = field(default_factory=dict)
    summary: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    votes_source: str = "votes.csv"
    history: VoteHistory | None = None
    polis_math: dict[str, Any] | None = None

    @property
    def moderated_out(self) -> set[str]:
        """Statements pol.is leaves out of the maths: rejected by the moderators, or marked meta."""
        return {s.id for s in self.statements
                if s.meta.get("moderated") == Moderation.REJECTED or s.meta.get("is_meta") is True}


def with_meta(conv: Conversation, ids: Iterable[str]) -> Conversation:
    """The conversation with statements `ids` marked meta, as pol.is' moderators mark questions about
    the participants themselves ("How old are you?"): pol.is leaves them out of the groups, and its
    CSV export does not say which they were. An id the conversation lacks is an error naming it."""
    from dataclasses import replace

    wanted = list(dict.fromkeys(str(i).strip() for i in ids if str(i).strip()))
    known = {s.id for s in conv.statements}
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise VotesError(f"{conv.name}: no statement {', '.join(unknown)} to mark meta "
                         f"(statement ids run {min(known, key=_id_order)}–{max(known, key=_id_order)})")
    chosen = set(wanted)
    statements = [replace(s, meta={**s.meta, "is_meta": True}) if s.id in chosen else s for s in conv.statements]
    return replace(conv, statements=statements)


#: A range longer than any conversation is a typing mistake, not a list to build.
MAX_ID_RANGE = 100_000


def parse_id_ranges(spec: str) -> list[str]:
    """"1-14,20" -> ["1", ..., "14", "20"]: statement ids as a user types them."""
    from statementkit.errors import InputError

    out: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        first, dash, last = part.partition("-")
        if dash and first.strip().isdigit() and last.strip().isdigit() and int(first) <= int(last):
            if int(last) - int(first) >= MAX_ID_RANGE:
                raise InputError(f"the id range {part} spans more than {MAX_ID_RANGE:,} statements",
                                 hint="give the ids of the statements to mark, e.g. 1-14,20")
            out += [str(i) for i in range(int(first), int(last) + 1)]
        elif part:
            out.append(part)
    return out


def _id_order(sid: str) -> tuple[int, int | str]:
    return (0, int(sid)) if sid.isdigit() else (1, sid)


def ordered_ids(ids: Iterable[str]) -> list[str]:
    """Distinct ids, numerically sorted when all are integers (pol.is ids grow with join order)."""
    seen = list(dict.fromkeys(ids))
    if all(s.lstrip("-").isdigit() for s in seen):
        return sorted(seen, key=int)
    return seen


# ---------------------------------------------------------------- readers


def read_conversation(path: str | Path) -> Conversation:
    """Read a pol.is export folder: comments.csv plus votes.csv or participants-votes.csv.

    votes.csv (every vote with its time) is preferred; without it the
    participants-votes.csv matrix is used. pol.is' `group-id` per participant
    is kept for comparison when participants-votes.csv is present.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise VotesError("not a pol.is conversation folder", folder,
                         hint="give the folder holding comments.csv and votes.csv")
    if (folder / "comments.json").exists() and not (folder / "comments.csv").exists():  # pol.is API export
        return read_api_export(folder)
    comments = folder / "comments.csv"
    if not comments.exists():
        raise VotesError("no comments.csv in the conversation folder", folder,
                         hint="a pol.is export has comments.csv, votes.csv and participants-votes.csv")
    statements = read_comments(comments)
    ids = ordered_ids(s.id for s in statements)
    order = {sid: i for i, sid in enumerate(ids)}
    statements.sort(key=lambda s: order[s.id])
    pv_path, votes_path = folder / "participants-votes.csv", folder / "votes.csv"
    groups: dict[str, int] = {}
    votes: Votes | None = None
    if pv_path.exists():
        pv_votes, groups = read_participants_votes(pv_path, statements=ids)
        votes = pv_votes
    source = "participants-votes.csv"
    history = None
    if votes_path.exists():
        votes, history = read_vote_history(votes_path, statements=ids)
        source = "votes.csv"
    if votes is None:
        raise VotesError("no votes.csv or participants-votes.csv in the conversation folder", folder,
                         hint="this export has comments only; vote shares need one of the two files")
    return Conversation(folder.name, statements, votes, groups, read_summary(folder / "summary.csv"),
                        folder, source, history)


def read_comments(path: str | Path) -> list[Statement]:
    """pol.is comments.csv as Statements, keeping comments whose text is empty.

    Unlike `io.read_statements` (which screens text and refuses empty
    statements), a vote export must keep every comment people voted on.
    """
    from statementkit.io import POLIS_INT_FIELDS, decode

    path = Path(path)
    text = decode(path.read_bytes(), path)
    reader = csv.reader(text.splitlines(keepends=True))
    header = [h.strip() for h in next(reader, [])]
    id_field = _field(header, STATEMENT_FIELDS, "comment-id", path)
    body = next((f for f in ("comment-body", "text", "txt") if f in header), None)
    out: list[Statement] = []
    seen: set[str] = set()
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        rec = dict(zip(header, row))
        sid = rec.get(id_field, "").strip()
        if not sid:
            raise VotesError("missing comment id", path, reader.line_num, id_field)
        if sid in seen:
            raise VotesError(f"duplicate comment id '{sid}'", path, reader.line_num, id_field)
        seen.add(sid)
        meta: dict[str, Any] = {}
        for k, v in rec.items():
            if k in (id_field, body):
                continue
            meta[k] = int(v) if k in POLIS_INT_FIELDS and v.strip().lstrip("-").isdigit() else v
        out.append(Statement(sid, (rec.get(body, "") if body else "").strip(), None, meta))
    return out


def read_summary(path: Path) -> dict[str, str]:
    """pol.is summary.csv (key,value rows); empty when absent."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {row[0]: row[1] for row in csv.reader(f) if len(row) >= 2}


def read_votes_csv(path: str | Path, *, statements: Sequence[str] | None = None) -> Votes:
    """pol.is votes.csv (timestamp, comment-id, voter-id, vote); the latest vote per pair wins."""
    return read_vote_history(path, statements=statements)[0]


def read_vote_history(path: str | Path, *,
                      statements: Sequence[str] | None = None) -> tuple[Votes, VoteHistory | None]:
    """votes.csv as the latest votes plus every vote with its time (None without a time column)."""
    import numpy as np
    import pandas as pd

    path = Path(path)
    header = _header(path)
    voter = _field(header, VOTER_FIELDS, "voter-id", path)
    stmt = _field(header, STATEMENT_FIELDS, "comment-id", path)
    vote = _field(header, VOTE_FIELDS, "vote", path)
    when = next((f for f in TIME_FIELDS if f in header), None)
    cols = [voter, stmt, vote] + ([when] if when else [])
    try:
        df = pd.read_csv(path, usecols=cols, dtype={voter: str, stmt: str}, encoding="utf-8-sig")
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as e:
        raise VotesError(f"cannot read votes: {e}", path) from None
    values = pd.to_numeric(df[vote], errors="coerce").to_numpy()
    bad = ~np.isin(values, (AGREE, DISAGREE, PASS))
    if bad.any():
        i = int(np.argmax(bad))
        raise VotesError(f"vote must be 1, -1 or 0, got {_shown(df[vote].iloc[i])}", path, i + 2, vote)
    missing = df[voter].isna().to_numpy() | df[stmt].isna().to_numpy()
    if missing.any():
        i = int(np.argmax(missing))
        raise VotesError("missing voter or statement id", path, i + 2)
    if statements is not None:
        unknown = ~df[stmt].isin(set(statements)).to_numpy()
        if unknown.any():
            i = int(np.argmax(unknown))
            raise VotesError(f"a vote on comment '{df[stmt].iloc[i]}', which comments.csv does not have", path,
                             i + 2, stmt, hint="export comments.csv and the votes from the same conversation")
    times = None
    if when:
        raw_times = pd.to_numeric(df[when], errors="coerce").fillna(0).to_numpy(dtype=float)
        order = np.argsort(raw_times, kind="stable")
        df, values, times = df.iloc[order], values[order], raw_times[order]
    return vote_tables(df[voter].to_numpy(), df[stmt].to_numpy(), values, statements, times)


def read_participants_votes(path: str | Path, *,
                            statements: Sequence[str] | None = None) -> tuple[Votes, dict[str, int]]:
    """pol.is participants-votes.csv: one row per participant, one column per statement.

    Returns the votes and pol.is' `group-id` per participant (participants
    pol.is did not cluster have none).
    """
    import numpy as np
    import pandas as pd

    path = Path(path)
    header = _header(path)
    pid = _field(header, ("participant",), "participant", path)
    stmt_cols = [h for h in header if h not in PARTICIPANT_COLUMNS]
    try:
        df = pd.read_csv(path, dtype={pid: str}, encoding="utf-8-sig")
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as e:
        raise VotesError(f"cannot read participants' votes: {e}", path) from None
    mat = df[stmt_cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    seen = ~np.isnan(mat)
    bad = seen & ~np.isin(np.nan_to_num(mat), (AGREE, DISAGREE, PASS))
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise VotesError(f"vote must be 1, -1 or 0, got {_shown(mat[r, c])}", path, int(r) + 2, stmt_cols[c])
    if statements is not None:
        known = set(statements)
        unknown = [c for c, col in enumerate(stmt_cols) if col not in known and seen[:, c].any()]
        if unknown:
            raise VotesError(f"votes on comment '{stmt_cols[unknown[0]]}', which comments.csv does not have", path,
                             1, stmt_cols[unknown[0]],
                             hint="export comments.csv and the votes from the same conversation")
    r, c = np.nonzero(seen)
    votes, _ = vote_tables(df[pid].to_numpy()[r], np.asarray(stmt_cols, dtype=object)[c],
                           mat[r, c].astype(np.int8), statements)
    groups: dict[str, int] = {}
    if "group-id" in df.columns:
        g = pd.to_numeric(df["group-id"], errors="coerce")
        groups = {p: int(x) for p, x in zip(df[pid], g) if x == x}
    return votes, groups


def vote_tables(voters: np.ndarray, stmts: np.ndarray, values: np.ndarray, statements: Sequence[str] | None,
                times: np.ndarray | None = None) -> tuple[Votes, VoteHistory | None]:
    """Triplets from time-ordered columns, keeping the last vote per (voter, statement).

    With `times` (one per vote, ascending, in ms or s), also every vote as cast.
    """
    import numpy as np
    import pandas as pd

    p_codes, p_uniques = pd.factorize(voters)
    pids = ordered_ids(str(p) for p in p_uniques)
    p_remap = np.empty(len(p_uniques), dtype=np.int32)
    index = {p: i for i, p in enumerate(pids)}
    for j, p in enumerate(p_uniques):
        p_remap[j] = index[str(p)]
    s_codes, s_uniques = pd.factorize(stmts)
    sids = list(statements) if statements is not None else ordered_ids(str(s) for s in s_uniques)
    known = set(sids)
    sids += [s for s in ordered_ids(str(s) for s in s_uniques) if s not in known]
    scol = {s: i for i, s in enumerate(sids)}
    s_remap = np.fromiter((scol[str(s)] for s in s_uniques), dtype=np.int32, count=len(s_uniques))
    rows, cols = p_remap[p_codes], s_remap[s_codes]
    key = rows.astype(np.int64) * max(len(sids), 1) + cols
    # keep the last occurrence of each key: unique over the reversed arrays
    _, first_rev = np.unique(key[::-1], return_index=True)
    keep = np.sort(len(key) - 1 - first_rev)
    values = np.asarray(values, dtype=np.int8)
    votes = Votes(pids, sids, rows[keep], cols[keep], values[keep])
    if times is None:
        return votes, None
    times = np.asarray(times, dtype=float)
    if len(times) and times.max() < 1e11:  # seconds, not milliseconds
        times = times * 1000.0
    return votes, VoteHistory(times, rows.astype(np.int32), cols.astype(np.int32), values)


# ---------------------------------------------------------------- pol.is API export

def read_api_export(folder: str | Path) -> Conversation:
    """comments.json + votes.json (+ math-pca2.json, conversation.json when present) as a Conversation."""
    import numpy as np

    folder = Path(folder)
    statements = read_api_comments(folder / "comments.json")
    ids = ordered_ids(s.id for s in statements)
    order = {sid: i for i, sid in enumerate(ids)}
    statements.sort(key=lambda s: order[s.id])
    path = folder / "votes.json"
    records = _load(path)
    known = set(ids)
    voters, stmts, values, times = [], [], [], []
    for i, rec in enumerate(records):
        pid, sid = _get(rec, API_PARTICIPANT_KEYS), _get(rec, API_STATEMENT_KEYS)
        if pid is None or sid is None:
            raise VotesError("a vote without participant or statement id", path, i + 1)
        if str(sid) not in known:
            raise VotesError(f"a vote on statement '{sid}', which comments.json does not have", path, i + 1,
                             hint="export comments.json and votes.json from the same conversation")
        vote = rec.get("vote")
        if vote not in (AGREE, DISAGREE, PASS):
            raise VotesError(f"vote must be 1, -1 or 0, got {vote!r}", path, i + 1, "vote")
        voters.append(str(pid))
        stmts.append(str(sid))
        values.append(int(vote))
        times.append(float(rec.get("modified") or rec.get("created") or 0))
    t = np.asarray(times, dtype=float)
    by_time = np.argsort(t, kind="stable")
    votes, history = vote_tables(np.asarray(voters, dtype=object)[by_time], np.asarray(stmts, dtype=object)[by_time],
                                 np.asarray(values, dtype=np.int8)[by_time], ids, t[by_time])
    math = _load(folder / "math-pca2.json") if (folder / "math-pca2.json").exists() else None
    summary = {}
    if (folder / "conversation.json").exists():
        info = _load(folder / "conversation.json")
        summary = {k: str(info[k]) for k in ("topic", "description", "strict_moderation") if info.get(k) is not None}
    return Conversation(folder.name, statements, votes, polis_groups_from_math(math) if math else {}, summary,
                        folder, "votes.json", history, math)


def read_api_comments(path: Path) -> list[Statement]:
    """comments.json as Statements; meta keeps `moderated` (-1/0/1), `is_meta`, `created` and the counts."""
    out: list[Statement] = []
    seen: set[str] = set()
    for i, rec in enumerate(_load(path)):
        sid = _get(rec, API_STATEMENT_KEYS)
        if sid is None:
            raise VotesError("a comment without statement id", path, i + 1)
        sid = str(sid)
        if sid in seen:
            raise VotesError(f"duplicate statement id '{sid}'", path, i + 1)
        seen.add(sid)
        mod = _get(rec, API_MODERATION_KEYS)
        meta: dict[str, Any] = {"moderated": int(mod) if mod is not None else 0, "is_meta": bool(rec.get("is_meta")),
                                "created": rec.get("created"), "author-id": _get(rec, API_PARTICIPANT_KEYS)}
        for key in ("agree_count", "disagree_count", "pass_count", "is_seed"):
            if key in rec:
                meta[key] = rec[key]
        out.append(Statement(sid, str(rec.get("txt") or "").strip(), rec.get("lang"), meta))
    return out


def polis_groups_from_math(math: dict[str, Any]) -> dict[str, int]:
    """pol.is' group per participant: its group clusters hold base-cluster ids, base clusters hold participants."""
    base = math.get("base-clusters") or {}
    members = dict(zip(base.get("id", []), base.get("members", [])))
    out: dict[str, int] = {}
    for group in math.get("group-clusters") or []:
        for bid in group["members"]:
            for pid in members.get(bid, []):
                out[str(pid)] = int(group["id"])
    return out


def _get(rec: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((rec[k] for k in keys if rec.get(k) is not None), None)


def _load(path: Path) -> Any:
    if not path.exists():
        raise VotesError("no such file", path)
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise VotesError(f"not valid JSON: {e}", path) from None


def _shown(value: Any) -> str:
    """A vote value as the file wrote it: 5, 2.5, 'yes' (not numpy's np.int64(5))."""
    if isinstance(value, str):
        return repr(value)
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _header(path: Path) -> list[str]:
    if not path.exists():
        raise VotesError("no such file", path)
    with path.open(encoding="utf-8-sig", newline="") as f:
        try:
            return [h.strip() for h in next(csv.reader(f))]
        except StopIteration:
            raise VotesError("empty file (expected a header row)", path, 1) from None
        except UnicodeDecodeError:
            raise VotesError("not valid UTF-8", path, 1) from None


def _field(header: Sequence[str], names: Sequence[str], role: str, path: Path) -> str:
    for name in names:
        if name in header:
            return name
    raise VotesError(f"missing column '{role}'", path, 1,
                     hint=f"found columns: {', '.join(header[:12]) or 'none'}; accepted names: {', '.join(names)}")
