"""`out_of_scope`: not about the assembly's subject.

Keywords first: the scope's keyword groups (scope.toml) per language; a
statement whose groups cover one of the `in_scope_when` combinations is in
scope. With an embedding model the rest are judged by meaning: the mean
cosine similarity to their `top_k` nearest in-scope exemplars (taxonomy
examples, published statements, the scope description in every language);
with `outside` examples (statements known to be off topic), one nearer to
them than to the exemplars by `outside_margin` is off topic too.
Without a model, a statement that mentions part of the subject (heritage but
no AI) gets a weak flag (review), one that mentions none a full one; a
language without keywords is left alone rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from statementkit.checks.document import Doc
from statementkit.checks.kinds.lexical import concrete_words, covered, matches
from statementkit.checks.registry import Context, Finding, register_check
from statementkit.checks.ruleset import Criterion, Rules


def groups_hit(doc: Doc, rules: Rules) -> set[str]:
    scope = rules.scope
    hit = {cat.split(".", 1)[1] for cat, ms in doc.cache.get("m", {}).items() if cat.startswith("scope.") and ms}
    for lexicon, group in scope.get("lexicon_groups", {}).items():
        if matches(doc, lexicon):
            hit.add(group)
    return hit


def has_content(doc: Doc, hit: set[str]) -> bool:
    """Something to judge: a scope keyword (of any group, off-topic ones included), or two
    content words outside reply markers, vague phrases and standpoint words."""
    if hit:
        return True
    skip: set[int] = set()
    for cat, ms in doc.cache.get("m", {}).items():
        if cat.startswith(("reply.", "vague.", "standpoint.modal", "standpoint.stance")):
            skip |= covered(doc, ms)
    return len(concrete_words(doc, skip)) >= 2


def keyword_in_scope(hit: set[str], rules: Rules) -> bool:
    """Whether the groups mentioned satisfy one `in_scope_when` condition (all / any / none)."""
    for combo in rules.scope.get("in_scope_when", []):
        if not all(g in hit for g in combo.get("all", ())):
            continue
        if combo.get("any") and not any(g in hit for g in combo["any"]):
            continue
        if any(g in hit for g in combo.get("none", ())):
            continue
        return True
    return False


def exemplars(rules: Rules, against: Sequence[Any] | None) -> list[str]:
    """In-scope texts to compare with: taxonomy examples, published statements, descriptions, examples."""
    scope = rules.scope
    texts: list[str] = []
    for source in scope.get("exemplars", []):
        if source == "taxonomy" and "taxonomy" in rules.files:
            texts += taxonomy_texts(rules.files["taxonomy"])
        elif source == "against" and against:
            texts += [s.text for s in against]
        elif source == "description":
            texts += [d for d in scope.get("description", {}).values() if isinstance(d, str)]
        elif source == "examples":
            texts += [x for x in scope.get("examples", []) if isinstance(x, str)]
    return list(dict.fromkeys(t for t in texts if t.strip()))


_EXEMPLAR_VECTORS: dict[tuple[str, tuple[str, ...]], Any] = {}
_TAXONOMY_TEXTS: dict[tuple[str, int, int], list[str]] = {}


def taxonomy_texts(path: Path) -> list[str]:
    """The taxonomy's examples and descriptions, parsed once per version of the file: parsing it on
    every check call cost a long-lived process (`statementkit serve`) ~50 ms per request."""
    from statementkit.rules import load_toml

    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _TAXONOMY_TEXTS:
        texts: list[str] = []
        for theme in load_toml(path).get("themes", []):
            texts += [ex["text"] for ex in theme.get("examples", []) if isinstance(ex, dict) and ex.get("text")]
            texts += [d for d in theme.get("description", {}).values() if isinstance(d, str)]
        if len(_TAXONOMY_TEXTS) >= 8:
            _TAXONOMY_TEXTS.pop(next(iter(_TAXONOMY_TEXTS)))
        _TAXONOMY_TEXTS[key] = texts
    return list(_TAXONOMY_TEXTS[key])


def outside_texts(rules: Rules) -> list[str]:
    """Statements known to be off topic (`outside` in scope.toml), e.g. ones the moderators rejected."""
    return list(dict.fromkeys(x for x in rules.scope.get("outside", []) if isinstance(x, str) and x.strip()))


def similarities(texts: Sequence[str], rules: Rules, ctx: Context, vectors: Any = None,
                 outside: bool = False) -> list[float]:
    """Mean cosine to the `top_k` nearest exemplars, per text (`vectors`: the texts' vectors, if known);
    with `outside`, to the off-topic examples instead."""
    import numpy as np

    from statementkit.checks.learned import model_id
    from statementkit.embed import encode

    key = "scope.outside_vectors" if outside else "scope.exemplar_vectors"
    if key not in ctx.cache:
        ex = outside_texts(rules) if outside else exemplars(rules, ctx.against)
        memo = (model_id(ctx.embedder), tuple(ex))
        if memo not in _EXEMPLAR_VECTORS:  # the same exemplars on every run of a long-lived process
            if len(_EXEMPLAR_VECTORS) >= 8:
                _EXEMPLAR_VECTORS.pop(next(iter(_EXEMPLAR_VECTORS)))
            _EXEMPLAR_VECTORS[memo] = encode(ctx.embedder, ex) if ex else None
        ctx.cache[key] = _EXEMPLAR_VECTORS[memo]
    ref = ctx.cache[key]
    if ref is None or not len(texts):
        return [1.0] * len(texts)
    vecs = encode(ctx.embedder, list(texts)) if vectors is None else vectors
    sims = vecs @ ref.T
    k = max(1, min(int(rules.scope.get("top_k", 3)), sims.shape[1]))
    top = -np.sort(-sims, axis=1)[:, :k]
    return [float(x) for x in top.mean(axis=1)]


@register_check("scope", batch=True, scope="scope")
def out_of_scope(docs: Sequence[Doc], criterion: Criterion, ctx: Context) -> dict[int, list[Finding]]:
    rules = ctx.rules
    if not rules.scope:
        return {}
    undecided: list[tuple[Doc, set[str]]] = []
    for doc in docs:
        hit = groups_hit(doc, rules)
        if not has_content(doc, hit):
            continue  # a bare reply or an empty phrase has no topic to judge
        if matches(doc, "reply.strong") and not hit & set(rules.scope.get("reply_out_of_scope_when", [])):
            continue  # a reply's topic may be in the statement it answers
        doc.cache["scope_groups"] = sorted(hit)
        if keyword_in_scope(hit, rules):
            continue
        undecided.append((doc, hit))
    out: dict[int, list[Finding]] = {}
    groups = rules.scope.get("groups", {})
    negative = {g for combo in rules.scope.get("in_scope_when", []) for g in combo.get("none", ())}
    sims: list[float | None] = [None] * len(undecided)
    nearer_outside: list[bool] = [False] * len(undecided)
    if ctx.embedder is not None and undecided:
        from statementkit.checks.learned import doc_vectors

        vectors = doc_vectors(docs, ctx)[[d.index for d, _ in undecided]]
        texts = [d.text for d, _ in undecided]
        sims = list(similarities(texts, rules, ctx, vectors))
        if outside_texts(rules):  # closer to known off-topic statements than to the subject, by a margin
            margin = float(rules.scope.get("outside_margin", 0.05))
            away = similarities(texts, rules, ctx, vectors, outside=True)
            nearer_outside = [o >= i + margin for o, i in zip(away, sims)]
    threshold = float(rules.scope.get("min_similarity", 0.3))
    rescue = float(rules.scope.get("rescue_similarity", 0.45))
    for (doc, hit), sim, away in zip(undecided, sims, nearer_outside):
        has_keywords = any(table.get(doc.lang) for table in groups.values())
        if sim is not None:
            doc.cache["scope_similarity"] = sim
            # keywords decide where they exist; meaning rescues a close paraphrase and judges other languages
            if sim >= (rescue if has_keywords else threshold) and not away:
                continue
            if not has_keywords:
                out[doc.index] = [Finding(criterion.code, criterion.id, None, variant="meaning",
                                          values={"similarity": round(sim, 2)})]
                continue
        elif not has_keywords:
            continue  # no keywords for this language: only a model could tell
        # part of the subject (heritage, no technology) is weaker evidence than none, or another domain
        weak = bool(hit - negative) and not hit & negative
        out[doc.index] = [Finding(criterion.code, criterion.id, None, variant="keywords" if weak else None,
                                  weak=weak)]
    return out
