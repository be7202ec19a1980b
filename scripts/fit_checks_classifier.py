"""Refit the checks' classifiers on rules/examples and bundle the fit as models/checks-classifier.npz.

`check()` uses the bundled fit when it was made from the same examples file,
classifier settings and embedding model (the key stored inside it); otherwise
it fits once and keeps the result in the cache directory. Run this after
editing rules/examples/ or rules/classifier.toml so that a fresh install does
not pay the ~30-60 s fit on its first run:

    python scripts/fit_checks_classifier.py
"""

from __future__ import annotations

import shutil
import sys
import time


def main() -> int:
    from statementkit.checks import learned, learned_model, load_rules
    from statementkit.embed import CachedEmbedder, load_embedder
    from statementkit.resources import cache_dir, models_dir

    rules = load_rules()
    embedder = CachedEmbedder(load_embedder())
    t = time.perf_counter()
    models = learned.models_for(rules, embedder)
    key = models.meta["key"]
    target = models_dir() / learned_model.BUNDLED
    source = cache_dir() / "checks" / f"classifier-{key}.npz"
    if not source.exists():  # it came from the bundle already
        print(f"{target} is up to date (key {key})")
        return 0
    shutil.copyfile(source, target)
    print(f"fitted {len(models.codes)} classifiers on {models.meta.get('n')} examples in "
          f"{time.perf_counter() - t:.0f} s; wrote {target} (key {key})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
