"""Language of each statement.

langdetect is random unless seeded and, over its 55 languages, confuses short
statements ("Kein Tempolimit" -> Finnish). So we seed it, restrict its prior to
the languages the assembly expects (from `rules/assembly.toml`), and answer
`und` when a text has too few letters or the detector is unsure, instead of
guessing. Text in a script the expected languages don't use (Han, Hangul,
Cyrillic, ...) is judged over all of langdetect's languages.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache

from statementkit.model import UNDETERMINED, LangResult, Statement

#: Used when the rules give none: the seven languages of the criteria lexicons + Portuguese.
DEFAULT_LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "nl", "es", "it", "pl", "pt")
MIN_LETTERS = 4
MIN_PROB = 0.5
_N_TRIALS = 15  # langdetect's default is 7, which makes short-text probabilities coarse


@lru_cache(maxsize=1)
def _factory():
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.seed = 0
    return factory


def _script(text: str) -> tuple[int, str]:
    """Number of letters and the dominant script: latin, han, kana, hangul or other."""
    counts = {"latin": 0, "han": 0, "kana": 0, "hangul": 0, "other": 0}
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("LATIN"):
            counts["latin"] += 1
        elif name.startswith("CJK"):
            counts["han"] += 1
        elif name.startswith(("HIRAGANA", "KATAKANA")):
            counts["kana"] += 1
        elif name.startswith("HANGUL"):
            counts["hangul"] += 1
        else:
            counts["other"] += 1
    total = sum(counts.values())
    return total, max(counts, key=counts.__getitem__) if total else "latin"


def _normalise(code: str) -> str:
    return code.split("-")[0]  # zh-cn / zh-tw -> zh


def detect(text: str, languages: Sequence[str] | None = DEFAULT_LANGUAGES,
           min_prob: float = MIN_PROB) -> tuple[str, float]:
    """Return (language code, probability); `und` when too short or unsure.

    `languages` restricts the detector's prior; None means all 55 languages.
    """
    from langdetect.lang_detect_exception import LangDetectException

    letters, script = _script(text)
    if script == "kana":
        return "ja", 1.0
    if script == "hangul":
        return "ko", 1.0
    if script == "han":
        return ("zh", 1.0) if letters >= 2 else (UNDETERMINED, 0.0)
    if letters < MIN_LETTERS:
        return UNDETERMINED, 0.0
    factory = _factory()
    detector = factory.create()
    detector.n_trial = _N_TRIALS
    if languages and script == "latin":
        known = set(factory.get_lang_list())
        prior = {code: 1.0 for code in languages if code in known}
        if prior:
            detector.set_prior_map(prior)
    detector.append(text)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return UNDETERMINED, 0.0
    if best.prob < min_prob:
        return UNDETERMINED, float(best.prob)
    return _normalise(best.lang), float(best.prob)


def detect_languages(statements: Iterable[Statement], languages: Sequence[str] | None = DEFAULT_LANGUAGES,
                     force: str | None = None, min_prob: float = MIN_PROB) -> list[LangResult]:
    """Language per statement. `force` sets every statement's language (the `--lang` option);
    a language already given in the input is kept."""
    results = []
    for s in statements:
        if force:
            results.append(LangResult(s.id, force, 1.0, forced=True))
        elif s.lang:
            results.append(LangResult(s.id, s.lang, 1.0, forced=True))
        else:
            code, prob = detect(s.text, languages, min_prob)
            results.append(LangResult(s.id, code, prob))
    return results


def with_languages(statements: Sequence[Statement], languages: Sequence[str] | None = DEFAULT_LANGUAGES,
                   force: str | None = None) -> list[Statement]:
    """Copies of the statements with `lang` filled in (given languages are kept)."""
    found = detect_languages(statements, languages, force)
    return [replace(s, lang=r.lang) for s, r in zip(statements, found)]
