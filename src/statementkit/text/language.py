"""Language of each statement.

Short statements are hard for language identifiers: over all its 55
languages langdetect calls "Kein Tempolimit" Finnish. Restricting the
candidates to the languages the assembly expects (`rules/assembly.toml`)
fixes most of that, and we answer `und` when a text has too few letters or
the detector is unsure, instead of guessing.

Two backends sit behind `detect`:
- `lingua` (default): lingua-language-detector restricted to the expected
  languages. On our 200-statement fixture (8 languages, 14-119 characters)
  it is right on 98.5 % against 96.5 % for restricted langdetect, and ~20x
  faster (~4,900 vs ~230 statements/s), which matters when screening
  100,000 statements (benchmarks/lang.py).
- `langdetect`: seeded (it is random otherwise), prior restricted the same way.

Text in a script the expected languages don't use (Han, Hangul, Kana) is
recognised by its script; other scripts are judged over all languages.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from statementkit.records import UNDETERMINED, LangResult, Statement

#: Used when the rules give none: the seven languages of the criteria lexicons + Portuguese.
DEFAULT_LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "nl", "es", "it", "pl", "pt")
MIN_LETTERS = 4
#: Below this confidence the answer is `und`. lingua's confidences sum to 1 over the
#: candidates; 0.25 is twice the uniform share among 8 languages. langdetect's
#: probabilities are sharper, hence its own floor.
MIN_PROB = {"lingua": 0.25, "langdetect": 0.5}
BACKENDS = ("lingua", "langdetect")
DEFAULT_BACKEND = "lingua"
_N_TRIALS = 15  # langdetect's default is 7, which makes short-text probabilities coarse


#: lingua's low-accuracy mode (trigrams only) answers first; below this confidence the full
#: detector decides. Low accuracy loads in 0.1 s instead of 1.7 s and runs ~4x faster; at >= 0.99
#: it is sure on 92 % of 10,700 real and written statements and differs from the full detector on
#: 5 of them (gibberish such as "asdlfjaksdjf", and one English comment the full detector calls Dutch).
LOW_ACCURACY_SURE = 0.99


@lru_cache(maxsize=16)
def _lingua(languages: tuple[str, ...] | None, low_accuracy: bool = False):
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    builder = None
    if languages:
        codes = [getattr(IsoCode639_1, c.upper()) for c in languages if hasattr(IsoCode639_1, c.upper())]
        if len(codes) >= 2:
            builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
    builder = builder or LanguageDetectorBuilder.from_all_languages()
    return (builder.with_low_accuracy_mode() if low_accuracy else builder).build()


def _detect_lingua(text: str, languages: tuple[str, ...] | None) -> tuple[str, float]:
    values = _lingua(languages, low_accuracy=True).compute_language_confidence_values(text)
    if not values or values[0].value < LOW_ACCURACY_SURE:
        values = _lingua(languages).compute_language_confidence_values(text)
    return _best(values)


@lru_cache(maxsize=1)
def _factory():
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.seed = 0
    return factory


def _script(text: str) -> tuple[int, str]:
    """Number of letters and the dominant script: latin, han, kana, hangul or other."""
    if text.isascii():  # every ASCII letter is Latin: no per-letter name lookup
        letters = sum(ch.isalpha() for ch in text)
        return letters, "latin"
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


def language_code(code: str | None) -> str | None:
    """The ISO 639-1 code a language tag names ("en-GB" -> "en", "pt_BR" -> "pt", "DE" -> "de"), or
    None when it names no language ("", "und", "xx", "english"): that statement's language is then
    detected, never taken as a reason to skip the checks."""
    if not code:
        return None
    primary = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return primary if primary in _iso_639_1() else None


def forced_language(code: str) -> str:
    """The ISO 639-1 code of a language the user forces (`--lang`), or an InputError: a forced code
    that names no language is a mistake to report, not one to detect around."""
    found = language_code(code)
    if found is None:
        from statementkit.errors import InputError

        raise InputError(f"unknown language code '{code}'", hint="give an ISO 639-1 code such as en, de, fr")
    return found


@lru_cache(maxsize=1)
def _iso_639_1() -> frozenset[str]:
    from lingua import Language

    return frozenset(lang.iso_code_639_1.name.lower() for lang in Language.all()) | frozenset(DEFAULT_LANGUAGES)


def detect(text: str, languages: Sequence[str] | None = DEFAULT_LANGUAGES,
           min_prob: float | None = None, backend: str = DEFAULT_BACKEND) -> tuple[str, float]:
    """Return (language code, confidence); `und` when too short or unsure.

    `languages` restricts the candidates; None means every language the
    backend knows. `backend` is "lingua" (default) or "langdetect".
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown language detector {backend!r} (valid: {', '.join(BACKENDS)})")
    floor = MIN_PROB[backend] if min_prob is None else min_prob
    known, restrict = _by_script(text, languages)
    if known is not None:
        return known
    if backend == "lingua":
        code, prob = _detect_lingua(text, restrict)
    else:
        code, prob = _detect_langdetect(text, restrict)
    return _answer(code, prob, floor)


