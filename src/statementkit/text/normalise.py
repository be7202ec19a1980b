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
#: Characters a terminal obeys instead of showing: C0 controls (as their Control Pictures, ␛ for ESC),
#: DEL, C1 controls and the bidi controls that reorder what is shown (as �). Newline and tab stay.
_INVISIBLE = str.maketrans({
    **{c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)},
    0x7F: "\u2421",
    **{c: "\ufffd" for c in range(0x80, 0xA0)},
    **{c: "\ufffd" for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))},
})
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


def visible(text: str) -> str:
    """The text with every control and bidi character a terminal would obey shown as a visible
    placeholder instead ("\\x1b]0;TITLE\\x07" -> "␛]0;TITLE␇"): what the CLI prints of a participant's
    text, so a statement can neither retitle, hide nor reorder what a moderator sees."""
    return text.translate(_INVISIBLE)


def word_pieces(text: str) -> list[str]:
    """Runs of letters and digits, each Han character its own piece, case kept, no offsets.

    What stance cues and claims are compared on; `nlp.tokenize` is the tokenizer
    with offsets, punctuation, elisions and abbreviations that the checks use.
    """
    return _PIECE.findall(text)
