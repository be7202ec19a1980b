"""The analyst's theme decisions: plain records that survive reruns.

An analyst pins a statement or a whole cluster to a theme, renames a
cluster's label, merges two clusters, splits statements out of one, and every
statement whose theme they confirm becomes an example the model learns from.
`ThemeDecisions` holds all of it as plain data with no storage attached:
`save`/`load` write a JSON file next to the input (`FILE.themes.json`), and
`to_records`/`from_records` give flat rows (kind, key, value, ...) that the
triage queue stores in its own database.

Cluster ids stay stable across reruns: the file also keeps the membership of
the model's clusters from the last run (`clusters`), and a new run gives each
of its clusters the id of the stored cluster it overlaps most (measured over
the statements present in both runs), so an edit to "cluster 4" still means
the same group after statements are added.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statementkit.errors import ClusterEditError, InputError
from statementkit.themes.taxonomy import ThemeExample

FORMAT_VERSION = 1
SUFFIX = ".themes.json"
#: Share of common statements two clusters must share to keep the same id.
MATCH_OVERLAP = 0.5


@dataclass(slots=True)
class Split:
    """Statements the analyst moved out of `cluster` into the new cluster `into`."""

    cluster: int
    ids: list[str]
    into: int


@dataclass(slots=True)
class ThemeDecisions:
    statement_themes: dict[str, str] = field(default_factory=dict)  # statement id -> theme id or "none"
    cluster_themes: dict[int, str] = field(default_factory=dict)    # cluster id -> theme id or "none"
    cluster_labels: dict[int, str] = field(default_factory=dict)    # cluster id -> analyst's label
    merges: dict[int, int] = field(default_factory=dict)            # cluster id -> cluster it joins
    splits: list[Split] = field(default_factory=list)
    examples: list[ThemeExample] = field(default_factory=list)           # confirmed statements that teach the model
    clusters: dict[int, list[str]] = field(default_factory=dict)    # last run's model clusters (stable ids)
    next_cluster: int = 0                                           # ids are never reused

    # ------------------------------------------------------------ edits

    def pin_statement(self, statement_id: str, theme: str, text: str | None = None,
                      lang: str | None = None) -> None:
        """Fix a statement's theme; with its text it also becomes an example for the model."""
        self.statement_themes[str(statement_id)] = str(theme)
        if text:
            self.confirm(text, theme, lang, statement_id)

    def unpin_statement(self, statement_id: str) -> None:
        self.statement_themes.pop(str(statement_id), None)
        self.examples = [e for e in self.examples if e.id != str(statement_id)]

    def confirm(self, text: str, theme: str, lang: str | None = None, statement_id: str | None = None) -> None:
        """Add (or replace, by statement id or text) a confirmed example."""
        sid = None if statement_id is None else str(statement_id)
        self.examples = [e for e in self.examples if not ((sid is not None and e.id == sid) or e.text == text)]
        self.examples.append(ThemeExample(text, str(theme), lang, "analyst", sid))

    def known_clusters(self) -> set[int]:
        """Clusters an edit may name: the last run's, and those merges and splits created."""
        return set(self.clusters) | {s.into for s in self.splits} | set(self.merges.values())

    def check_cluster(self, cluster: int) -> int:
        """`cluster` as an int, or ClusterEditError naming the clusters there are."""
        cluster = int(cluster)
        known = self.known_clusters()
        if cluster not in known:
            hint = f"known clusters: {', '.join(map(str, sorted(known)))}" if known else \
                "run the themes stage first so the clusters are known"
            raise ClusterEditError(f"no cluster {cluster}", hint=hint)
        return cluster

    def pin_cluster(self, cluster: int, theme: str) -> None:
        self.cluster_themes[self.check_cluster(cluster)] = str(theme)

    def unpin_cluster(self, cluster: int) -> None:
        self.cluster_themes.pop(int(cluster), None)

    def rename(self, cluster: int, label: str) -> None:
        self.cluster_labels[self.check_cluster(cluster)] = label

    def merge(self, cluster: int, into: int) -> None:
        """Merge `cluster` into `into` (its statements, and edits made to it, follow)."""
        cluster, into = self.check_cluster(cluster), self.check_cluster(into)
        if cluster == into:
            raise ClusterEditError("cannot merge a cluster into itself")
        if self.resolve(into) == cluster:
            raise ClusterEditError(f"cluster {into} is already merged into {cluster}")
        self.merges[cluster] = into

    def split(self, cluster: int, ids: Iterable[str]) -> int:
        """Move `ids` out of `cluster` into a new cluster; returns the new cluster's id."""
        cluster, ids = self.check_cluster(cluster), [str(i) for i in ids]
        members = set(self.clusters.get(cluster, []))
        unknown = [i for i in ids if members and i not in members]
        if unknown:
            raise ClusterEditError(f"not in cluster {cluster}: {', '.join(unknown)}")
        new = self.allocate()
        self.splits.append(Split(cluster, ids, new))
        return new

    def allocate(self) -> int:
        used = set(self.clusters) | set(self.cluster_themes) | set(self.cluster_labels) | set(self.merges) \
            | set(self.merges.values()) | {s.into for s in self.splits}
        new = max(self.next_cluster, max(used, default=-1) + 1)
        self.next_cluster = new + 1
        return new

    def resolve(self, cluster: int) -> int:
        """The cluster `cluster` ends up in after following merges."""
        seen = set()
        while cluster in self.merges and cluster not in seen:
            seen.add(cluster)
            cluster = self.merges[cluster]
        return cluster

    @property
    def is_empty(self) -> bool:
        return not (self.statement_themes or self.cluster_themes or self.cluster_labels or self.merges
                    or self.splits or self.examples)

    # ------------------------------------------------------------ stable ids

    def stable_ids(self, members: Mapping[int, Iterable[str]]) -> dict[int, int]:
        """Map this run's cluster numbers to stable ids, then remember the new membership.

        Statements the analyst split out of a cluster do not count in the overlap: an id (and the
        analyst's decisions on it) follows the statements the analyst saw in that cluster.
        """
        new = {c: set(map(str, ids)) for c, ids in members.items()}
        old = {c: set(ids) for c, ids in self.clusters.items()}
        moved = {i for split in self.splits for i in split.ids}
        now = set().union(*new.values()) if new else set()
        before = set().union(*old.values()) if old else set()
        common = (now & before) - moved
        pairs = []
        for c, n in new.items():
            for o, m in old.items():
                shared = len(n & m & common)
                if shared:
                    score = shared / len((n | m) & common)
                    if score >= MATCH_OVERLAP:
                        pairs.append((-score, -shared, o, c))
        mapping: dict[int, int] = {}
        taken: set[int] = set()
        for _, _, o, c in sorted(pairs):
            if c not in mapping and o not in taken:
                mapping[c] = o
                taken.add(o)
        for c in sorted(new, key=lambda c: (-len(new[c]), min(new[c]) if new[c] else "")):
            if c not in mapping:
                mapping[c] = self.allocate()
        self.clusters = {mapping[c]: sorted(ids) for c, ids in new.items()}
        self.next_cluster = max([self.next_cluster, *(i + 1 for i in self.clusters)])
        return mapping

    # ------------------------------------------------------------ storage

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "statement_themes": dict(sorted(self.statement_themes.items())),
            "cluster_themes": {str(k): v for k, v in sorted(self.cluster_themes.items())},
            "cluster_labels": {str(k): v for k, v in sorted(self.cluster_labels.items())},
            "merges": {str(k): v for k, v in sorted(self.merges.items())},
            "splits": [{"cluster": s.cluster, "ids": s.ids, "into": s.into} for s in self.splits],
            "examples": [{"id": e.id, "text": e.text, "theme": e.theme, "lang": e.lang} for e in self.examples],
            "next_cluster": self.next_cluster,
            "clusters": {str(k): v for k, v in sorted(self.clusters.items())},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str | Path | None = None) -> ThemeDecisions:
        try:
            version = int(data.get("version", FORMAT_VERSION))
            if version > FORMAT_VERSION:
                raise InputError(f"decisions format version {version} is newer than this statementkit "
                                 f"understands ({FORMAT_VERSION})", where, hint="upgrade statementkit")
            return cls(
                statement_themes={str(k): str(v) for k, v in data.get("statement_themes", {}).items()},
                cluster_themes={int(k): str(v) for k, v in data.get("cluster_themes", {}).items()},
                cluster_labels={int(k): str(v) for k, v in data.get("cluster_labels", {}).items()},
                merges={int(k): int(v) for k, v in data.get("merges", {}).items()},
                splits=[Split(int(s["cluster"]), [str(i) for i in s["ids"]], int(s["into"]))
                        for s in data.get("splits", [])],
                examples=[ThemeExample(str(e["text"]), str(e["theme"]), e.get("lang"), "analyst",
                                  None if e.get("id") is None else str(e["id"]))
                          for e in data.get("examples", [])],
                clusters={int(k): [str(i) for i in v] for k, v in data.get("clusters", {}).items()},
                next_cluster=int(data.get("next_cluster", 0)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise InputError(f"malformed theme decisions: {type(e).__name__}: {e}", where,
                             hint="fix or delete the file; it is rewritten by `statementkit themes`") from None

    @classmethod
    def load(cls, path: str | Path) -> ThemeDecisions:
        """Read a decisions file; a missing file means no decisions yet."""
        path = Path(path)
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise InputError(f"not valid JSON: {e.msg}", path, e.lineno) from None
        if not isinstance(data, dict):
            raise InputError("expected a JSON object of theme decisions", path)
        return cls.from_dict(data, path)

    def save(self, path: str | Path) -> Path:
        """Write atomically (temp file + rename), so an interrupted save never corrupts decisions."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path

    def to_records(self) -> list[dict[str, Any]]:
        """Flat rows {kind, key, value, text?, lang?} for a database table (the triage queue)."""
        rows: list[dict[str, Any]] = []
        rows += [{"kind": "statement_theme", "key": k, "value": v} for k, v in sorted(self.statement_themes.items())]
        rows += [{"kind": "cluster_theme", "key": str(k), "value": v} for k, v in sorted(self.cluster_themes.items())]
        rows += [{"kind": "cluster_label", "key": str(k), "value": v} for k, v in sorted(self.cluster_labels.items())]
        rows += [{"kind": "merge", "key": str(k), "value": str(v)} for k, v in sorted(self.merges.items())]
        rows += [{"kind": "split", "key": str(s.into), "value": str(s.cluster), "ids": list(s.ids)}
                 for s in self.splits]
        rows += [{"kind": "example", "key": e.id, "value": e.theme, "text": e.text, "lang": e.lang}
                 for e in self.examples]
        rows += [{"kind": "cluster_members", "key": str(k), "value": "", "ids": v} for k, v in sorted(self.clusters.items())]
        rows.append({"kind": "next_cluster", "key": "", "value": str(self.next_cluster)})
        return rows

    @classmethod
    def from_records(cls, rows: Iterable[Mapping[str, Any]]) -> ThemeDecisions:
        d = cls()
        for row in rows:
            kind, key, value = row["kind"], row.get("key"), row.get("value")
            if kind == "statement_theme":
                d.statement_themes[str(key)] = str(value)
            elif kind == "cluster_theme":
                d.cluster_themes[int(key)] = str(value)
            elif kind == "cluster_label":
                d.cluster_labels[int(key)] = str(value)
            elif kind == "merge":
                d.merges[int(key)] = int(value)
            elif kind == "split":
                d.splits.append(Split(int(value), [str(i) for i in row.get("ids", [])], int(key)))
            elif kind == "example":
                d.examples.append(ThemeExample(str(row["text"]), str(value), row.get("lang"), "analyst",
                                          None if key is None else str(key)))
            elif kind == "cluster_members":
                d.clusters[int(key)] = [str(i) for i in row.get("ids", [])]
            elif kind == "next_cluster":
                d.next_cluster = int(value)
            else:
                raise ValueError(f"unknown theme decision kind {kind!r}")
        return d


def decisions_path(statements_file: str | Path) -> Path:
    """Where the decisions for a statements file live unless told (`--decisions PATH`): in the
    per-user state folder (`resources.state_dir()/themes/`), named after the file and a hash of
    its absolute path. A `FILE.themes.json` already beside the file (where earlier versions wrote
    it) is used instead, so no analyst's work is left behind."""
    import hashlib

    from statementkit.resources import state_dir

    p = Path(statements_file)
    beside = p.with_name(p.name + SUFFIX)
    if beside.exists():
        return beside
    key = hashlib.sha256(str(p.resolve()).encode("utf-8")).hexdigest()[:12]
    return state_dir() / "themes" / f"{p.name}-{key}{SUFFIX}"
