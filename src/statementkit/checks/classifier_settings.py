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

SETTINGS_KEYS = ("examples", "C", "lexical_weight", "assembly_specific", "models", "codes")
CODE_KEYS = ("flag", "strong", "veto", "gate")
GATES = ("structure",)
LEARNABLE = tuple(c for c in REASON_CODES if c not in ("too_long", "duplicate"))


@dataclass(slots=True)
class CodeSettings:
    flag: float = 0.9
    strong: float = 1.01
    veto: float = 0.0
    gate: str = ""


@dataclass(slots=True)
class ClassifierSettings:
    """`[classifier]` of classifier.toml."""

    examples: Path
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
    examples = examples_root / str(table.get("examples", "examples/criteria-examples.jsonl"))
    for key in ("C", "lexical_weight"):
        if key in table and (not isinstance(table[key], (int, float)) or table[key] < 0):
            raise RulesError(f"classifier.{key} must be a number >= 0", path, key_line(path, key))
    codes: dict[str, CodeSettings] = {}
    for code, entry in table.get("codes", {}).items():
        if code not in LEARNABLE:
            raise RulesError(f"classifier.codes: unknown code '{code}'", path, line_of(path, f"codes.{code}]"),
                             hint=f"valid: {', '.join(LEARNABLE)}")
        if not isinstance(entry, dict):
            raise RulesError(f"classifier.codes.{code} must be a table", path)
        check_keys(entry, CODE_KEYS, path, f"classifier.codes.{code}")
        for key in ("flag", "strong", "veto"):
            if key in entry and (not isinstance(entry[key], (int, float)) or not 0 <= entry[key] <= 1.01):
                raise RulesError(f"classifier.codes.{code}.{key} must be a probability (0 to 1)", path,
                                 key_line(path, key))
        if entry.get("gate", "") not in ("", *GATES):
            raise RulesError(f"classifier.codes.{code}.gate: unknown gate '{entry['gate']}'", path,
                             key_line(path, "gate"), hint=f"valid: {', '.join(GATES)}")
        codes[code] = CodeSettings(float(entry.get("flag", 0.9)), float(entry.get("strong", 1.01)),
                                   float(entry.get("veto", 0.0)), str(entry.get("gate", "")))
    specific = table.get("assembly_specific", [])
    if not isinstance(specific, list) or any(c not in LEARNABLE for c in specific):
        raise RulesError("classifier.assembly_specific must list reason codes", path,
                         key_line(path, "assembly_specific"), hint=f"valid: {', '.join(LEARNABLE)}")
    models = table.get("models", [])
    if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
        raise RulesError("classifier.models must list embedding model ids", path, key_line(path, "models"))
    return ClassifierSettings(examples, float(table.get("C", 1.0)), float(table.get("lexical_weight", 0.5)), tuple(specific),
                    codes, tuple(models))
