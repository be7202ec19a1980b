"""Importing spaCy, about 2 s faster than `import spacy`.

Both the full pipelines (`nlp.pipeline`) and the parser (`parsing`) load spaCy
through here.
"""

from __future__ import annotations

import sys
from typing import Any


def import_spacy() -> Any:
    """`import spacy`, without letting thinc import torch when nothing has imported it yet.

    thinc imports torch (if installed) only to offer PyTorch layers, which the
    pipelines used here do not have; hiding it saves ~2 s per process. A later
    `import torch` elsewhere works as usual.
    """
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError meanwhile
    try:
        import spacy
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
    return spacy
