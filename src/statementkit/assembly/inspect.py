"""`statementkit rules check DIR`: validate a rules folder and say what each criterion will do.

Loading the folder (`checks.load_rules`) already refuses a malformed file with
its name, line and key; this adds what a valid folder cannot say about itself:
which criteria will act and how, which languages have lexicons, what scope is
judged by, whether there is a taxonomy, and warnings for settings that make a
criterion do nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: What each check kind does, in one line (its parameters are filled in).
KIND_TEXT = {
    "length": "rejects statements over {max_chars} characters",
    "jargon": "flags AI specialist terms of lexicons/{lexicon}.toml with a plain word to use instead",
    "vague": "flags vague phrases, or weak words with at most {max_concrete} concrete word(s) besides them",
    "standpoint": "flags questions and neutral facts: a statement must take a position",
    "multiple_ideas": "flags several claims in one statement",
    "reply": "flags replies to other statements (reply markers)",
    "incivility": "flags insults, profanity and attacks on people",
    "duplicate": "flags near-duplicates of published statements (with --against) and of the same batch",
}


@dataclass(slots=True)
class RulesSummary:
    """What a rules folder sets up: one line per criterion, the subject, and warnings."""

    folder: Path
    name: str
    languages: tuple[str, ...]
    criteria: list[tuple[str, str, str]] = field(default_factory=list)   # (id, severity, what it does)
    facts: list[tuple[str, str]] = field(default_factory=list)           # (topic, text)
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.folder}: {self.name} ({', '.join(self.languages)})", ""]
        out += [f"  {cid:<14} {sev:<7} {text}" for cid, sev, text in self.criteria]
        out += [""] + [f"  {topic}: {text}" for topic, text in self.facts]
        out += [f"warning: {w}" for w in self.warnings]
        return out


def inspect_rules(folder: str | Path) -> RulesSummary:
    """Load `folder` (raising RulesError on a mistake) and describe what it will do."""
    from statementkit.checks.ruleset import load_rules
    from statementkit.themes.taxonomy import taxonomy_for_rules

    rules = load_rules(folder)
    summary = RulesSummary(Path(folder), rules.name, rules.languages)
    for c in rules.criteria:
        if not c.enabled:
            summary.criteria.append((c.id, "off", "switched off (enabled = false)"))
            continue
        text = _scope_text(rules) if c.kind == "scope" else KIND_TEXT.get(c.kind, c.kind).format(**c.params)
        weak = f"; weak evidence ({', '.join(c.weak_variants)}) → {c.weak_severity}" if c.weak_variants else ""
        summary.criteria.append((c.id, c.severity, f"{c.code}: {text}{weak}"))
    covered = [lang for lang in rules.languages if lang in rules.lexicons]
    missing = [lang for lang in rules.languages if lang not in rules.lexicons]
    summary.facts.append(("lexicons", ", ".join(covered) or "none"))
    if missing:
        summary.warnings.append(f"no lexicons for {', '.join(missing)}: only length, duplicates and (with a model) "
                                "scope and the classifiers judge statements in it")
    no_messages = [lang for lang in rules.languages if lang not in rules.messages]
    if no_messages:
        summary.facts.append(("messages", f"{', '.join(no_messages)} get advice in {rules.moderator_language}"))
    if rules.classifier is not None:
        summary.facts.append(("classifiers", _classifier_text(rules)))
    should, should_not = rules.advice_example(rules.default_language)
    summary.facts.append(("advice example", f"“{should}” / “{should_not}”"))
    taxonomy = taxonomy_for_rules(folder)
    summary.facts.append(("taxonomy", "none: `statementkit themes` gives clusters with labels, theme null"
                          if taxonomy.empty else f"{len(taxonomy.themes)} themes from {taxonomy.path}"))
    scope = rules.scope
    if rules.criterion("out_of_scope") and scope and not scope.get("groups") and not _exemplar_count(rules):
        summary.warnings.append("scope.toml has neither keywords nor a description or examples: "
                                "nothing is ever judged off topic")
    return summary


def _classifier_text(rules) -> str:
    """What the learned stage learns from and where its thresholds were measured."""
    settings = rules.classifier
    sources = ", ".join(f"{src.path.name} (×{src.weight:g})" for src in settings.examples)
    parts = [f"with a model, {', '.join(settings.codes)} learned from {sources}"]
    measured = sorted({lang for cs in settings.codes.values() for lang in cs.languages})
    if measured:
        parts.append(f"thresholds for {', '.join(measured)}, `elsewhere` ones for other languages")
    return "; ".join(parts)


def _exemplar_count(rules) -> int:
    from statementkit.checks.kinds.scope import exemplars

    return len(exemplars(rules, None))


def _scope_text(rules) -> str:
    from statementkit.checks.kinds.scope import outside_texts

    scope = rules.scope
    if not scope:
        return "no scope.toml: nothing is judged off topic"
    name = rules.scope_name(rules.default_language)
    groups = scope.get("groups", {})
    parts = [f"about “{name}”"]
    if groups:
        parts.append(f"keywords ({len(groups)} group(s)) decide where they exist")
    parts.append(f"with a model, meaning: the mean similarity to the {scope.get('top_k', 3)} nearest of "
                 f"{_exemplar_count(rules)} exemplar(s) (+ published statements) must reach "
                 f"{float(scope.get('min_similarity', 0.3)):.2f}")
    if outside_texts(rules):
        parts.append(f"and not be nearer to the {len(outside_texts(rules))} off-topic example(s) by "
                     f"{float(scope.get('outside_margin', 0.05)):.2f}")
    if not groups:
        parts.append("without a model nothing is judged off topic")
    return "; ".join(parts)
