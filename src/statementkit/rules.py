"""Load the assembly's rules: TOML files in a rules directory.

Rules are data only: TOML is parsed, never executed. A malformed file raises
`RulesError` naming the file, the line or key, and what is expected. Another
assembly runs with its own copy of the folder (`--rules DIR`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from statementkit.errors import RulesError
from statementkit.resources import rules_dir as default_rules_dir
from statementkit.text.language import DEFAULT_LANGUAGES

ASSEMBLY_FILE = "assembly.toml"


def resolve_rules_dir(path: str | Path | None) -> Path:
    """The rules directory to use: the given one or the bundled default."""
    if path is None:
        return default_rules_dir()
    p = Path(path)
    if not p.is_dir():
        raise RulesError("not a rules directory", p,
                         hint=f"copy {default_rules_dir()} and edit it, then pass --rules DIR")
    return p


#: Parsed rules files kept under `resources.cache_dir()`, by a hash of their bytes.
TOML_CACHE = "toml"
TOML_CACHE_KEEP = 256


def load_toml(path: str | Path) -> dict[str, Any]:
    """Parse one TOML file, turning syntax errors into a RulesError with the line.

    A file parsed before is read from the cache as JSON: tomllib took 0.1-0.2 s for the
    bundled rules, a fifth of a streaming `check`'s wait for its first result."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise RulesError("no such rules file", p) from None
    except IsADirectoryError:
        raise RulesError("is a directory, expected a TOML file", p) from None
    cache = _toml_cache_path(data)
    try:
        return json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
        _store_toml(cache, parsed)
        return parsed
    except UnicodeDecodeError:
        raise RulesError("not valid UTF-8", p) from None
    except tomllib.TOMLDecodeError as e:
        found = re.search(r"\(at line (\d+)", str(e))  # Python < 3.14 has no e.lineno
        line = getattr(e, "lineno", None) or (int(found.group(1)) if found else None)
        msg = str(e).split(" (at line")[0]
        raise RulesError(f"invalid TOML: {msg}", p, line) from None


def _toml_cache_path(data: bytes) -> Path:
    from statementkit.resources import cache_dir

    return cache_dir() / TOML_CACHE / f"{hashlib.sha256(data).hexdigest()[:40]}.json"


def _store_toml(path: Path, parsed: dict[str, Any]) -> None:
    """Write a parsed file to the cache (atomically); dates, which JSON cannot hold, and an
    unwritable cache are simply parsed again next time."""
    try:
        text = json.dumps(parsed, ensure_ascii=False, separators=(",", ":"))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        files = sorted(path.parent.glob("*.json"), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in files[TOML_CACHE_KEEP:]:
            old.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        pass


def line_of(path: Path, needle: str) -> int | None:
    """First line of `path` containing `needle` (for error messages), or None."""
    try:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if needle in line:
                return n
    except OSError:
        return None
    return None


def key_line(path: Path, key: str) -> int | None:
    """First line of `path` that sets `key` (`key = ...` or `key.sub = ...`), or None."""
    try:
        rx = re.compile(rf"^\s*{re.escape(key)}\s*(=|\.)")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if rx.match(line):
                return n
    except OSError:
        return None
    return None


def check_keys(table: dict[str, Any], valid: Sequence[str], path: Path, where: str) -> None:
    """Reject unknown keys (typos like 'treshold') with their line and the list of valid ones."""
    for key in table:
        if key not in valid:
            name = f"{where}.{key}" if where else key
            raise RulesError(f"unknown key '{name}'", path, key_line(path, key), hint=f"valid: {', '.join(valid)}")


#: Files that describe the assembly's subject rather than how statements are checked: a folder
#: with its own scope.toml is another assembly, so it never inherits these from its base.
SUBJECT_FILES = ("taxonomy.toml",)


def base_dir(rules: str | Path | None) -> Path | None:
    """The folder a rules directory inherits missing files from (`[assembly] base = "bundled"`)."""
    if rules is None:
        return None
    table = assembly_config(rules)
    return default_rules_dir() if table.get("base") == "bundled" else None


def rules_file(rules: str | Path | None, name: str) -> Path | None:
    """Where a rules directory's file `name` comes from: its own copy, else its base's, else None.

    A folder with its own `scope.toml` is another assembly: it takes language data (lexicons,
    messages, criteria) from its base but never the reference assembly's taxonomy, so its
    themes never carry another assembly's names.
    """
    root = resolve_rules_dir(rules)
    own = root / name
    if own.exists():
        return own
    base = base_dir(rules)
    if base is None or (name in SUBJECT_FILES and (root / "scope.toml").exists()):
        return None
    return base / name if (base / name).exists() else None


def assembly_config(rules: str | Path | None = None) -> dict[str, Any]:
    """The `[assembly]` table of `assembly.toml` (empty when the file is absent)."""
    path = resolve_rules_dir(rules) / ASSEMBLY_FILE
    if not path.exists():
        return {}
    data = load_toml(path)
    table = data.get("assembly", {})
    if not isinstance(table, dict):
        raise RulesError("'assembly' must be a table", path)
    return table


def expected_languages(rules: str | Path | None = None) -> tuple[str, ...]:
    """Languages the assembly expects, which restrict language detection."""
    table = assembly_config(rules)
    langs = table.get("languages", list(DEFAULT_LANGUAGES))
    if not isinstance(langs, list) or not all(isinstance(x, str) and x for x in langs):
        path = resolve_rules_dir(rules) / ASSEMBLY_FILE
        raise RulesError("'assembly.languages' must be a list of language codes such as [\"en\", \"de\"]", path)
    return tuple(x.lower() for x in langs)
