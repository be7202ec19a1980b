"""Importing spaCy, about 2 s faster than `import spacy`.

Both the full pipelines (`nlp.pipeline`) and the parser (`parsing`) load spaCy
through here.
"""

from __future__ import annotations

import sys
import types
from typing import Any


def import_spacy() -> Any:
    """`import spacy`, without letting thinc import torch when nothing has imported it yet, nor
    spaCy its command line.

    thinc imports torch (if installed) only to offer PyTorch layers, which the
    pipelines used here do not have; hiding it saves ~2 s per process. A later
    `import torch` elsewhere works as usual.

    `spacy/__init__` imports `spacy.cli.info` only to offer `spacy.info()`; the
    command line's modules (weasel, requests, jinja2, config templates: ~300
    modules) took ~0.3 s of the ~1 s import. A placeholder stands in for them
    while spaCy imports and is removed after: `spacy.info` imports the real one
    when called, and `import spacy.cli` later loads the real command line.
    """
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError meanwhile
    placeholders = {} if "spacy.cli" in sys.modules else _cli_placeholders()
    sys.modules.update(placeholders)
    try:
        import spacy
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
        for name, module in placeholders.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
        if placeholders and getattr(sys.modules.get("spacy"), "cli", None) is placeholders["spacy.cli"]:
            del sys.modules["spacy"].cli
    _group_entry_points()
    return spacy


def _group_entry_points() -> None:
    """Give catalogue (spaCy's registries) the installed entry points grouped by name.

    Each registry look-up asks for one group's entry points; on the `select`-able
    collection catalogue keeps, that filters every entry point of every package
    each time (~140 look-ups, ~0.08 s of loading a parser). A dict of the same
    entry points per group, in the same order, is what catalogue reads otherwise
    (`.get(group, [])`), and answers at once."""
    import catalogue

    points = catalogue.AVAILABLE_ENTRY_POINTS
    if not hasattr(points, "select"):
        return
    catalogue.AVAILABLE_ENTRY_POINTS = {group: list(points.select(group=group)) for group in points.groups}


def _cli_placeholders() -> dict[str, types.ModuleType]:
    """`spacy.cli` and `spacy.cli.info` as stand-ins whose `info` imports the real one when called."""
    cli, info = types.ModuleType("spacy.cli"), types.ModuleType("spacy.cli.info")
    cli.__path__ = []  # a package, so `spacy.cli.info` resolves to the module below

    def lazy_info(*args: Any, **kwargs: Any) -> Any:
        import importlib

        return importlib.import_module("spacy.cli.info").info(*args, **kwargs)

    info.info = lazy_info  # type: ignore[attr-defined]
    cli.info = info  # type: ignore[attr-defined]
    return {"spacy.cli": cli, "spacy.cli.info": info}