def _by_script(text: str, languages: Sequence[str] | None) -> tuple[tuple[str, float] | None, tuple[str, ...] | None]:
    """The answer when the script (or too few letters) decides, else None and the candidates to restrict to."""
    letters, script = _script(text)
    if script == "kana":
        return ("ja", 1.0), None
    if script == "hangul":
        return ("ko", 1.0), None
    if script == "han":
        return (("zh", 1.0) if letters >= 2 else (UNDETERMINED, 0.0)), None
    if letters < MIN_LETTERS:
        return (UNDETERMINED, 0.0), None
    return None, tuple(languages) if languages and script == "latin" else None


def _answer(code: str, prob: float, floor: float) -> tuple[str, float]:
    prob = round(prob, 4)  # lingua's float sums differ in the last bit between calls
    if prob < floor:
        return UNDETERMINED, prob
    return code, prob


def _best(values) -> tuple[str, float]:
    if not values:
        return UNDETERMINED, 0.0
    return values[0].language.iso_code_639_1.name.lower(), float(values[0].value)


def detect_many(texts: Sequence[str], languages: Sequence[str] | None = DEFAULT_LANGUAGES,
                min_prob: float | None = None, backend: str = DEFAULT_BACKEND) -> list[tuple[str, float]]:
    """`detect` of each text, each distinct text once.

    With lingua, the texts the script does not decide go to it in batches
    (low accuracy first, the unsure ones to the full detector, as `detect`
    does one by one), which it spreads over the cores: ~1,300 statements/s
    one by one was a third of a 100 k dedup.
    """
    if backend != "lingua":
        each = {t: detect(t, languages, min_prob, backend) for t in dict.fromkeys(texts)}
        return [each[t] for t in texts]
    floor = MIN_PROB[backend] if min_prob is None else min_prob
    seen: dict[str, tuple[str, float]] = {}
    todo: dict[tuple[str, ...] | None, list[str]] = {}
    for text in dict.fromkeys(texts):
        known, restrict = _by_script(text, languages)
        if known is not None:
            seen[text] = known
        else:
            todo.setdefault(restrict, []).append(text)
    for restrict, group in todo.items():
        values = _confidences(_lingua(restrict, low_accuracy=True), group)
        unsure = [k for k, v in enumerate(values) if not v or v[0].value < LOW_ACCURACY_SURE]
        if unsure:
            full = _confidences(_lingua(restrict), [group[k] for k in unsure])
            for k, v in zip(unsure, full):
                values[k] = v
        for text, v in zip(group, values):
            seen[text] = _answer(*_best(v), floor)
    return [seen[t] for t in texts]


#: Below this many texts lingua's parallel batch is not worth its memory: a streaming `check`
#: (batches of up to 2,000) held ~60 MB more at its peak with it, for no time it could see.
PARALLEL_MIN = 10_000


def _confidences(detector: Any, texts: list[str]) -> list[Any]:
    if len(texts) >= PARALLEL_MIN:
        return detector.compute_language_confidence_values_in_parallel(texts)
    return [detector.compute_language_confidence_values(t) for t in texts]


def _detect_langdetect(text: str, languages: tuple[str, ...] | None) -> tuple[str, float]:
    from langdetect.lang_detect_exception import LangDetectException

    factory = _factory()
    detector = factory.create()
    detector.n_trial = _N_TRIALS
    if languages:
        known = set(factory.get_lang_list())
        prior = {code: 1.0 for code in languages if code in known}
        if prior:
            detector.set_prior_map(prior)
    detector.append(text)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return UNDETERMINED, 0.0
    return _normalise(best.lang), float(best.prob)


def detect_languages(statements: Iterable[Statement], languages: Sequence[str] | None = DEFAULT_LANGUAGES,
                     force: str | None = None, min_prob: float | None = None,
                     backend: str = DEFAULT_BACKEND) -> list[LangResult]:
    """Language per statement. `force` sets every statement's language (the `--lang` option);
    a language already given in the input is kept, as its ISO 639-1 code ("en-GB" -> "en"); a
    given code that names no language is detected instead."""
    forced = forced_language(force) if force else None
    statements = list(statements)
    given = [None if forced or not s.lang else language_code(s.lang) for s in statements]
    todo = [s.text for s, g in zip(statements, given) if not forced and not g]
    found = dict(zip(todo, detect_many(todo, languages, min_prob, backend)))  # each distinct text once
    results = []
    for s, g in zip(statements, given):
        if forced:
            results.append(LangResult(s.id, forced, 1.0, forced=True))
        elif g:
            results.append(LangResult(s.id, g, 1.0, forced=True))
        else:
            code, prob = found[s.text]
            results.append(LangResult(s.id, code, prob))
    return results


def with_languages(statements: Sequence[Statement], languages: Sequence[str] | None = DEFAULT_LANGUAGES,
                   force: str | None = None, backend: str = DEFAULT_BACKEND) -> list[Statement]:
    """Copies of the statements with `lang` filled in (given languages are kept)."""
    found = detect_languages(statements, languages, force, backend=backend)
    return [replace(s, lang=r.lang) for s, r in zip(statements, found)]
