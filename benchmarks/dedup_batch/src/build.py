"""Build published-<split>.jsonl and submissions-<split>.jsonl from the hand-written source data.

Splits: dev and test (AI in cultural heritage), and the dev-side topics mobility and schools.
Usage: python src/build.py [SPLIT ...]   (default: all four; writes into the folder above src/)

duplicate_of is derived from claim clusters: two items duplicate each other iff they carry the
same claim id. This makes the labels symmetric and transitive by construction.
"""
import collections
import importlib
import json
import random
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent
LANGS = ["en", "de", "fr", "nl", "es", "it", "pl"]
KINDS = ["paraphrase", "translation", "light_edit", "different_claim", "stance_flip",
         "related", "unrelated", "batch_duplicate"]
DUP_KINDS = {"paraphrase", "translation", "light_edit", "batch_duplicate"}


def build(split):
    mod = importlib.import_module(f"{split}_data")
    prefix_p, prefix_s, seed = {"dev": ("pd", "sd", 11), "test": ("pt", "st", 23),
                                "mobility": ("pm", "sm", 37), "schools": ("ps", "ss", 41)}[split]
    pub = mod.PUBLISHED
    subs = [dict(x) for x in mod.SUBMISSIONS]
    errors = []

    pub_ids = [p[0] for p in pub]
    assert pub_ids == [f"{prefix_p}-{i:02d}" for i in range(1, len(pub) + 1)], "published ids"
    for pid, lang, text in pub:
        if len(text) > 140:
            errors.append(f"{pid} too long ({len(text)})")
        if lang not in LANGS:
            errors.append(f"{pid} bad lang")

    rng = random.Random(seed)
    order = list(range(len(subs)))
    rng.shuffle(order)
    subs = [subs[i] for i in order]
    for i, x in enumerate(subs, 1):
        x["id"] = f"{prefix_s}-{i:03d}"
    keymap = {x["key"]: x["id"] for x in subs if x.get("key")}
    keys = [x["key"] for x in subs if x.get("key")]
    if len(keys) != len(set(keys)):
        errors.append("duplicate key")

    texts = collections.Counter([t for _, _, t in pub] + [x["text"] for x in subs])
    for t, c in texts.items():
        if c > 1:
            errors.append(f"identical text repeated: {t}")
    # also catch texts that differ only in case, whitespace or punctuation
    # (a light edit may be exactly that: it must be labelled a duplicate of what it repeats)
    light = {re.sub(r"[\W_]+", " ", x["text"].lower()).strip() for x in subs if x["kind"] == "light_edit"}
    norm = collections.Counter(re.sub(r"[\W_]+", " ", t.lower()).strip() for t in texts)
    for t, c in norm.items():
        if c > 1 and t not in light:
            errors.append(f"text repeated up to case/punctuation: {t}")

    by_claim = collections.defaultdict(list)
    for x in subs:
        if x["claim"]:
            by_claim[x["claim"]].append(x["id"])
    for x in subs:
        if len(x["text"]) > 140:
            errors.append(f"{x['id']} too long ({len(x['text'])}): {x['text']}")
        if x["lang"] not in LANGS:
            errors.append(f"{x['id']} bad lang {x['lang']}")
        if x["kind"] not in KINDS:
            errors.append(f"{x['id']} bad kind {x['kind']}")
        c = x["claim"]
        dups = []
        if c:
            if c.startswith(prefix_p):
                assert c in pub_ids, c
                dups.append(c)
            elif not re.fullmatch(r"B\d+", c):
                errors.append(f"{x['id']} bad claim {c}")
            dups += [o for o in by_claim[c] if o != x["id"]]
            if not dups:
                errors.append(f"{x['id']} claim {c} without partner")
        x["duplicate_of"] = dups
        if (x["kind"] in DUP_KINDS) != bool(dups):
            errors.append(f"{x['id']} kind {x['kind']} vs dups {dups}")
        if x["kind"] == "batch_duplicate" and c and c.startswith(prefix_p):
            errors.append(f"{x['id']} batch_duplicate but duplicates a published statement")
        if x["kind"] in {"paraphrase", "translation", "light_edit"} and not (c and c.startswith(prefix_p)):
            errors.append(f"{x['id']} kind {x['kind']} needs a published claim id")
        if x["kind"] == "translation" and c and c.startswith(prefix_p):
            if x["lang"] == dict((p[0], p[1]) for p in pub)[c]:
                errors.append(f"{x['id']} translation in the same language as {c}")
        if x["kind"] not in DUP_KINDS and c:
            errors.append(f"{x['id']} kind {x['kind']} must not carry a claim id")
        x["note"] = re.sub(r"\{(\w+)\}", lambda m: keymap[m.group(1)], x["note"])
        if "{" in x["note"]:
            errors.append(f"{x['id']} unresolved note")

    # symmetry check (redundant by construction, kept as a guard)
    idx = {x["id"]: x for x in subs}
    for x in subs:
        for d in x["duplicate_of"]:
            if d in idx and x["id"] not in idx[d]["duplicate_of"]:
                errors.append(f"asymmetric {x['id']} {d}")
            if d == x["id"]:
                errors.append(f"{x['id']} lists itself")
            if not (d in idx or d in pub_ids):
                errors.append(f"{x['id']} unknown duplicate id {d}")

    with open(OUT / f"published-{split}.jsonl", "w", encoding="utf-8") as f:
        for pid, lang, text in pub:
            f.write(json.dumps({"id": pid, "text": text, "lang": lang}, ensure_ascii=False) + "\n")
    with open(OUT / f"submissions-{split}.jsonl", "w", encoding="utf-8") as f:
        for x in subs:
            rec = {k: x[k] for k in ["id", "text", "lang", "duplicate_of", "kind", "note"]}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    stats = {
        "published": len(pub),
        "published_lang": dict(collections.Counter(p[1] for p in pub)),
        "submissions": len(subs),
        "kind": {k: sum(x["kind"] == k for x in subs) for k in KINDS},
        "lang": {l: sum(x["lang"] == l for x in subs) for l in LANGS},
        "non_english_share": round(sum(x["lang"] != "en" for x in subs) / len(subs), 3),
        "with_duplicates": sum(bool(x["duplicate_of"]) for x in subs),
        "dup_of_published": sum(any(d.startswith(prefix_p) for d in x["duplicate_of"]) for x in subs),
        "dup_pairs_sub_sub": sum(len([d for d in x["duplicate_of"] if d.startswith(prefix_s)]) for x in subs) // 2,
        "dup_pairs_sub_pub": sum(len([d for d in x["duplicate_of"] if d.startswith(prefix_p)]) for x in subs),
        "kind_by_lang": {k: dict(collections.Counter(x["lang"] for x in subs if x["kind"] == k)) for k in KINDS},
    }
    return errors, stats


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    allstats = {}
    nerr = 0
    for split in sys.argv[1:] or ["dev", "test", "mobility", "schools"]:
        errs, st = build(split)
        allstats[split] = st
        print(split, json.dumps({k: v for k, v in st.items() if k != "kind_by_lang"}, ensure_ascii=False))
        for e in errs:
            print("  ERROR", e)
        nerr += len(errs)
    (OUT / "src" / "stats.json").write_text(json.dumps(allstats, indent=1, ensure_ascii=False))
    print("OK" if not nerr else f"{nerr} error(s)")
    sys.exit(1 if nerr else 0)
