"""Classifiers for the reason codes, trained on labelled example statements.

Lexicons catch the wording they list; the statements nobody has seen yet use
other wording ("a holistic approach", "I wonder whether ...", an insult the
list lacks). So each code of `rules/classifier.toml` also gets a binary
classifier trained on `rules/examples/criteria-examples.jsonl`: the few-shot
method of the theme classifier (`statementkit.themes.fewshot`, logistic regression
on the multilingual sentence embedding plus character 3-5-gram TF-IDF,
temperature-calibrated on out-of-fold predictions), one fit per code.

A fitted `CodeModels` is a few arrays (weights per code, the n-gram
vocabulary and IDF, the temperatures), stored as one `.npz` (no pickles).
Fitting the seven codes takes ~30-60 s on two cores, so a fit is kept: a
bundled copy in `models/` is used when it was fitted on the same examples,
settings and embedding model; otherwise the fit goes to the cache directory,
keyed by a hash of the examples file, the settings and the model id.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from statementkit.errors import RulesError

#: Bump when the stored layout or the training changes: older fits are then not used.
FORMAT = 1
BUNDLED = "checks-classifier.npz"
NGRAMS = (3, 5)


@dataclass(slots=True)
class CriterionExample:
    """One labelled statement: the codes it breaks (none: a good statement)."""

    id: str
    text: str
    lang: str
    codes: tuple[str, ...]
    weight: float = 1.0
    judged: tuple[str, ...] | None = None  # the codes its labellers judged (None: all)


def load_examples(path: Path, valid_codes: Sequence[str], weight: float = 1.0) -> list[CriterionExample]:
    """Read an examples file (each line counting `weight` examples); a bad line raises RulesError
    naming the file and line."""
    out: list[CriterionExample] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise RulesError(f"cannot read examples: {e}", path) from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise RulesError(f"invalid JSON: {e.msg}", path, n) from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not row["text"].strip():
            raise RulesError("each line needs a non-empty \"text\"", path, n)
        codes = row.get("codes", [])
        if not isinstance(codes, list) or any(c not in valid_codes for c in codes):
            raise RulesError(f"\"codes\" must be a list of reason codes, got {codes!r}", path, n,
                             hint=f"valid: {', '.join(valid_codes)}")
        judged = row.get("judged")
        if judged is not None and (not isinstance(judged, list) or any(c not in valid_codes for c in judged)):
            raise RulesError(f"\"judged\" must be a list of reason codes, got {judged!r}", path, n,
                             hint=f"valid: {', '.join(valid_codes)}")
        out.append(CriterionExample(str(row.get("id", n)), row["text"], str(row.get("lang") or ""), tuple(codes),
                                    weight, None if judged is None else tuple(judged)))
    if not out:
        raise RulesError("no examples", path)
    return out


_WHITE_SPACES = re.compile(r"\s\s+")


def char_wb_ngrams(text: str, ngram_range: tuple[int, int] = NGRAMS) -> list[str]:
    """The character n-grams of scikit-learn's `char_wb` analyser (lower-cased, inside words,
    each word padded with a space), in its order, so a vocabulary it fitted applies."""
    low, high = ngram_range
    out: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        word = f" {word} "
        size = len(word)
        for n in range(low, high + 1):
            if size <= n:  # a word no longer than n counts once, as itself
                out.append(word)
                break
            out += [word[i:i + n] for i in range(size - n + 1)]
    return out


@dataclass(slots=True)
class CodeModels:
    """Calibrated binary classifiers, one per code, over [embedding | weighted n-gram TF-IDF]."""

    codes: list[str]
    w_emb: np.ndarray            # codes x dim
    w_lex: np.ndarray            # codes x vocabulary (0 columns without n-grams)
    bias: np.ndarray             # codes
    temperature: np.ndarray      # codes
    vocabulary: list[str]
    idf: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    _index: dict[str, int] | None = field(default=None, repr=False)

    def lexical_scores(self, texts: Sequence[str]) -> np.ndarray | None:
        """n x codes: the n-gram part of each classifier's score, or None without n-grams.

        The TF-IDF vectors are the ones scikit-learn's `TfidfVectorizer` (char_wb, sublinear tf,
        l2 norm) gives with the fit's vocabulary and IDF, computed here in a few lines: importing
        scikit-learn (and with it scipy and pandas) cost a fresh `check` ~3 s, more than a
        hundred statements' checks."""
        if not self.vocabulary:
            return None
        if self._index is None:
            self._index = {gram: i for i, gram in enumerate(self.vocabulary)}
        index = self._index
        rows: list[int] = []
        cols: list[int] = []
        counts: list[int] = []
        for row, text in enumerate(texts):
            found = Counter(g for g in char_wb_ngrams(text) if g in index)
            rows += [row] * len(found)
            cols += [index[g] for g in found]
            counts += found.values()
        n = len(texts)
        rows_a, cols_a = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
        tfidf = (1.0 + np.log(np.array(counts, dtype=np.float32))) * self.idf[cols_a]
        norms = np.sqrt(np.bincount(rows_a, weights=tfidf * tfidf, minlength=n))
        norms[norms == 0] = 1.0
        tfidf = tfidf / norms[rows_a]
        return np.stack([np.bincount(rows_a, weights=tfidf * self.w_lex[c, cols_a], minlength=n)
                         for c in range(len(self.codes))], axis=1)

    def probabilities(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """n x codes calibrated probabilities that each statement breaks each code."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if len(texts) == 0:
            return np.zeros((0, len(self.codes)))
        z = vectors @ self.w_emb.T + self.bias
        lexical = self.lexical_scores(texts)
        if lexical is not None:
            z = z + lexical
        return 1.0 / (1.0 + np.exp(-z / self.temperature))

    def column(self, code: str) -> int:
        return self.codes.index(code)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp.npz")
        np.savez_compressed(tmp, w_emb=self.w_emb, w_lex=self.w_lex, bias=self.bias, temperature=self.temperature,
                            idf=self.idf, vocabulary=np.array(self.vocabulary, dtype=str),
                            meta=np.array(json.dumps({**self.meta, "codes": self.codes})))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> CodeModels:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            return cls(list(meta["codes"]), z["w_emb"], z["w_lex"], z["bias"], z["temperature"],
                       [str(v) for v in z["vocabulary"]], z["idf"], meta)


def fit(examples: Sequence[CriterionExample], vectors: np.ndarray, codes: Sequence[str], *, C: float = 1.0,
        lexical_weight: float = 0.5, meta: dict[str, Any] | None = None) -> CodeModels:
    """One calibrated classifier per code (fewshot's logistic regression), as arrays."""
    from statementkit.themes import fewshot
    from statementkit.themes.taxonomy import ThemeExample

    settings = fewshot.FewShotSettings(method="logreg", C=C, lexical_weight=lexical_weight, calibrate=True)
    vectors = np.asarray(vectors, dtype=np.float32)
    dim = vectors.shape[1]
    w_emb, w_lex, bias, temps = [], [], [], []
    vocabulary: list[str] = []
    idf = np.zeros(0, dtype=np.float32)
    for code in codes:
        # a line whose labellers did not judge this code (e.g. scope, for comments from other
        # conversations) counts for nothing in its fit, but keeps the n-grams common to all codes
        labelled = [ThemeExample(e.text, "yes" if code in e.codes else "no", e.lang, "taxonomy", e.id,
                                 weight=e.weight if e.judged is None or code in e.judged else 0.0)
                    for e in examples]
        model = fewshot.fit(labelled, vectors, ["yes", "no"], settings)
        if model.coef is None or model.seen is None or len(model.seen) < 2:
            raise RulesError(f"the examples have no positive (or no negative) statement for '{code}'",
                             hint="add examples with and without this code")
        # two classes: p(yes) = sigmoid((z_yes - z_no) / T), z = [embedding | weight * n-grams] @ coef + intercept
        seen = [int(c) for c in model.seen]
        yes, no = seen.index(0), seen.index(1)
        coef = model.coef[yes].astype(np.float64) - model.coef[no].astype(np.float64)
        intercept = float(model.intercept[yes] - model.intercept[no])
        w_emb.append(coef[:dim])
        if lexical_weight > 0:
            vec = model._lexical
            words = [""] * len(vec.vocabulary_)
            for gram, i in vec.vocabulary_.items():
                words[i] = gram
            if not vocabulary:
                vocabulary, idf = words, vec.idf_.astype(np.float32)
            elif words != vocabulary:  # every code sees the same texts, so the same n-grams
                raise RuntimeError("n-gram vocabularies differ between codes")
            w_lex.append(lexical_weight * coef[dim:])
        bias.append(intercept)
        temps.append(model.temperature)
    return CodeModels(list(codes), np.array(w_emb, dtype=np.float32),
                      np.array(w_lex, dtype=np.float32) if w_lex else np.zeros((len(codes), 0), dtype=np.float32),
                      np.array(bias, dtype=np.float32), np.array(temps, dtype=np.float32), vocabulary, idf,
                      dict(meta or {}))


def fit_key(sources: Sequence[Any], model_id: str, codes: Sequence[str], C: float, lexical_weight: float) -> str:
    """What a fit depends on: the examples' bytes and weights, the embedding model, the codes and
    settings. `sources`: the `ExampleFile`s of classifier.toml.

    scikit-learn's version is read from the package metadata: importing it only to build the key
    cost a fresh `check` about a second when the fit is already cached."""
    from importlib.metadata import version

    h = hashlib.sha256()
    weights = []
    for source in sources:
        h.update(source.path.read_bytes())
        weights.append(source.weight)
    # one file of weight 1 keeps the key it had before files could be weighted
    extra = [] if weights == [1.0] else [weights]
    h.update(json.dumps([FORMAT, model_id, list(codes), C, lexical_weight, version("scikit-learn"), *extra]).encode())
    return h.hexdigest()[:20]


def cached(key: str) -> CodeModels | None:
    """A fit with this key: the bundled one in models/, else one in the cache directory."""
    from statementkit.resources import cache_dir, models_dir

    for path in (models_dir() / BUNDLED, cache_dir() / "checks" / f"classifier-{key}.npz"):
        if path.exists():
            try:
                found = CodeModels.load(path)
            except (OSError, ValueError, KeyError, json.JSONDecodeError):
                continue  # damaged: refit
            if found.meta.get("key") == key:
                return found
    return None


def store(models: CodeModels) -> None:
    """Keep a fit in the cache directory (silently skipped when it is not writable)."""
    from statementkit.resources import cache_dir

    try:
        models.save(cache_dir() / "checks" / f"classifier-{models.meta['key']}.npz")
    except OSError:
        pass
