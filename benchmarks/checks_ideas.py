"""multiple_ideas in detail: precision and recall per language on the dev split and on the
hand-written extra set benchmarks/data/ideas-extra-dev.jsonl (one idea or two, 10+ positives and
10+ hard negatives per language: compound subjects and objects, purpose, condition, reason and
contrast clauses, shared-object verbs, relative clauses). Both are development data: the test
split is not read here. The classifier examples (rules/examples) are scored too, with the
lexicons only (the classifier is fitted on them).

    python benchmarks/checks_ideas.py            # lexicons only, and with the embedding model
    python benchmarks/checks_ideas.py --no-embed # lexicons only
    python benchmarks/checks_ideas.py --errors   # list the mistakes
"""

from __future__ import annotations

import argparse
import json

from _common import DATA, print_table, write_result
from checks_quality import LANGS, predict, score

CODE = "multiple_ideas"
SETS = {"dev": "criteria-dev.jsonl", "extra": "ideas-extra-dev.jsonl", "fresh": "ideas-fresh-dev.jsonl", "examples": "../../rules/examples/criteria-examples.jsonl"}
#: The classifier is fitted on the examples: they are scored with the lexicons only.
LEXICONS_ONLY = ("examples",)


def load(name: str) -> list[dict]:
    path = DATA / SETS[name]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-embed", action="store_true", help="lexicons only")
    ap.add_argument("--errors", action="store_true", help="list the multiple_ideas mistakes")
    args = ap.parse_args()
    variants: list[tuple[str, object]] = [("lexicons", None)]
    if not args.no_embed:
        from statementkit.embed import CachedEmbedder, load_embedder

        variants.append(("embed", CachedEmbedder(load_embedder())))
    payload: dict = {"code": CODE, "results": {}}
    table = []
    for variant, embedder in variants:
        for name in SETS:
            if embedder is not None and name in LEXICONS_ONLY:
                continue
            rows = load(name)
            predicted, _ = predict(rows, embedder)
            result = score(rows, predicted)
            per_lang = result["per_code_lang"][CODE]
            overall = result["per_code"][CODE]
            payload["results"][f"{name}/{variant}"] = {"overall": overall, "per_lang": per_lang,
                                                       "accept_accuracy": result["accept_accuracy"]}
            table.append([name, variant, f"{overall['precision']:.2f}/{overall['recall']:.2f}",
                          *[f"{per_lang[lang]['precision']:.2f}/{per_lang[lang]['recall']:.2f}" for lang in LANGS]])
            if args.errors:
                for r, p in zip(rows, predicted):
                    if (CODE in r["codes"]) != (CODE in p):
                        kind = "missed" if CODE in r["codes"] else "false "
                        print(f"{variant:8} {kind} {r['id']} {r['lang']} | {r['text']}")
    print(f"\n{CODE}: precision/recall")
    print_table(["set", "stage", "all", *LANGS], table)
    if not args.no_embed:
        print(f"\nwrote {write_result('checks_ideas', payload)}")


if __name__ == "__main__":
    main()
