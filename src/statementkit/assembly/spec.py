"""What defines a new assembly, and how it becomes a rules folder.

A generated folder holds only what differs from the bundled rules
(`base = "bundled"` brings the lexicons, jargon and messages, which are about
language, not about a subject): `assembly.toml` (name, languages, advice
examples), `criteria.toml` (the bundled criteria with this assembly's length
limit) and `scope.toml` (a description and example statements, judged by
meaning through the embedding model, keywords optional). No `taxonomy.toml`:
a folder with its own scope never inherits the reference assembly's themes,
so `statementkit themes` gives clusters with labels until the analysts write
their own (see rules/README.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statementkit.errors import RulesError

#: Scope parameters when nothing calibrated them (`rules init` without a model): the bundled
#: scope's `min_similarity`, and the mean over the 3 nearest exemplars.
DEFAULT_MIN_SIMILARITY = 0.30
DEFAULT_TOP_K = 3
FILES = ("assembly.toml", "criteria.toml", "scope.toml")


@dataclass(slots=True)
class AssemblySpec:
    """Everything `write_rules` needs; the defaults make a working folder from a name and a description."""

    name: str
    description: str = ""
    languages: tuple[str, ...] = ("en",)
    scope_name: str = ""                         # "Not about {scope}" (default: the name)
    in_scope: list[str] = field(default_factory=list)
    out_of_scope: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)   # optional lexicon patterns, any language
    example: dict[str, tuple[str, str]] = field(default_factory=dict)  # lang -> (should, should not)
    max_chars: int = 140
    moderator_language: str = "en"
    min_similarity: float = DEFAULT_MIN_SIMILARITY
    outside_margin: float = 0.05
    top_k: int = DEFAULT_TOP_K
    source: str = ""                             # provenance, written as a comment in every file
    notes: list[str] = field(default_factory=list)  # how the figures were chosen, written into scope.toml

    @property
    def language(self) -> str:
        """The main language: descriptions and the scope name are in it."""
        return self.languages[0] if self.languages else "en"


def write_rules(spec: AssemblySpec, folder: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Write the rules folder of `spec`; refuses to replace existing files unless `overwrite`."""
    root = Path(folder)
    if root.exists() and not root.is_dir():
        raise RulesError("exists and is not a folder", root)
    existing = [root / f for f in FILES if (root / f).exists()]
    if existing and not overwrite:
        raise RulesError(f"already holds {', '.join(p.name for p in existing)}", root,
                         hint="choose a new folder or pass --force to replace them")
    if not spec.name.strip():
        raise RulesError("the assembly needs a name", root, hint="pass --name")
    root.mkdir(parents=True, exist_ok=True)
    head = _header(spec)
    texts = {"assembly.toml": head + _assembly_toml(spec), "criteria.toml": head + _criteria_toml(spec),
             "scope.toml": head + _scope_toml(spec)}
    out = []
    for name, text in texts.items():
        path = root / name
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def toml_value(value: Any) -> str:
    """A TOML literal for a string, number, bool or list of them (JSON strings are TOML basic strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(round(value, 4)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def _header(spec: AssemblySpec) -> str:
    lines = ["# Written by `statementkit rules init`; edit freely, then run `statementkit rules check` on the folder."]
    lines += [f"# {line}" for line in spec.source.splitlines() if line.strip()]
    return "\n".join(lines) + "\n\n"


def _assembly_toml(spec: AssemblySpec) -> str:
    out = ["[assembly]", f"name = {toml_value(spec.name)}",
           "# Language detection chooses among these.",
           f"languages = {toml_value(list(spec.languages))}",
           f"moderator_language = {toml_value(spec.moderator_language)}",
           "# Lexicons, jargon and messages (language data) come from the bundled rules.",
           'base = "bundled"',
           "# Example openings of a standpoint in advice, per language: [should, should not]. A language",
           "# left out gets the generic one of the bundled messages (\"We should …\")."]
    out += [f"example.{lang} = {toml_value(list(pair))}" for lang, pair in sorted(spec.example.items())]
    return "\n".join(out) + "\n"


def _criteria_toml(spec: AssemblySpec) -> str:
    """The bundled criteria, entry by entry, with this assembly's length limit."""
    from statementkit.resources import rules_dir
    from statementkit.rules import load_toml

    entries = load_toml(rules_dir() / "criteria.toml")["criteria"]
    out = ["# The moderation criteria: one [[criteria]] entry per check (kinds, severities and parameters:",
           "# rules/README.md). Copied from the bundled criteria; `enabled = false` switches one off."]
    for entry in entries:
        out.append("\n[[criteria]]")
        for key, value in entry.items():
            if entry.get("kind") == "length" and key == "max_chars":
                value = spec.max_chars
            out.append(f"{key} = {toml_value(value)}")
    return "\n".join(out) + "\n"


def _scope_toml(spec: AssemblySpec) -> str:
    lang = spec.language
    name = spec.scope_name or spec.name
    out = ["# What the assembly is about: the `out_of_scope` criterion. With an embedding model a statement",
           "# is in scope when its mean cosine similarity to the `top_k` nearest exemplars (the description,",
           "# the examples, the published statements given with --against) reaches `min_similarity`, and it",
           "# is not nearer to the `outside` statements than to them by `outside_margin`. Without a model and",
           "# without keywords nothing is judged off topic.",
           *[f"# {note}" for note in spec.notes],
           "", "[scope]", f"name.{lang} = {toml_value(name)}"]
    if spec.description:
        out.append(f"description.{lang} = {toml_value(spec.description)}")
    out += ['exemplars = ["description", "examples", "against"]', f"top_k = {spec.top_k}",
            f"min_similarity = {toml_value(float(spec.min_similarity))}",
            f"outside_margin = {toml_value(float(spec.outside_margin))}",
            "# Statements about the subject.", "examples = ["]
    out += [f"  {toml_value(text)}," for text in spec.in_scope] + ["]"]
    out += ["# Statements off the subject.", "outside = ["]
    out += [f"  {toml_value(text)}," for text in spec.out_of_scope] + ["]"]
    if spec.keywords:
        out += ["# Keywords (optional, pattern syntax in rules/README.md): a statement naming one is in scope;",
                "# the rest are judged by meaning.", 'in_scope_when = [["subject"]]', "",
                "[scope.groups.subject]", f"any = {toml_value(spec.keywords)}"]
    return "\n".join(out) + "\n"
