"""Encode the texts the package brings for the default model and bundle them as models/bundled-vectors.npz.

Today: the scope check's exemplars of the bundled rules (taxonomy examples and
descriptions, scope.toml's descriptions and examples) and its `outside`
examples. `CachedEmbedder` takes a text's vector from the file when its cache
has none (embed/bundled.py), so a fresh install does not encode them on its
first `check`. They are encoded as a first `check` would: a fresh encoder, in
the order the check lists them, in batches of `embed.BATCH`. Run this after
editing rules/taxonomy.toml or rules/scope.toml, or when the default encoder's
cache id changes (a stale file is only unused, never wrong):

    python scripts/bundle_vectors.py [--check]

With --check, nothing is written: exit 1 unless the file holds exactly these
texts' keys with vectors within 1e-6 of a fresh encoding.
"""

from __future__ import annotations

import sys
import time


def bundled_texts() -> list[str]:
    from statementkit.checks import load_rules
    from statementkit.checks.kinds.scope import exemplars, outside_texts

    rules = load_rules()
    return list(dict.fromkeys(exemplars(rules, None) + outside_texts(rules)))


def encode_fresh(texts: list[str]):
    """(cache id, keys, vectors) of `texts` from a freshly loaded default encoder, no cache."""
    from statementkit.embed import EmbeddingCache, encode
    from statementkit.embed.registry import _load, load_registry

    embedder = _load(None, load_registry())  # not the per-process one: its memo starts empty
    key_id = getattr(embedder, "cache_id", embedder.id)
    return key_id, [EmbeddingCache.key(key_id, t) for t in texts], encode(embedder, texts)


def main(argv: list[str]) -> int:
    import numpy as np

    from statementkit.embed import bundled

    texts = bundled_texts()
    t = time.perf_counter()
    key_id, keys, vecs = encode_fresh(texts)
    target = bundled.path()
    if "--check" in argv:
        shipped = bundled._read(target, key_id)
        ok = set(shipped) == set(keys) and all(
            float(np.abs(shipped[k] - v).max()) <= 1e-6 for k, v in zip(keys, vecs))
        print(f"{target}: {'up to date' if ok else 'STALE: run scripts/bundle_vectors.py'} ({len(keys)} texts)")
        return 0 if ok else 1
    bundled.write(target, key_id, keys, vecs, "scope exemplars and outside examples of the bundled rules")
    print(f"encoded {len(texts)} texts with {key_id} in {time.perf_counter() - t:.1f} s; wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
