"""Which words of the project's own statements a stance cue entry matches, by Snowball stem and by
`stance.cue_keys` (fold, declared inflections): the words only the stem matches are the
misreadings a stem match makes (Dutch "vrijwilligers" read as "vrijwillig").

    python scripts/stance_cue_check.py            # words matched by one rule only, per language
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from statementkit.dedup.stance import load_stance, lower_pieces, stem_key

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("benchmarks/data/*.jsonl", "benchmarks/dedup_batch/*.jsonl", "corpus/*.jsonl")


def vocabulary() -> dict[str, Counter]:
    """Lowercase words per language in every statement of the corpora and benchmark data."""
    words: dict[str, Counter] = defaultdict(Counter)
    for pattern in SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line) if line.strip() else {}
                for text, lang in ((row.get("text"), row.get("lang")), (row.get("a"), row.get("a_lang")),
                                   (row.get("b"), row.get("b_lang"))):
                    if isinstance(text, str) and lang:
                        words[lang].update(t for t in lower_pieces(text) if t.isalpha())
    return words


def main() -> None:
    rules = load_stance()
    for lang, counts in sorted(vocabulary().items()):
        entries = [a for a in rules.antonyms.get(lang, ()) if len(a.phrase) == 1]
        if not entries:
            continue
        by_stem = defaultdict(set)
        for a in entries:
            if (key := stem_key(a.phrase[0], lang)):
                by_stem[key].add(a.phrase[0])
        index = rules.antonym_index(lang)
        for word, n in counts.most_common():
            old = by_stem.get(stem_key(word, lang) or "", set())
            new = {a.phrase[0] for key in rules.cue_keys(word, lang) for a in index.get(key, ()) if len(a.phrase) == 1}
            if old - new:
                print(f"{lang}  stem only  {word} ({n}x) ~ {', '.join(sorted(old - new))}")
            if new - old:
                print(f"{lang}  new only   {word} ({n}x) ~ {', '.join(sorted(new - old))}")


if __name__ == "__main__":
    main()
