"""The one text normaliser: how two spellings of a word are made to compare equal.

Every stage that matches words (lexicon patterns, lemma tables, stance cues,
exact copies) folds them here, so "Musées", "musees" and "MUSÉES" are one key
everywhere, and a typographic apostrophe (’ ʼ) is the same as a straight one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PIECE = re.compile(rf"[{_HAN}]|[^\W_{_HAN}]+", re.UNICODE)


def fold(text: str) -> str:
    """Lowercase, strip accents (and Polish ł), unify apostrophes: for matching text typed
    without diacritics."""
    if text.isascii():  # nothing to strip (most of a lookup table: folding one took seconds)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ł", "l").translate(_APOSTROPHES)


@lru_cache(maxsize=1 << 18)
def fold_word(word: str) -> str:
    """`fold`, memoised: for the few thousand distinct words that matching folds again and again."""
    return fold(word)


@lru_cache(maxsize=1 << 17)
def lowercase(text: str) -> str:
    """Lowercase with unified apostrophes, accents kept: for patterns written with accents."""
    return text.lower().translate(_APOSTROPHES)


def word_pieces(text: str) -> list[str]:
    """Runs of letters and digits, each Han character its own piece, case kept, no offsets.

    What stance cues and claims are compared on; `nlp.tokenize` is the tokenizer
    with offsets, punctuation, elisions and abbreviations that the checks use.
    """
    return _PIECE.findall(text)
