"""Sentence embeddings: encoders behind one protocol, the model registry, the on-disk cache.

    from statementkit.embed import default_embedder, encode
    vectors = encode(default_embedder(), ["Museums should share their data."])
"""

from statementkit.embed.cache import (
    BATCH,
    CachedEmbedder,
    EmbeddingCache,
    Progress,
    default_cache_path,
    encode,
)
from statementkit.embed.encoders import (
    Embedder,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    USEEmbedder,
    describe,
    normalise,
)
from statementkit.embed.registry import (
    BACKENDS,
    REGISTRY_FILE,
    ModelEntry,
    default_embedder,
    default_model_id,
    installed_embedder,
    load_embedder,
    load_registry,
    missing_model,
    model_available,
    model_entry,
)

__all__ = [
    "BACKENDS", "BATCH", "REGISTRY_FILE", "CachedEmbedder", "Embedder", "EmbeddingCache", "HashingEmbedder",
    "ModelEntry", "Progress", "SentenceTransformerEmbedder", "USEEmbedder", "default_cache_path",
    "default_embedder", "default_model_id", "installed_embedder", "describe", "encode", "load_embedder", "load_registry",
    "missing_model", "model_available", "model_entry", "normalise",
]
