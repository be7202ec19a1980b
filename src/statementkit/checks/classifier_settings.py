"""`rules/classifier.toml`: which codes the learned stage flags, and how sure it must be.

Read by `ruleset.load_rules` with the rest of the rules, so a malformed file is
reported at load time with its line; `learned` applies the thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from statementkit.errors import RulesError
from statementkit.records import REASON_CODES
from statementkit.rules import check_keys, key_line, line_of, load_toml

SETTINGS_KEYS = ("examples", "example_weights", "C", "lexical_weight", "assembly_specific", "models", "codes")
CODE_KEYS = ("flag", "strong", "veto", "veto_variants", "gate", "languages", "elsewhere")
GATES = ("structure", "no_position")
LEARNABLE = tuple(c for c in REASON_CODES if c not in ("too_long", "duplicate"))


@dataclass(slots=True, frozen=True)
class ExampleFile:
    """A file of labelled statements and how many examples each of its lines counts as (real
    participants' comments can outweigh the many written ones)."""

    path: Path
    weight: float = 1.0


@dataclass(slots=True)
class CodeSettings:
    """How sure a code's classifier must be. With `languages`, these thresholds hold only in those
    languages (the ones they were measured in) and `elsewhere` (or no classifier) in the others."""

    flag: float = 0.9
    strong: float = 1.01
    veto: float = 0.0
    veto_variants: tuple[str, ...] = ()  # the kinds of lexicon flag the veto may drop (empty: every kind)
    gate: str = ""
    languages: tuple[str, ...] = ()
    elsewhere: CodeSettings | None = None

    def for_language(self, lang: str) -> CodeSettings | None:
        """The thresholds for a statement in `lang` (None: the classifier does not judge it)."""
        if not self.languages or lang in self.languages:
            return self
        return self.elsewhere


@dataclass(slots=True)
class ClassifierSettings:
    """`[classifier]` of classifier.toml."""

    examples: tuple[ExampleFile, ...]
    C: float = 1.0
    lexical_weight: float = 0.5
    assembly_specific: tuple[str, ...] = ()
    codes: dict[str, CodeSettings] = field(default_factory=dict)
    models: tuple[str, ...] = ()  # embedding model ids the thresholds hold for (empty: any)


def load_classifier_settings(path: Path, examples_root: Path) -> ClassifierSettings:
    """Read and validate classifier.toml; errors name the file, the key and the valid choices."""
    data = load_toml(path)
    check_keys(data, ("classifier",), path, "")
    table = data.get("classifier", {})
    check_keys(table, SETTINGS_KEYS, path, "classifier")
    examples = example_files(table, path, examples_root)
    for key in ("C", "lexical_weight"):
        if key in table and (not isinstance(table[key], (int, float)) or table[key] < 0):
            raise RulesError(f"classifier.{key} must be a number >= 0", path, key_line(path, key))
    codes: dict[str, CodeSettings] = {}
    for code, entry in table.get("codes", {}).items():
        if code not in LEARNABLE:
            raise RulesError(f"classifier.codes: unknown code '{code}'", path, line_of(path, f"codes.{code}]"),
                             hint=f"valid: {', '.join(LEARNABLE)}")
        codes[code] = code_settings(entry, path, f"classifier.codes.{code}")
    specific = table.get("assembly_specific", [])
    if not isinstance(specific, list) or any(c not in LEARNABLE for c in specific):
        raise RulesError("classifier.assembly_specific must list reason codes", path,
                         key_line(path, "assembly_specific"), hint=f"valid: {', '.join(LEARNABLE)}")
    models = table.get("models", [])
    if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
        raise RulesError("classifier.models must list embedding model ids", path, key_line(path, "models"))
    return ClassifierSettings(examples, float(table.get("C", 1.0)), float(table.get("lexical_weight", 0.5)), tuple(specific),
                    codes, tuple(models))


def example_files(table: dict, path: Path, examples_root: Path) -> tuple[ExampleFile, ...]:
    """`examples` (one file or a list of files) with `example_weights` (one per file, default 1)."""
    names = table.get("examples", "examples/criteria-examples.jsonl")
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
        raise RulesError("classifier.examples must be a file name or a list of file names", path,
                         key_line(path, "examples"))
    weights = table.get("example_weights", [1.0] * len(names))
    if (not isinstance(weights, list) or len(weights) != len(names)
            or not all(isinstance(w, (int, float)) and not isinstance(w, bool) and w > 0 for w in weights)):
        raise RulesError(f"classifier.example_weights must list one positive number per examples file ({len(names)})",
                         path, key_line(path, "example_weights"))
    return tuple(ExampleFile(examples_root / n, float(w)) for n, w in zip(names, weights))


def code_settings(entry: object, path: Path, name: str, nested: bool = False) -> CodeSettings:
    """One code's table (or its `elsewhere` table), validated."""
    if not isinstance(entry, dict):
        raise RulesError(f"{name} must be a table", path)
    check_keys(entry, CODE_KEYS if not nested else ("flag", "strong", "veto", "veto_variants", "gate"), path, name)
    for key in ("flag", "strong", "veto"):
        if key in entry and (not isinstance(entry[key], (int, float)) or not 0 <= entry[key] <= 1.01):
            raise RulesError(f"{name}.{key} must be a probability (0 to 1)", path, key_line(path, key))
    if entry.get("gate", "") not in ("", *GATES):
        raise RulesError(f"{name}.gate: unknown gate '{entry['gate']}'", path,
                         key_line(path, "gate"), hint=f"valid: {', '.join(GATES)}")
    variants = entry.get("veto_variants", [])
    if not isinstance(variants, list) or not all(isinstance(x, str) and x for x in variants):
        raise RulesError(f"{name}.veto_variants must list kinds of flag (message variants)", path,
                         key_line(path, "veto_variants"))
    languages = entry.get("languages", [])
    if not isinstance(languages, list) or not all(isinstance(x, str) and x for x in languages):
        raise RulesError(f"{name}.languages must list language codes", path, key_line(path, "languages"))
    if "elsewhere" in entry and not languages:
        raise RulesError(f"{name}.elsewhere needs languages (where the main thresholds hold)", path,
                         key_line(path, "elsewhere"))
    elsewhere = code_settings(entry["elsewhere"], path, f"{name}.elsewhere", True) if "elsewhere" in entry else None
    return CodeSettings(float(entry.get("flag", 0.9)), float(entry.get("strong", 1.01)), float(entry.get("veto", 0.0)),
                        tuple(variants), str(entry.get("gate", "")), tuple(x.lower() for x in languages), elsewhere)
