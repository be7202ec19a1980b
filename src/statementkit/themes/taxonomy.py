"""The assembly's theme taxonomy: data in `rules/taxonomy.toml`.

A taxonomy is a list of themes, each with an id (the reference assembly uses
the paper's numbers "1".."7"), a short label, a title, a description per
language and example statements in several languages. An example that
genuinely straddles two themes names the other one (`also = "7"`). The
`[outside]` table lists statements that fit no theme (theme "none"); they
teach the model when to answer "none". Another assembly brings its own file
(`--taxonomy`), or none at all: a file without themes (or none in its rules
folder) is an empty taxonomy, and the themes stage then gives clusters with
labels only, never a theme borrowed from another assembly.

Everything here is validated on load: a typo in a key, a duplicate id or a
theme without any text to learn from is a `RulesError` naming the file and
the entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from statementkit.errors import RulesError

TAXONOMY_FILE = "taxonomy.toml"
#: The theme id meaning "fits no theme of the taxonomy"; reserved.
NONE = "none"

_TOP_KEYS = ("name", "source", "themes", "outside")
_THEME_KEYS = ("id", "label", "title", "description", "examples")
_EXAMPLE_KEYS = ("lang", "text", "also")


@dataclass(slots=True, frozen=True)
class ThemeExample:
    """One statement known to belong to a theme (or to none: theme "none").

    `source` says where it came from: "taxonomy" (the rules file), "analyst"
    (a confirmed decision) or "description" (a theme description used as a
    pseudo-statement). `theme2` is set for a statement that genuinely
    straddles two themes (`also = "7"` in the taxonomy): it teaches the model
    what a second theme looks like.
    """

    text: str
    theme: str
    lang: str | None = None
    source: str = "taxonomy"
    id: str | None = None
    theme2: str | None = None
    weight: float = 1.0  # how many examples this one counts as (e.g. real text over written text)


@dataclass(slots=True)
class Theme:
    id: str
    label: str
    title: str = ""
    description: dict[str, str] = field(default_factory=dict)
    examples: list[ThemeExample] = field(default_factory=list)

    def describe(self, lang: str = "en") -> str:
        """The description in `lang`, else English, else any."""
        return self.description.get(lang) or self.description.get("en") or next(iter(self.description.values()), "")


@dataclass(slots=True)
class Taxonomy:
    themes: list[Theme]
    name: str = ""
    source: str = ""
    outside: list[ThemeExample] = field(default_factory=list)
    path: Path | None = None

    @property
    def empty(self) -> bool:
        """No themes: the themes stage gives clusters and labels only (theme null)."""
        return not self.themes

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def get(self, theme_id: str) -> Theme | None:
        return next((t for t in self.themes if t.id == theme_id), None)

    def label(self, theme_id: str | None) -> str:
        if theme_id is None or theme_id == NONE:
            return "none"
        theme = self.get(theme_id)
        return theme.label if theme else theme_id

    def check_theme(self, theme_id: str, where: str = "theme") -> str:
        """`theme_id` if it is a theme of this taxonomy or "none", else a RulesError listing the valid ids."""
        theme_id = str(theme_id)
        if self.empty:
            raise RulesError(f"{where}: there is no taxonomy to take '{theme_id}' from", self.path,
                             hint="add [[themes]] to the rules' taxonomy.toml, or rename the cluster instead")
        if theme_id != NONE and self.get(theme_id) is None:
            raise RulesError(f"unknown {where} '{theme_id}'", self.path,
                             hint=f"valid: {', '.join(self.ids)}, {NONE}")
        return theme_id

    def exemplars(self, descriptions: bool = True) -> Iterator[ThemeExample]:
        """Every text the few-shot model learns from: examples, descriptions, outside examples."""
        for theme in self.themes:
            yield from theme.examples
            if descriptions:
                for lang, text in theme.description.items():
                    yield ThemeExample(text, theme.id, lang, "description")
        yield from self.outside


def default_taxonomy_path() -> Path:
    from statementkit.resources import rules_dir

    return rules_dir() / TAXONOMY_FILE


def taxonomy_for_rules(rules: str | Path | None = None) -> Taxonomy:
    """The taxonomy of a rules directory (the bundled one for the bundled rules).

    A directory without `taxonomy.toml` has no taxonomy (an empty one: clusters and labels
    only), unless it inherits the file from its base (`rules.rules_file`).
    """
    from statementkit.rules import resolve_rules_dir, rules_file

    if rules is None:
        return load_taxonomy(None)
    path = rules_file(rules, TAXONOMY_FILE)
    if path is None:
        return Taxonomy([], path=None, source=f"no {TAXONOMY_FILE} in {resolve_rules_dir(rules)}")
    return load_taxonomy(path)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and validate a taxonomy TOML (default: the bundled reference assembly's).

    `path` may also be a rules directory holding `taxonomy.toml`.
    """
    from statementkit.rules import check_keys, load_toml

    path = Path(path) if path is not None else default_taxonomy_path()
    if path.is_dir():
        path = path / TAXONOMY_FILE
    data = load_toml(path)
    check_keys(data, _TOP_KEYS, path, "")
    raw_themes = data.get("themes", [])
    if not isinstance(raw_themes, list):
        raise RulesError("'themes' must be a list of [[themes]] entries", path,
                         hint="each theme needs id, label and description or examples")
    themes: list[Theme] = []
    for i, raw in enumerate(raw_themes):
        themes.append(_theme(raw, path, f"themes[{i}]"))
    seen: set[str] = set()
    for theme in themes:
        if theme.id in seen:
            raise RulesError(f"duplicate theme id '{theme.id}'", path)
        seen.add(theme.id)
    for i, theme in enumerate(themes):
        for j, e in enumerate(theme.examples):
            if e.theme2 is not None and e.theme2 not in seen:
                raise RulesError(f"unknown theme themes[{i}].examples[{j}].also = '{e.theme2}'", path,
                                 hint=f"valid: {', '.join(t.id for t in themes)}")
    outside_table = data.get("outside", {})
    if not isinstance(outside_table, dict):
        raise RulesError("'outside' must be a table with an `examples` list", path)
    check_keys(outside_table, ("description", "examples"), path, "outside")
    outside = _examples(outside_table.get("examples", []), NONE, path, "outside.examples")
    return Taxonomy(themes, str(data.get("name", "")), str(data.get("source", "")), outside, path)


