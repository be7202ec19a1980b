"""The learned stage of the checks: classifier flags beside the lexicon flags.

When `check()` gets an embedding model, every statement is also scored by
the classifiers of `rules/classifier.toml` (`learned_model`). For each code
with an enabled criterion:

- a statement the lexicons did not flag is flagged when the calibrated
  probability reaches `flag` (weak evidence: the criterion's weak severity,
  review) or `strong` (its severity, reject);
- with `veto`, a lexicon flag is dropped when the probability is below it
  (only flags of the kinds in `veto_variants`, when given);
- `gate = "structure"` restricts classifier-only flags to statements with a
  second sentence, a semicolon or a coordinated clause (multiple_ideas);
  `gate = "no_position"` to statements without a proposal or stance the
  lexicons know the shape of (no_standpoint), so the classifier cannot overrule
  a demand ("Keine Lebendtiertransporte mehr!", "Carsharing ausbauen") or a
  stated belief ("I believe in strict gun control"), nor flag the rest of
  another comment ("auch in Privatgärten": not_standalone's to flag)

A classifier-only flag still says what and where: its span is the clause
the classifier finds most typical of the code (a reply marker, an insult,
the empty phrase), the second claim for multiple_ideas, or the whole
statement; its message (variant `model` in messages/<lang>.toml) says why in
plain words. Without a model the checks are the lexicons alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from statementkit.checks.registry import Context, Finding
from statementkit.errors import RulesError
from statementkit.records import REASON_CODES, Span

if TYPE_CHECKING:
    import numpy as np

    from statementkit.checks.classifier_settings import ClassifierSettings
    from statementkit.checks.document import Doc
    from statementkit.checks.learned_model import CodeModels
    from statementkit.checks.ruleset import Rules

_CLAUSE = re.compile(r"[^,;:.!?()\u2013\u2014]+")


def model_id(embedder: Any) -> str:
    return str(getattr(embedder, "id", type(embedder).__name__))


def active_codes(rules: Rules, embedder: Any = None) -> list[str]:
    """Codes the classifier judges here: configured, with an enabled criterion, for this
    embedding model (if given), and (for assembly-specific codes) with examples from the same
    rules directory as scope.toml."""
    settings = rules.classifier
    if settings is None or embedder is not None and settings.models and model_id(embedder) not in settings.models:
        return []
    out = []
    for code in settings.codes:
        if rules.criterion(code) is None:
            continue
        if code in settings.assembly_specific:
            scope = rules.files.get("scope")
            if scope is None or scope.parent != settings.examples[0].path.parent.parent:
                continue
        out.append(code)
    return out


_FITS: dict[str, CodeModels] = {}


def models_for(rules: Rules, embedder: Any) -> CodeModels:
    """The fitted classifiers for these rules and this embedding model: in memory, bundled,
    cached on disk, or fitted now (and cached)."""
    from statementkit.checks import learned_model
    from statementkit.embed import encode

    settings = rules.classifier
    assert settings is not None
    codes = list(settings.codes)
    for source in settings.examples:
        if not source.path.exists():
            raise RulesError("examples file not found", source.path, hint="classifier.examples in classifier.toml")
    key = learned_model.fit_key(settings.examples, model_id(embedder), codes, settings.C, settings.lexical_weight)
    if key in _FITS:
        return _FITS[key]
    found = learned_model.cached(key)
    if found is None:
        examples = [e for source in settings.examples
                    for e in learned_model.load_examples(source.path, REASON_CODES, weight=source.weight)]
        vectors = encode(embedder, [e.text for e in examples])
        found = learned_model.fit(examples, vectors, codes, C=settings.C, lexical_weight=settings.lexical_weight,
                                  meta={"key": key, "model": model_id(embedder), "examples": [s.path.name for s in settings.examples],
                                        "n": len(examples)})
        learned_model.store(found)
    _FITS[key] = found
    return found


def run_models(ctx: Context) -> CodeModels:
    """`models_for` once per check run (finding a fit hashes the examples file)."""
    if "learned_models" not in ctx.cache:
        ctx.cache["learned_models"] = models_for(ctx.rules, ctx.embedder)
    return ctx.cache["learned_models"]


def doc_vectors(docs: Sequence[Doc], ctx: Context) -> np.ndarray:
    """Sentence vectors of the docs, encoded once per check run (the scope check reuses them)."""
    import numpy as np

    from statementkit.embed import encode

    if "doc_vectors" not in ctx.cache:
        ctx.cache["doc_vectors"] = encode(ctx.embedder, [d.text for d in docs]) if docs else np.zeros((0, 1))
    return ctx.cache["doc_vectors"]


def probabilities(docs: Sequence[Doc], ctx: Context) -> tuple[list[str], np.ndarray]:
    """(codes, n x codes probabilities) for the docs; empty when nothing is learned here."""
    import numpy as np

    codes = active_codes(ctx.rules, ctx.embedder) if ctx.embedder is not None else []
    if not codes or not docs:
        return [], np.zeros((len(docs), 0))
    models = run_models(ctx)
    probs = models.probabilities(doc_vectors(docs, ctx), [d.text for d in docs])
    return codes, probs[:, [models.column(c) for c in codes]]


def decide(docs: Sequence[Doc], found: list[list[Finding]], codes: Sequence[str], probs: np.ndarray,
           settings: ClassifierSettings) -> list[tuple[int, str, float]]:
    """Drop vetoed lexicon findings from `found` (in place); return the classifier-only flags
    to add as (doc position, code, probability)."""
    pending: list[tuple[int, str, float]] = []
    for i, doc in enumerate(docs):
        for j, code in enumerate(codes):
            p = float(probs[i, j])
            cs = settings.codes[code].for_language(doc.lang)
            if cs is None:
                continue
            if any(f.code == code for f in found[i]):
                if p < cs.veto:
                    found[i] = [f for f in found[i] if f.code != code
                                or cs.veto_variants and f.variant not in cs.veto_variants]
                continue
            if p >= cs.flag and passes_gate(doc, cs.gate):
                pending.append((i, code, p))
    return pending


def passes_gate(doc: Doc, gate: str) -> bool:
    """Whether a classifier-only flag may be raised on `doc` (classifier.toml's `gate`)."""
    if gate == "structure":
        return has_structure(doc)
    if gate == "no_position":
        from statementkit.checks.kinds.lexical import continuation
        from statementkit.checks.kinds.standpoint import states_a_position

        # the rest of another comment ("auch in Privatgärten") has its standpoint there: it is
        # not_standalone's to flag, as a reply's missing claim is
        return not states_a_position(doc) and not continuation(doc)
    return True


def apply(docs: Sequence[Doc], found: list[list[Finding]], ctx: Context) -> None:
    """Add classifier flags to `found` (per doc, in place) and drop vetoed lexicon flags."""
    codes, probs = probabilities(docs, ctx)
    if not codes:
        return
    settings = ctx.rules.classifier
    assert settings is not None
    ctx.cache["learned"] = {"codes": codes, "probabilities": probs}
    from statementkit.checks.kinds.clauses import prime

    for doc in docs:
        prime(doc, ctx.rules)  # the structure gate reads clauses
    pending = decide(docs, found, codes, probs, settings)
    spans = best_spans(docs, pending, ctx)
    for (i, code, p), span in zip(pending, spans):
        crit = ctx.rules.criterion(code)
        assert crit is not None
        term = docs[i].text[span.start:span.end] if span else docs[i].text.strip()
        thresholds = settings.codes[code].for_language(docs[i].lang)
        assert thresholds is not None  # decide() skips a language without thresholds
        found[i].append(Finding(code, f"{crit.id}:model", span, variant="model",
                                values={"term": term, "confidence": round(100 * p)},
                                weak=p < thresholds.strong))


def has_structure(doc: Doc) -> bool:
    """Room for a second claim: two sentences with words, a semicolon, main clauses joined by a
    comma, or a coordination whose second part has a verb of its own in its main clause ("... and
    Europeana must pay"), not one joining two nouns ("the list of texts and the names of the people
    who read them")."""
    from statementkit.checks.kinds.clauses import VERB_LISTS, has_verb, positions
    from statementkit.checks.kinds.ideas import asyndetic, conjuncts

    sentences = sum(1 for a, b in doc.sentences if any(not u.punct for u in doc.units[a:b]))
    if sentences >= 2 or ";" in doc.text or asyndetic(doc):
        return True
    verbs = positions(doc, VERB_LISTS)
    subs = positions(doc, ("clauses.subordinators",))
    for c in conjuncts(doc, 2):
        ra, rb = c.right
        end = min([i for i in subs if ra < i < rb] or [rb])
        if has_verb(doc, ra, end, verbs):
            return True
    return False


def clauses(text: str) -> list[Span]:
    """Clauses of a statement: stretches between , ; : . ! ? ( ) and dashes, with 2+ words."""
    out = []
    for m in _CLAUSE.finditer(text):
        a, b = m.start(), m.end()
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if len(text[a:b].split()) >= 2:
            out.append(Span(a, b))
    return out


def _whole(doc: Doc) -> Span:
    text = doc.text
    a = len(text) - len(text.lstrip())
    return Span(a, len(text.rstrip()))


def best_spans(docs: Sequence[Doc], pending: Sequence[tuple[int, str, float]], ctx: Context) -> list[Span | None]:
    """Where each classifier-only flag points: the most typical clause, the second claim, or the statement."""
    from statementkit.embed import encode

    out: list[Span | None] = [None] * len(pending)
    wanted: list[tuple[int, int, Span]] = []  # (pending index, column, clause)
    models = run_models(ctx)
    for n, (i, code, _) in enumerate(pending):
        doc = docs[i]
        if code == "out_of_scope":
            continue  # about the whole statement, like the keyword flag
        if code == "multiple_ideas":
            out[n] = second_claim(doc) or _whole(doc)
            continue
        parts = clauses(doc.text)
        out[n] = _whole(doc)
        if len(parts) > 1 and code in ("vague", "not_standalone", "incivility", "jargon"):
            wanted += [(n, models.column(code), part) for part in parts]
    if wanted:
        texts = [docs[pending[n][0]].text[s.start:s.end] for n, _, s in wanted]
        probs = models.probabilities(encode(ctx.embedder, texts), texts)
        best: dict[int, tuple[float, Span]] = {}
        for (n, col, span), row in zip(wanted, probs):
            if n not in best or row[col] > best[n][0]:
                best[n] = (float(row[col]), span)
        for n, (_, span) in best.items():
            out[n] = span
    return out


def second_claim(doc: Doc) -> Span | None:
    """The second sentence, or the part after the first coordinator or semicolon."""
    from statementkit.checks.kinds.ideas import asyndetic, conjuncts

    sentences = [(a, b) for a, b in doc.sentences if any(not u.punct for u in doc.units[a:b])]
    if len(sentences) >= 2:
        a, b = sentences[1]
        return Span(doc.units[a].start, doc.units[b - 1].end)
    found = conjuncts(doc, 2) or asyndetic(doc)
    if found:
        c = found[0]
        return Span(doc.units[c.coord_first].start, doc.units[c.right[1] - 1].end)
    if ";" in doc.text:
        k = doc.text.index(";")
        return Span(k, len(doc.text.rstrip()))
    return None
