"""Few-shot theme classifier on sentence embeddings, with calibrated confidence.

It learns from every text the taxonomy offers (examples, descriptions,
`outside` examples for "none") plus the statements the analyst has confirmed,
so suggestions improve as the analyst works. Three methods, compared by
benchmarks/themes_tune.py on the dev split (the choice and its numbers live in
models/themes.toml, not here):

- `prototype`: cosine to each theme's mean example vector;
- `knn`: summed cosine of the k nearest examples per theme;
- `logreg`: multinomial logistic regression (scikit-learn), balanced classes;
  with `lexical_weight > 0` its input also carries character 3-5-gram TF-IDF
  features of the text (fitted on the examples). The embedding carries the
  meaning across languages; the n-grams catch the words that decide a theme
  ("consent", "Einwilligung", "consentement") which the sentence encoder
  blurs. On dev this lifts top-1 accuracy by several points, and the gain
  holds when the roles are swapped (train on dev, test on the taxonomy).

Scores become probabilities through a softmax whose temperature is fitted on
out-of-fold predictions over the examples themselves (5-fold, deterministic),
so a confidence of 0.8 means about 80 % right on texts the model has not
seen, for any taxonomy, without a labelled set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from statementkit.themes import classifier_cache
from statementkit.themes.taxonomy import NONE, ThemeExample

METHODS = ("prototype", "knn", "logreg")
NGRAMS = (3, 5)


@dataclass(slots=True)
class FewShotSettings:
    """How to classify and when to answer "none" or add a second theme (see models/themes.toml)."""

    method: str = "logreg"
    C: float = 1.0                  # logreg: inverse regularisation strength
    lexical_weight: float = 0.0     # logreg: weight of character n-gram TF-IDF features (0 = embeddings only)
    k: int = 7                      # knn: neighbours
    description_weight: float = 1.0
    analyst_weight: float = 2.0     # an analyst-confirmed statement counts this many examples
    none_floor: float = 0.0         # cosine to the nearest exemplar below which the answer is "none"
    min_confidence: float = 0.0     # calibrated probability below which the answer is "none"
    statement_theme2: bool = False  # suggest a second theme per statement (margin rule below); off: see themes.toml
    theme2_ratio: float = 0.5       # second theme when p2 >= ratio * p1 ...
    theme2_min: float = 0.2         # ... and p2 >= this
    cluster_theme2_share: float = 0.25  # a cluster's second theme: the theme of at least this share of its members
    cluster_weight: float = 0.0     # mix this much of the cluster's mean probabilities into each member's
    straddle_share: float = 0.5     # a straddling example counts this much for its theme, the rest for `also`
    calibrate: bool = True


@dataclass(slots=True)
class ThemeClassifier:
    """A fitted classifier: `probabilities(vectors)` gives calibrated class probabilities."""

    classes: list[str]
    settings: FewShotSettings
    exemplars: np.ndarray                       # vectors of the training texts
    targets: np.ndarray                         # class index per exemplar
    temperature: float = 1.0
    texts: list[str] = field(default_factory=list)   # training texts (kept for calibration folds only)
    coef: np.ndarray | None = field(default=None, repr=False)       # logreg: classes_seen x features
    intercept: np.ndarray | None = field(default=None, repr=False)
    seen: np.ndarray | None = field(default=None, repr=False)       # logreg: class indices it was fitted on
    _prototypes: np.ndarray | None = field(default=None, repr=False)
    _lexical: object | None = field(default=None, repr=False)       # fitted TfidfVectorizer

    def scores(self, vectors: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        """Uncalibrated class scores (logits), n x classes; `texts` are needed when lexical_weight > 0."""
        return _scores(self, np.asarray(vectors, dtype=np.float32), texts)

    def probabilities(self, vectors: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
        return softmax(self.scores(vectors, texts) / self.temperature)

    def nearest_similarity(self, vectors: np.ndarray) -> np.ndarray:
        """Cosine of each vector to its nearest exemplar of any real theme (not "none")."""
        real = self.targets != self.none_index if self.none_index is not None else slice(None)
        if len(vectors) == 0 or not np.any(real):
            return np.zeros(len(vectors))
        return (np.asarray(vectors, dtype=np.float32) @ self.exemplars[real].T).max(axis=1)

    @property
    def none_index(self) -> int | None:
        return self.classes.index(NONE) if NONE in self.classes else None

    def state(self) -> dict[str, np.ndarray]:
        """Everything prediction needs, as plain arrays (no pickle): see `from_state`."""
        out = {"classes": np.array(self.classes, dtype=str), "exemplars": self.exemplars,
               "targets": self.targets, "temperature": np.array(self.temperature)}
        for name in ("coef", "intercept", "seen", "_prototypes"):
            value = getattr(self, name)
            if value is not None:
                out[name.lstrip("_")] = value
        if self._lexical is not None:
            vocabulary = self._lexical.vocabulary_
            out["vocabulary"] = np.array(sorted(vocabulary, key=vocabulary.get), dtype=str)
            out["idf"] = self._lexical.idf_
        return out

    @classmethod
    def from_state(cls, state, settings: FewShotSettings) -> ThemeClassifier:
        """The model `state()` described, for the same `settings`."""
        model = cls([str(c) for c in state["classes"]], settings, np.asarray(state["exemplars"]),
                    np.asarray(state["targets"]), float(state["temperature"]))
        for name in ("coef", "intercept", "seen", "prototypes"):
            if name in state:
                setattr(model, name if name != "prototypes" else "_prototypes", np.asarray(state[name]))
        if "vocabulary" in state:
            model._lexical = _vectorizer(min_df=1, vocabulary={str(t): i for i, t in enumerate(state["vocabulary"])})
            model._lexical.idf_ = np.asarray(state["idf"])
        return model


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


_FITTED: dict[str, ThemeClassifier] = {}  # small in-process memo: reruns on the same examples refit nothing
_MEMO_SIZE = 4


def fit(examples: Sequence[ThemeExample], vectors: np.ndarray, classes: Sequence[str],
        settings: FewShotSettings | None = None, *, cache_dir=None, model_id: str = "") -> ThemeClassifier:
    """Fit on `examples` (with their `vectors`); `classes` fixes the column order.

    The same inputs give the same model, so it is memoised in the process and,
    with `cache_dir` (see classifier_cache), on disk across runs.
    """
    settings = settings or FewShotSettings()
    key = classifier_cache.model_key(examples, vectors, classes, settings, model_id)
    model = _FITTED.get(key)
    if model is None and cache_dir is not None:
        model = classifier_cache.load(key, lambda state: ThemeClassifier.from_state(state, settings), cache_dir)
    if model is None:
        model = _fit(examples, vectors, classes, settings)
        if cache_dir is not None:
            classifier_cache.save(key, model, cache_dir)
    elif cache_dir is not None and not classifier_cache.is_stored(key, cache_dir):
        classifier_cache.save(key, model, cache_dir)  # fitted earlier in this process: the next one reads it
    if key not in _FITTED:
        if len(_FITTED) >= _MEMO_SIZE:
            _FITTED.pop(next(iter(_FITTED)))
        _FITTED[key] = model
    return model


def _fit(examples: Sequence[ThemeExample], vectors: np.ndarray, classes: Sequence[str], settings: FewShotSettings) -> ThemeClassifier:
    if settings.method not in METHODS:
        raise ValueError(f"unknown method {settings.method!r}; valid: {', '.join(METHODS)}")
    classes = list(classes)
    if any(e.theme == NONE for e in examples) and NONE not in classes:
        classes.append(NONE)
    index = {c: i for i, c in enumerate(classes)}
    rows, y, w, share, group = [], [], [], [], []
    for i, e in enumerate(examples):
        if e.theme not in index:
            continue
        weight = _weight(e, settings)
        if e.theme2 in index and e.theme2 != e.theme:  # a straddler: a soft label split over both themes
            parts = [(e.theme, settings.straddle_share), (e.theme2, 1.0 - settings.straddle_share)]
        else:
            parts = [(e.theme, 1.0)]
        for theme, part in parts:
            rows.append(i)
            y.append(index[theme])
            w.append(weight * part)
            share.append(part)
            group.append(i)
    X = np.asarray(vectors, dtype=np.float32)[rows]
    y, w = np.array(y, dtype=int), np.array(w, dtype=np.float64)
    texts = [examples[i].text for i in rows]
    model = ThemeClassifier(classes, settings, X, y, texts=texts)
    _train(model, X, y, w)
    if settings.calibrate and len(set(y.tolist())) > 1:
        model.temperature = _fit_temperature(model, X, y, w, np.array(share), np.array(group))
    return model


def _weight(example: ThemeExample, settings: FewShotSettings) -> float:
    if example.source == "description":
        return settings.description_weight * example.weight
    if example.source == "analyst":
        return settings.analyst_weight * example.weight
    return example.weight


def _train(model: ThemeClassifier, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> None:
    k = len(model.classes)
    if model.settings.method == "logreg" and len(set(y.tolist())) > 1:
        from sklearn.linear_model import LogisticRegression

        counts = np.bincount(y, weights=w, minlength=k)
        balance = np.where(counts > 0, counts.sum() / (len(counts[counts > 0]) * np.maximum(counts, 1e-9)), 0)
        est = LogisticRegression(C=model.settings.C, solver="newton-cg", max_iter=500)  # 10-30x faster than lbfgs here
        est.fit(_features(model, X, model.texts, fit=True), y, sample_weight=w * balance[y])
        coef, intercept = est.coef_, est.intercept_
        if len(est.classes_) == 2:  # sklearn keeps one row for two classes
            coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
        model.coef, model.intercept, model.seen = coef, intercept, np.asarray(est.classes_)
        return
    model.coef = model.intercept = model.seen = None
    protos = np.zeros((k, X.shape[1]), dtype=np.float32)
    for c in range(k):
        rows = y == c
        if rows.any():
            protos[c] = (X[rows] * w[rows, None]).sum(axis=0)
    norms = np.linalg.norm(protos, axis=1, keepdims=True)
    model._prototypes = protos / np.where(norms > 0, norms, 1)
    model.exemplars, model.targets = X, y


def _features(model: ThemeClassifier, X: np.ndarray, texts: Sequence[str] | None, fit: bool = False):
    """Embeddings, plus weighted character n-gram TF-IDF when the settings ask for it."""
    weight = model.settings.lexical_weight
    if weight <= 0:
        return X
    if texts is None or len(texts) != len(X):
        raise ValueError("this theme model uses lexical features: pass the statements' texts with their vectors")
    from scipy.sparse import csr_matrix, hstack

    if fit:
        model._lexical = _vectorizer(min_df=2 if len(texts) >= 50 else 1).fit(texts)
    return hstack([csr_matrix(X), weight * model._lexical.transform(texts)]).tocsr()


def _vectorizer(**options):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True, dtype=np.float32, **options)


def _scores(model: ThemeClassifier, V: np.ndarray, texts: Sequence[str] | None = None) -> np.ndarray:
    k = len(model.classes)
    if len(V) == 0:
        return np.zeros((0, k))
    if model.coef is not None:
        raw = np.asarray(_features(model, V, texts) @ model.coef.T) + model.intercept
        out = np.full((len(V), k), -1e3)
        out[:, model.seen] = raw
        return out
    if model.settings.method == "knn":
        sims = V @ model.exemplars.T
        out = np.full((len(V), k), -1.0)
        for c in range(k):
            cols = np.flatnonzero(model.targets == c)
            if len(cols):
                top = np.sort(sims[:, cols], axis=1)[:, -min(model.settings.k, len(cols)):]
                out[:, c] = top.mean(axis=1)
        return out * 20.0
    out = V @ model._prototypes.T
    out[:, np.linalg.norm(model._prototypes, axis=1) == 0] = -1.0
    return out * 20.0  # cosine differences are small; scale so temperature starts near 1


def _fit_temperature(model: ThemeClassifier, X: np.ndarray, y: np.ndarray, w: np.ndarray, share: np.ndarray,
                     group: np.ndarray, folds: int = 5) -> float:
    """Temperature minimising the log loss of out-of-fold scores (deterministic folds).

    Both rows of a straddling example stay in one fold and count with their
    label share, so the loss is that of the soft label.
    """
    first = np.unique(group, return_index=True)[1]        # each example's first (primary) row
    order = first[np.lexsort((np.arange(len(first)), y[first]))]
    fold_of_group = dict(zip(group[order].tolist(), (np.arange(len(order)) % folds).tolist()))  # stratified
    fold_of = np.array([fold_of_group[g] for g in group.tolist()], dtype=int)
    logits = np.zeros((len(y), len(model.classes)))
    for f in range(folds):
        test = fold_of == f
        train = ~test
        if not test.any() or len(set(y[train].tolist())) < 2:
            continue
        texts = model.texts or None
        sub = ThemeClassifier(model.classes, model.settings, X[train], y[train],
                         texts=[t for t, keep in zip(model.texts, train) if keep])
        _train(sub, X[train], y[train], w[train])
        logits[test] = _scores(sub, X[test], [t for t, keep in zip(texts, test) if keep] if texts else None)
    best_t, best_loss = 1.0, np.inf
    share = np.where(w > 0, share, 0.0)  # an example of weight 0 teaches nothing, calibration included
    for t in np.exp(np.linspace(np.log(0.05), np.log(20), 80)):
        p = softmax(logits / t)[np.arange(len(y)), y]
        loss = -np.sum(share * np.log(np.clip(p, 1e-12, 1))) / np.sum(share)
        if loss < best_loss:
            best_t, best_loss = float(t), loss
    return best_t


@dataclass(slots=True)
class ThemePrediction:
    theme: str
    theme2: str | None
    confidence: float
    margin: float  # p1 - p2: small means the model hesitates between two themes


def second_theme(member_themes: Sequence[str], theme: str | None, share: float) -> str | None:
    """A cluster's second theme: the most common other theme among its members (not "none"),
    when at least two members and `share` of all of them have it; ties go to the lower id."""
    counts: dict[str, int] = {}
    for t in member_themes:
        if t not in (theme, NONE, None):
            counts[t] = counts.get(t, 0) + 1
    if not counts:
        return None
    best, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return best if n >= 2 and n >= share * len(member_themes) else None


def decide(probs: np.ndarray, nearest: np.ndarray, classes: Sequence[str], settings: FewShotSettings) -> list[ThemePrediction]:
    """Best theme, optional second theme and confidence per row of calibrated `probs`.

    The second theme is a margin rule (p2 high enough, absolutely and next to
    p1), used only with `statement_theme2`: on the dev split it measures the
    model's hesitation, not statements that straddle two themes.
    """
    out = []
    for p, near in zip(probs, nearest):
        order = np.argsort(-p, kind="stable")
        p1 = float(p[order[0]])
        p2 = float(p[order[1]]) if len(order) > 1 else 0.0
        theme = classes[order[0]]
        second = classes[order[1]] if len(order) > 1 else None
        if near < settings.none_floor or p1 < settings.min_confidence:
            confidence = 1.0 - p1 if theme != NONE else p1
            out.append(ThemePrediction(NONE, None, confidence, p1 - p2))
            continue
        theme2 = None
        if settings.statement_theme2 and theme != NONE and second not in (None, NONE) \
                and p2 >= settings.theme2_min and p2 >= settings.theme2_ratio * p1:
            theme2 = second
        out.append(ThemePrediction(theme, theme2, p1, p1 - p2))
    return out