def _theme(raw: object, path: Path, where: str) -> Theme:
    from statementkit.rules import check_keys

    if not isinstance(raw, dict):
        raise RulesError(f"{where} must be a table", path)
    check_keys(raw, _THEME_KEYS, path, where)
    if "id" not in raw or not str(raw["id"]).strip():
        raise RulesError(f"missing key '{where}.id'", path)
    theme_id = str(raw["id"]).strip()
    if theme_id == NONE:
        raise RulesError(f"{where}: the theme id '{NONE}' is reserved for 'fits no theme'", path,
                         hint="put such statements under the top-level `outside` list")
    description = raw.get("description", {})
    if isinstance(description, str):
        description = {"en": description}
    if not isinstance(description, dict) or not all(isinstance(v, str) for v in description.values()):
        raise RulesError(f"{where}.description must be a string or a table of language = \"text\"", path)
    examples = _examples(raw.get("examples", []), theme_id, path, f"{where}.examples")
    if not description and not examples:
        raise RulesError(f"theme '{theme_id}' ({where}) has neither a description nor examples", path,
                         hint="the model needs at least one text per theme to learn from")
    label = str(raw.get("label") or raw.get("title") or theme_id)
    return Theme(theme_id, label, str(raw.get("title", "")), dict(description), examples)


def _examples(raw: object, theme_id: str, path: Path, where: str) -> list[ThemeExample]:
    from statementkit.rules import check_keys

    if not isinstance(raw, list):
        raise RulesError(f"{where} must be a list of {{ lang = \"..\", text = \"..\" }}", path)
    out = []
    for j, item in enumerate(raw):
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict):
            raise RulesError(f"{where}[{j}] must be a table {{ lang = \"..\", text = \"..\" }}", path)
        check_keys(item, _EXAMPLE_KEYS, path, f"{where}[{j}]")
        text = str(item.get("text", "")).strip()
        if not text:
            raise RulesError(f"{where}[{j}] has no text", path)
        also = item.get("also")
        if also is not None and (theme_id == NONE or str(also) in (theme_id, NONE)):
            raise RulesError(f"{where}[{j}].also = '{also}': a second theme must be another theme of the taxonomy",
                             path, hint="`also` names the other theme a straddling example belongs to")
        out.append(ThemeExample(text, theme_id, item.get("lang"), "taxonomy", theme2=None if also is None else str(also)))
    return out
