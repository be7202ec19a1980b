"""The learned stage of the checks: lexicons alone vs lexicons + classifiers.

Data: the training examples (rules/examples/criteria-examples.jsonl, 7
languages) and the dev split (benchmarks/data/criteria-dev.jsonl). The test
split is not read here: benchmarks/checks_quality.py --embed reports it, once.

- examples, cross-validated: the classifiers are fitted on 4/5 of the
  examples and judge the other fifth (5 folds). Translations of one statement
  into several languages stay in one fold (grouped by position within code set
  and language), so a fold never sees the same idea in another language.
  The lexicons run on every example (they do not learn from them, but were
  broadened after reading them: their numbers here are optimistic).
- dev: the classifiers fitted on all examples (the bundled fit) judge dev.

For each code: precision and recall of the lexicons alone, of the
classifier alone at its `flag` threshold, and of the combination that
`check()` uses (classifier.toml); plus a sweep of `flag` thresholds, which is
how the thresholds in classifier.toml were chosen (on these numbers only).

- real (`--real`): the real pol.is comments of the second examples file
  (rules/examples/polis-comments.jsonl), leave-one-conversation-out: the
  classifiers fitted on the written examples (at their weight) and the real
  comments of every other conversation judge each conversation, and the
  combination is scored per comment as benchmarks/checks_realtext.py scores
  it. This is how the real-text thresholds were chosen; the conversations of
  the real-text test split are in neither file.

    python benchmarks/checks_learned.py                 # both, writes results/checks_learned.json
    python benchmarks/checks_learned.py --real          # the real comments, writes results/checks_learned_real.json
    python benchmarks/checks_learned.py --errors dev    # list the combination's mistakes on dev
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections import defaultdict

import numpy as np
from _common import DATA, ROOT, print_table, write_result

from statementkit.checks import learned, learned_model, load_rules
from statementkit.checks.engine import findings, prepare
from statementkit.embed import CachedEmbedder, encode, load_embedder
from statementkit.records import REASON_CODES, Statement

LANGS = ("en", "de", "fr", "nl", "es", "it", "pl")
SWEEP = (0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98)
FOLDS = 5


def rows_of(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def folds_of(rows: list[dict]) -> np.ndarray:
    """Fold per row: the n-th statement with a given code set gets the same fold in every language."""
    seen: dict[tuple, int] = defaultdict(int)
    keys = []
    for r in rows:
        k = (r["lang"], tuple(r["codes"]))
        seen[k] += 1
        keys.append((tuple(r["codes"]), seen[k]))
    ids = {k: n for n, k in enumerate(sorted(set(keys)))}
    return np.array([ids[k] for k in keys]) % FOLDS


def lexicon_findings(rows: list[dict], rules):
    docs = prepare([Statement(str(i), r["text"], r["lang"]) for i, r in enumerate(rows)], rules)
    return docs, findings(docs, rules)


def codes_of(found) -> list[set[str]]:
    return [{f.code for f in fs} for fs in found]


def combined(docs, found, codes, probs, settings) -> list[set[str]]:
    found = [list(fs) for fs in found]
    pending = learned.decide(docs, found, codes, probs, settings)
    out = codes_of(found)
    for i, code, _ in pending:
        out[i].add(code)
    return out


def prf(gold: list[bool], got: list[bool]) -> dict:
    tp = sum(g and p for g, p in zip(gold, got))
    fp = sum(p and not g for g, p in zip(gold, got))
    fn = sum(g and not p for g, p in zip(gold, got))
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r) if p + r else 0, 3),
            "tp": tp, "fp": fp, "fn": fn}


def report(name: str, rows, lexicon: list[set[str]], both: list[set[str]], codes, probs, settings) -> dict:
    out: dict = {"n": len(rows), "codes": {}, "per_lang": {}, "sweep": {}}
    table = []
    for code in [c for c in REASON_CODES if c not in ("too_long", "duplicate")]:
        gold = [code in r["codes"] for r in rows]
        entry = {"lexicon": prf(gold, [code in s for s in lexicon]), "combined": prf(gold, [code in s for s in both])}
        if code in codes:
            col = probs[:, codes.index(code)]
            entry["classifier"] = prf(gold, [bool(p >= settings.codes[code].flag) for p in col])
            out["sweep"][code] = {str(t): prf(gold, [bool(code in s or p >= t) for s, p in zip(lexicon, col)]) for t in SWEEP}
        out["codes"][code] = entry
        c = entry.get("classifier", {})
        table.append([code, f"{entry['lexicon']['precision']:.2f}/{entry['lexicon']['recall']:.2f}",
                      f"{c['precision']:.2f}/{c['recall']:.2f}" if c else "-",
                      f"{entry['combined']['precision']:.2f}/{entry['combined']['recall']:.2f}"])
    for lang in LANGS:
        idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
        accept = {}
        for label, pred in (("lexicon", lexicon), ("combined", both)):
            ok = sum((not rows[i]["codes"] and not pred[i] - {"too_long"}) or bool(set(rows[i]["codes"]) & pred[i])
                     for i in idx)
            accept[label] = round(ok / len(idx), 3) if idx else None
        out["per_lang"][lang] = accept
    for label, pred in (("lexicon", lexicon), ("combined", both)):
        ok = sum((not r["codes"] and not p - {"too_long"}) or bool(set(r["codes"]) & p) for r, p in zip(rows, pred))
        out[f"accept_accuracy_{label}"] = round(ok / len(rows), 3)
    print(f"\n== {name}: {len(rows)} statements; accept accuracy lexicons {out['accept_accuracy_lexicon']:.3f}, "
          f"lexicons + classifiers {out['accept_accuracy_combined']:.3f}")
    print_table(["code", "lexicons P/R", "classifier P/R", "combined P/R"], table)
    print()
    sweep_rows = [[code, *[f"{v[str(t)]['precision']:.2f}/{v[str(t)]['recall']:.2f}" for t in SWEEP]]
                  for code, v in out["sweep"].items()]
    print_table(["lexicon OR p >=", *[str(t) for t in SWEEP]], sweep_rows)
    return out


def real_cv(rules, embedder, codes: list[str]) -> dict:
    """Leave-one-conversation-out over the real comments: verdicts and codes as a moderator meets them."""
    from checks_realtext import UNLABELLED, score

    from statementkit.checks import render
    from statementkit.checks.engine import language_independent
    from statementkit.checks.registry import Finding

    settings = rules.classifier
    written, real = settings.examples[0], settings.examples[1]
    w_rows, r_rows = rows_of(written.path), rows_of(real.path)
    codes = [c for c in codes if c != "out_of_scope"]  # not judged in the real comments
    item = lambda i, r, w: learned_model.CriterionExample(  # noqa: E731
        str(i), r["text"], r["lang"], tuple(r["codes"]), w, tuple(r["judged"]) if "judged" in r else None)
    w_items = [item(i, r, written.weight) for i, r in enumerate(w_rows)]
    r_items = [item(i, r, real.weight) for i, r in enumerate(r_rows)]
    w_vec, r_vec = encode(embedder, [r["text"] for r in w_rows]), encode(embedder, [r["text"] for r in r_rows])
    conversation = np.array([r["id"].rsplit(":", 1)[0] for r in r_rows])
    probs = np.zeros((len(r_rows), len(codes)))
    for conv in sorted(set(conversation)):
        held = conversation == conv
        train = [r_items[i] for i in np.flatnonzero(~held)]
        models = learned_model.fit(w_items + train, np.vstack([w_vec, r_vec[~held]]), codes, C=settings.C,
                                   lexical_weight=settings.lexical_weight)
        probs[held] = models.probabilities(r_vec[held], [r_rows[i]["text"] for i in np.flatnonzero(held)])
    docs, found = lexicon_findings(r_rows, rules)
    found = [list(fs) for fs in found]
    pending = learned.decide(docs, found, codes, probs, settings)
    for i, code, p in pending:
        thresholds = settings.codes[code].for_language(docs[i].lang)
        found[i].append(Finding(code, f"{rules.criterion(code).id}:model", None, variant="model",
                                weak=p < thresholds.strong))
    got = []
    for doc, fs in zip(docs, found):
        flags = [f for f in render.flags(rules, language_independent(fs), "en") if f.code not in UNLABELLED]
        got.append({"verdict": render.verdict(flags), "codes": {f.code for f in flags if f.severity in ("reject", "review")},
                    "lang": doc.lang})
    return score(r_rows, got)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--errors", choices=("examples", "dev"), help="list the combination's mistakes")
    ap.add_argument("--real", action="store_true", help="the real comments, leave-one-conversation-out")
    args = ap.parse_args()
    rules = load_rules()
    settings = rules.classifier
    codes = learned.active_codes(rules)
    embedder = CachedEmbedder(load_embedder())
    if args.real:
        from checks_realtext import report as real_report

        t = time.perf_counter()
        result = real_cv(rules, embedder, codes)
        real_report("real comments, leave-one-conversation-out", result)
        result["seconds"] = round(time.perf_counter() - t, 1)
        print(f"\nwrote {write_result('checks_learned_real', {'embedder': embedder.id, **result})}")
        return
    examples = rows_of(settings.examples[0].path)
    dev = rows_of(DATA / "criteria-dev.jsonl")
    payload: dict = {"embedder": embedder.id, "examples": [str(s.path.relative_to(ROOT)) for s in settings.examples],
                     "codes": codes, "settings": {c: dataclasses.asdict(s) for c, s in settings.codes.items()}, "splits": {}}
    results = {}

    # examples, cross-validated
    t = time.perf_counter()
    ex_docs, ex_found = lexicon_findings(examples, rules)
    vectors = encode(embedder, [r["text"] for r in examples])
    fold = folds_of(examples)
    items = [learned_model.CriterionExample(str(i), r["text"], r["lang"], tuple(r["codes"])) for i, r in enumerate(examples)]
    probs = np.zeros((len(examples), len(codes)))
    for f in range(FOLDS):
        train, test = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        models = learned_model.fit([items[i] for i in train], vectors[train], codes, C=settings.C,
                                   lexical_weight=settings.lexical_weight)
        probs[test] = models.probabilities(vectors[test], [examples[i]["text"] for i in test])
    lexicon = codes_of(ex_found)
    both = combined(ex_docs, ex_found, codes, probs, settings)
    payload["splits"]["examples_cv"] = report("examples, 5-fold cross-validation", examples, lexicon, both, codes,
                                              probs, settings)
    payload["splits"]["examples_cv"]["seconds"] = round(time.perf_counter() - t, 1)
    results["examples"] = (examples, lexicon, both)

    # dev, with the fit on all examples
    from statementkit.checks.registry import Context

    dev_docs, dev_found = lexicon_findings(dev, rules)
    ctx = Context(rules, embedder=embedder)
    dev_codes, dev_probs = learned.probabilities(dev_docs, ctx)
    assert dev_codes == codes
    lexicon = codes_of(dev_found)
    both = combined(dev_docs, dev_found, codes, dev_probs, settings)
    payload["splits"]["dev"] = report("dev", dev, lexicon, both, codes, dev_probs, settings)
    results["dev"] = (dev, lexicon, both)
    if args.errors:
        rows, lexicon, both = results[args.errors]
        for r, lx, b in zip(rows, lexicon, both):
            if set(r["codes"]) != b - {"too_long"} - (set() if "too_long" in r["codes"] else set()):
                print(f"{r['lang']} gold={sorted(r['codes'])} lexicon={sorted(lx)} combined={sorted(b)} | {r['text']}")
        return
    print(f"\nwrote {write_result('checks_learned', payload)}")


if __name__ == "__main__":
    main()
