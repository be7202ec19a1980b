"""Load and validate the rules directory the checks interpret.

    rules/
      assembly.toml          name, languages, moderator_language, base
      criteria.toml          one [[criteria]] entry per check (kind, severity, parameters)
      scope.toml             the assembly's subject: description, keyword groups, exemplars
      lexicons/<lang>.toml   vague terms, reply markers, incivility, standpoint and clause words
      lexicons/jargon.toml   AI jargon with a plain word per language
      messages/<lang>.toml   what flags and self-check advice say, per language
      taxonomy.toml          themes whose examples are in-scope exemplars
      classifier.toml        the learned stage: thresholds per code, the examples file
      examples/              labelled statements the classifiers learn from

Everything is data; a mistake raises `RulesError` naming the file, the line
where it can be found, the key and the valid choices. With
`[assembly] base = "bundled"` a directory only needs the files it changes
(the others come from the bundled rules). Patterns compile per language on
first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statementkit.checks.classifier_settings import (
    ClassifierSettings,
    load_classifier_settings,
)
from statementkit.checks.patterns import Pattern, PatternError, PatternSet, compile_pattern
from statementkit.checks.registry import get_kind, kind_names
from statementkit.errors import RulesError
from statementkit.records import REASON_CODES
from statementkit.resources import rules_dir as bundled_rules_dir
from statementkit.rules import (
    check_keys,
    key_line,
    line_of,
    load_toml,
    resolve_rules_dir,
    rules_file,
)
from statementkit.text.language import DEFAULT_LANGUAGES

SEVERITIES = ("reject", "review", "info")
CRITERION_KEYS = ("id", "code", "kind", "severity", "weak_severity", "weak_variants", "enabled")
ASSEMBLY_KEYS = ("name", "languages", "moderator_language", "base", "example")
LEXICON_SECTIONS: dict[str, tuple[str, ...]] = {
    "vague": ("strong", "weak", "generic"),
    "reply": ("strong", "weak", "continuation"),
    "incivility": ("insults", "profanity", "attacks", "harsh", "targets", "link"),
    "standpoint": ("modal", "evaluative", "stance", "proposal", "future", "neutral", "copula", "question", "asking", "asking_before_noun", "interrogative"),
    "clauses": ("coordinators", "adversative", "additive", "contrast", "subordinators", "verbs", "elaboration",
                "infinitive", "openers", "purpose", "anaphora", "reference", "determiners", "demonstratives",
                "auxiliaries", "imperative", "copulas"),
}
JARGON_KEYS = ("id", "match", "plain", "weak")
SCOPE_KEYS = ("name", "description", "in_scope_when", "reply_out_of_scope_when", "lexicon_groups", "exemplars",
              "top_k", "min_similarity", "rescue_similarity", "examples", "groups", "outside", "outside_margin")
EXEMPLAR_SOURCES = ("taxonomy", "against", "description", "examples")
#: Lexicon lists of particular forms (tenses), matched as written rather than by lemma.
FORMS_ONLY = frozenset({"standpoint.future", "standpoint.proposal", "incivility.insults"})


@dataclass(slots=True)
class Criterion:
    """One [[criteria]] entry: a check kind with its severity and parameters."""

    id: str
    code: str
    kind: str
    severity: str = "reject"
    weak_severity: str = "review"
    enabled: bool = True
    params: dict[str, Any] = field(default_factory=dict)
    #: kinds of finding (message variants) whose evidence is weak: they get `weak_severity`
    weak_variants: tuple[str, ...] = ()


@dataclass(slots=True)
class Rules:
    """Everything the checks interpret, loaded from one rules directory."""

    dir: Path
    name: str
    languages: tuple[str, ...]
    moderator_language: str
    criteria: list[Criterion]
    lexicons: dict[str, dict[str, dict[str, list[str]]]]
    jargon: list[dict[str, Any]]
    scope: dict[str, Any]
    messages: dict[str, dict[str, Any]]
    files: dict[str, Path]
    classifier: ClassifierSettings | None = None  # None without classifier.toml
    #: language -> (should, should not): the example openings advice offers ("Museums should …")
    examples: dict[str, tuple[str, str]] = field(default_factory=dict)
    _compiled: dict[str, PatternSet] = field(default_factory=dict)

    @property
    def default_language(self) -> str:
        return self.moderator_language if self.moderator_language in self.lexicons else \
            next(iter(self.lexicons), "en")

    def criterion(self, code: str) -> Criterion | None:
        return next((c for c in self.criteria if c.code == code and c.enabled), None)

    def lexicon(self, lang: str) -> dict[str, dict[str, list[str]]]:
        return self.lexicons.get(lang, {})

    def patterns(self, lang: str) -> PatternSet:
        """All patterns for `lang` in one indexed set; `data["cat"]` says which list each came from."""
        if lang not in self._compiled:
            self._compiled[lang] = self._compile(lang)
        return self._compiled[lang]

    def _compile(self, lang: str, folder: Path | None = None) -> PatternSet:
        """Every lexicon, jargon and scope pattern of `lang`, compiled (or read from the pattern
        cache, which holds exactly what compiling these sources gives; `folder`: another one)."""
        from statementkit.checks.pattern_cache import cached_patterns

        sources: list[tuple[str, bool, dict[str, Any]]] = []
        origins: list[tuple[Path | None, str]] = []  # where each source comes from, for errors

        def add(values: list[Any], cat: str, path: Path | None, where: str, **data: Any) -> None:
            for src in values:
                if not isinstance(src, str):
                    raise RulesError(f"{where}: patterns must be strings, got {src!r}", path, line_of(path, str(src)))
                sources.append((src, cat in FORMS_ONLY, {"cat": cat, **data}))
                origins.append((path, where))

        for section, lists in self.lexicon(lang).items():
            for key, values in lists.items():
                add(values, f"{section}.{key}", self.files[f"lexicon:{lang}"], f"[{section}] {key}")
        jargon_path = self.files.get("jargon")
        for n, term in enumerate(self.jargon):
            match = term.get("match", {})
            values = list(match.get("any", [])) + list(match.get(lang, []))
            plain = term.get("plain", {})
            add(values, "jargon", jargon_path, f"terms[{n}] ({term['id']}) match",
                term=term["id"], plain=plain.get(lang) or plain.get("en"), weak=bool(term.get("weak", False)))
        scope_path = self.files.get("scope")
        for group, table in self.scope.get("groups", {}).items():
            values = list(table.get("any", [])) + list(table.get(lang, []))
            add(values, f"scope.{group}", scope_path, f"[scope.groups.{group}] {lang}")

        def compile_all() -> list[Pattern]:
            compiled = []
            for (src, forms_only, data), (path, where) in zip(sources, origins):
                try:
                    compiled.append(compile_pattern(src, lang, data, forms_only=forms_only))
                except PatternError as e:
                    raise RulesError(f"{where}: bad pattern '{src}': {e}", path, line_of(path, f'"{src}"'),
                                     hint="pattern syntax: rules/README.md") from None
            return compiled

        return PatternSet(cached_patterns(lang, sources, compile_all, folder))

    def scope_name(self, lang: str) -> str:
        names = self.scope.get("name", {})
        return names.get(lang) or names.get(self.moderator_language) or names.get("en") or self.name

    def advice_example(self, lang: str) -> tuple[str, str]:
        """(should, should not) openings for advice in `lang`: the assembly's own, else the
        generic ones of the messages file ("We should …"), so no advice names another assembly."""
        if lang in self.examples:
            return self.examples[lang]
        table = self.message_table(lang).get("example", {})
        return str(table.get("should", "")), str(table.get("should_not", ""))

    def message_table(self, lang: str) -> dict[str, Any]:
        return self.messages.get(lang) or self.messages.get(self.moderator_language) or \
            self.messages.get("en") or {}


def _find(root: Path, name: str, base: Path | None) -> Path | None:
    p = root / name
    if p.exists():
        return p
    if base is not None and (base / name).exists():
        return base / name
    return None


def _load_assembly(root: Path, files: dict[str, Path]) -> tuple[dict[str, Any], Path | None]:
    path = root / "assembly.toml"
    if not path.exists():
        return {}, None
    files["assembly"] = path
    table = load_toml(path).get("assembly", {})
    if not isinstance(table, dict):
        raise RulesError("'assembly' must be a table", path)
    check_keys(table, ASSEMBLY_KEYS, path, "assembly")
    base = table.get("base")
    if base is None:
        return table, None
    if base != "bundled":
        raise RulesError(f"unknown base '{base}'", path, key_line(path, "base"), hint='valid: "bundled"')
    return table, bundled_rules_dir()


def _load_examples(assembly: dict[str, Any], path: Path | None) -> dict[str, tuple[str, str]]:
    """`[assembly] example.<lang> = ["should …", "should not …"]`, validated."""
    table = assembly.get("example", {})
    hint = 'e.g. example.en = ["The city should …", "The city should not …"]'
    if not isinstance(table, dict):
        raise RulesError("assembly.example must map languages to [should, should not]", path,
                         key_line(path, "example") if path else None, hint=hint)
    out = {}
    for lang, pair in table.items():
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) and x.strip() for x in pair)):
            raise RulesError(f"assembly.example.{lang} must be two texts [should, should not]", path,
                             line_of(path, f"example.{lang}") if path else None, hint=hint)
        out[lang] = (pair[0], pair[1])
    return out


def _load_criteria(path: Path) -> list[Criterion]:
    data = load_toml(path)
    check_keys(data, ("criteria",), path, "")
    entries = data.get("criteria", [])
    if not isinstance(entries, list) or not entries:
        raise RulesError("expected one or more [[criteria]] entries", path)
    out: list[Criterion] = []
    seen: set[str] = set()
    for n, raw in enumerate(entries):
        where = f"criteria[{n}]"
        for key in ("id", "code", "kind"):
            if not isinstance(raw.get(key), str) or not raw[key]:
                raise RulesError(f"{where}: missing or empty '{key}'", path)
        line = line_of(path, f'id = "{raw["id"]}"')
        if raw["id"] in seen:
            raise RulesError(f"{where}: duplicate id '{raw['id']}'", path, line)
        seen.add(raw["id"])
        if raw["code"] not in REASON_CODES:
            raise RulesError(f"{where}: unknown code '{raw['code']}'", path, line,
                             hint=f"valid: {', '.join(REASON_CODES)}")
        kind = get_kind(raw["kind"])
        if kind is None:
            raise RulesError(f"{where}: unknown kind '{raw['kind']}'", path, line,
                             hint=f"valid: {', '.join(kind_names())}")
        valid = CRITERION_KEYS + tuple(kind.params)
        for key in raw:
            if key not in valid:
                raise RulesError(f"unknown key '{key}' in {where} ({raw['id']})", path,
                                 key_line(path, key), hint=f"valid: {', '.join(valid)}")
        for key in ("severity", "weak_severity"):
            if key in raw and raw[key] not in SEVERITIES:
                raise RulesError(f"{where}: {key} must be one of {', '.join(SEVERITIES)}, got '{raw[key]}'",
                                 path, key_line(path, key))
        params = dict(kind.params)
        for key, default in kind.params.items():
            if key not in raw:
                continue
            value = raw[key]
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) if isinstance(default, float) \
                else default is None or isinstance(value, type(default))
            if not ok:
                raise RulesError(f"{where}: '{key}' must be {type(default).__name__}, got {value!r}", path,
                                 key_line(path, key))
            params[key] = value
        weak_variants = raw.get("weak_variants", [])
        if not isinstance(weak_variants, list) or not all(isinstance(v, str) for v in weak_variants):
            raise RulesError(f"{where}: weak_variants must be a list of message variants such as [\"fact\"]", path,
                             key_line(path, "weak_variants"))
        out.append(Criterion(raw["id"], raw["code"], raw["kind"], raw.get("severity", "reject"),
                             raw.get("weak_severity", "review"), bool(raw.get("enabled", True)), params,
                             tuple(weak_variants)))
    return out


def _string_list(value: Any, path: Path, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise RulesError(f"{where} must be a list of strings", path, key_line(path, where.split(".")[-1]))
    return value


def _load_lexicon(path: Path, lang: str) -> dict[str, dict[str, list[str]]]:
    data = load_toml(path)
    check_keys(data, ("lang", *LEXICON_SECTIONS), path, "")
    if data.get("lang", lang) != lang:
        raise RulesError(f"lang = '{data.get('lang')}' but the file is for '{lang}'", path, key_line(path, "lang"))
    out: dict[str, dict[str, list[str]]] = {}
    for section, keys in LEXICON_SECTIONS.items():
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise RulesError(f"[{section}] must be a table", path)
        check_keys(table, keys, path, section)
        out[section] = {k: _string_list(v, path, f"{section}.{k}") for k, v in table.items()}
    return out


def _load_jargon(path: Path) -> list[dict[str, Any]]:
    data = load_toml(path)
    check_keys(data, ("terms",), path, "")
    terms = data.get("terms", [])
    for n, term in enumerate(terms):
        check_keys(term, JARGON_KEYS, path, f"terms[{n}]")
        if not isinstance(term.get("id"), str):
            raise RulesError(f"terms[{n}]: missing 'id'", path)
        if not isinstance(term.get("match"), dict) or not term["match"]:
            raise RulesError(f"terms[{n}] ({term['id']}): 'match' must map languages (or 'any') to patterns",
                             path, line_of(path, f'"{term["id"]}"'))
        for lang, pats in term["match"].items():
            _string_list(pats, path, f"terms[{n}].match.{lang}")
        if not isinstance(term.get("plain", {}), dict):
            raise RulesError(f"terms[{n}] ({term['id']}): 'plain' must map languages to words", path)
    return terms


def _load_scope(path: Path) -> dict[str, Any]:
    data = load_toml(path)
    check_keys(data, ("scope",), path, "")
    scope = data.get("scope", {})
    check_keys(scope, SCOPE_KEYS, path, "scope")
    groups = scope.get("groups", {})
    for name, table in groups.items():
        if not isinstance(table, dict):
            raise RulesError(f"scope.groups.{name} must map languages (or 'any') to patterns", path)
        for lang, pats in table.items():
            _string_list(pats, path, f"scope.groups.{name}.{lang}")
    when = scope.get("in_scope_when", [[g] for g in groups])
    line = key_line(path, "in_scope_when")
    # no keyword groups: the subject is judged by meaning alone (exemplars and an embedding model)
    if not isinstance(when, list) or (not when and groups):
        raise RulesError("scope.in_scope_when must be a list of conditions", path, line)
    normalised = []
    for combo in when:
        if isinstance(combo, list):
            combo = {"all": combo}
        if not isinstance(combo, dict) or not combo or set(combo) - {"all", "any", "none"}:
            raise RulesError("each scope.in_scope_when condition is a list of groups that must all be mentioned, "
                             "or a table with keys all / any / none", path, line)
        for key, names in combo.items():
            for g in _string_list(names, path, f"scope.in_scope_when.{key}"):
                if g not in groups:
                    raise RulesError(f"scope.in_scope_when names unknown group '{g}'", path, line,
                                     hint=f"groups: {', '.join(groups) or 'none'}")
        normalised.append(combo)
    scope["in_scope_when"] = normalised
    for src in scope.get("exemplars", []):
        if src not in EXEMPLAR_SOURCES:
            raise RulesError(f"scope.exemplars: unknown source '{src}'", path, key_line(path, "exemplars"),
                             hint=f"valid: {', '.join(EXEMPLAR_SOURCES)}")
    for key in ("examples", "outside"):
        if key in scope:
            _string_list(scope[key], path, f"scope.{key}")
    for key in ("top_k", "min_similarity", "rescue_similarity", "outside_margin"):
        if key in scope and not isinstance(scope[key], (int, float)):
            raise RulesError(f"scope.{key} must be a number", path, key_line(path, key))
    return scope


def load_rules(rules_dir: str | Path | None = None) -> Rules:
    """Read and validate a rules directory (default: the bundled `rules/`)."""
    root = resolve_rules_dir(rules_dir)
    files: dict[str, Path] = {}
    assembly, base = _load_assembly(root, files)
    if rules_dir is None:
        base = None
    criteria_path = _find(root, "criteria.toml", base)
    if criteria_path is None:
        raise RulesError("no criteria.toml", root, hint=f"copy {bundled_rules_dir() / 'criteria.toml'} "
                                                        "or set [assembly] base = \"bundled\" in assembly.toml")
    files["criteria"] = criteria_path
    criteria = _load_criteria(criteria_path)
    languages = tuple(assembly.get("languages", DEFAULT_LANGUAGES))
    lexicons: dict[str, dict[str, dict[str, list[str]]]] = {}
    dirs = [d for d in (root, base) if d is not None]
    for d in dirs:
        for path in sorted((d / "lexicons").glob("*.toml")) if (d / "lexicons").is_dir() else []:
            lang = path.stem
            if lang == "jargon" or lang in lexicons:
                continue
            files[f"lexicon:{lang}"] = path
            lexicons[lang] = _load_lexicon(path, lang)
    jargon_path = _find(root, "lexicons/jargon.toml", base)
    jargon = _load_jargon(jargon_path) if jargon_path else []
    if jargon_path:
        files["jargon"] = jargon_path
    scope_path = _find(root, "scope.toml", base)
    scope = _load_scope(scope_path) if scope_path else {}
    if scope_path:
        files["scope"] = scope_path
    taxonomy = rules_file(root, "taxonomy.toml") if rules_dir is not None else _find(root, "taxonomy.toml", None)
    if taxonomy:
        files["taxonomy"] = taxonomy
    messages: dict[str, dict[str, Any]] = {}
    for d in dirs:
        for path in sorted((d / "messages").glob("*.toml")) if (d / "messages").is_dir() else []:
            if path.stem not in messages:
                files[f"messages:{path.stem}"] = path
                messages[path.stem] = load_toml(path)
    classifier = None
    classifier_path = _find(root, "classifier.toml", base)
    if classifier_path:

        files["classifier"] = classifier_path
        classifier = load_classifier_settings(classifier_path, classifier_path.parent)
        for n, source in enumerate(classifier.examples):
            files["examples" if n == 0 else f"examples:{source.path.stem}"] = source.path
    examples = _load_examples(assembly, files.get("assembly"))
    moderator = assembly.get("moderator_language", "en")
    if not isinstance(moderator, str):
        raise RulesError("assembly.moderator_language must be a language code", files.get("assembly"))
    return Rules(root, assembly.get("name", root.name), tuple(x.lower() for x in languages), moderator, criteria,
                 lexicons, jargon, scope, messages, files, classifier, examples)
