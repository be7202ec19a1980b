"""A taxonomy from the analyst's work: the clusters they named become the assembly's themes.

An assembly starts without a taxonomy (`rules init` writes none); its analysts
read the clusters and rename the ones that are real themes (`themes rename`,
or `n` in the triage UI). `taxonomy_from_queue` turns those names into
`taxonomy.toml` entries whose examples are the cluster's statements that are
public (published or accepted), so the next themes run maps statements onto
the analyst's own themes. Clusters nobody named stay out: a keyword label is a
suggestion, not a theme.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from statementkit.assembly.spec import toml_value
from statementkit.errors import RulesError

#: Example statements kept per theme (the bundled taxonomy has 16-20 per theme).
MAX_EXAMPLES = 20
PUBLIC = ("accepted", "edited", "published")


@dataclass(slots=True)
class NamedTheme:
    id: str
    label: str
    examples: list[tuple[str | None, str]] = field(default_factory=list)   # (lang, text)


def themes_from_queue(db: str | Path, max_examples: int = MAX_EXAMPLES) -> list[NamedTheme]:
    """One theme per cluster the analyst renamed (merged clusters count once), ids "1", "2", ..."""
    from statementkit.queue import Filter, Queue

    with Queue(db) as q:
        rows = {r.id: r for r in q.list(Filter(kind="all"))}
        named = [c for c in q.clusters() if c.renamed and c.merged_into is None]
        out = []
        for n, cluster in enumerate(sorted(named, key=lambda c: c.id), 1):
            members = [rows[m["id"]] for m in q.cluster_members(cluster.id) if m["id"] in rows]
            public = [r for r in members if r.kind != "submission" or r.status in PUBLIC]
            out.append(NamedTheme(str(n), str(cluster.label),
                                  [(r.lang, r.text) for r in public[:max_examples] if r.text.strip()]))
    return out


def write_taxonomy(themes: list[NamedTheme], folder: str | Path, name: str = "", *,
                   overwrite: bool = False) -> Path:
    """Write `folder/taxonomy.toml`; refuses to replace one that has themes unless `overwrite`."""
    from statementkit.themes.taxonomy import TAXONOMY_FILE, load_taxonomy

    path = Path(folder) / TAXONOMY_FILE
    if not themes:
        raise RulesError("no named clusters to make themes of", hint="rename the clusters that are themes first "
                                                                    "(statementkit themes rename, or n in triage)")
    if path.exists() and not load_taxonomy(path).empty and not overwrite:
        raise RulesError("already holds a taxonomy with themes", path, hint="pass --force to replace it")
    lines = ["# The assembly's themes: the clusters its analysts named (`statementkit rules taxonomy`).",
             "# Each example is a public statement of the cluster; edit, add descriptions, remove strays.", ""]
    if name:
        lines.append(f"name = {toml_value(name)}")
    for theme in themes:
        lines += ["", "[[themes]]", f"id = {toml_value(theme.id)}", f"label = {toml_value(theme.label)}",
                  f"description = {toml_value(theme.label)}", "examples = ["]
        for lang, text in theme.examples:
            lang_part = f"lang = {toml_value(lang)}, " if lang and lang != "und" else ""
            lines.append(f"  {{ {lang_part}text = {toml_value(text)} }},")
        lines.append("]")
    Path(folder).mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_taxonomy(path)  # what was written must load
    return path
