"""Stance cues: negation and antonyms per language, as data from `rules/stance.toml`.

Sentence embeddings put "museums should share their data" and "museums should
not share their data" next to each other. This module finds what can flip a
claim -- grammatical negation (with negative concord, attached forms like
n't / n', contrastive "rather than", and exceptions like "not only") and
antonym words grouped into concepts shared across languages (allow /
verbieten / interdire ...). `claims.compare` decides, per pair, which cues
apply to the content the two statements share.

Tokens are lowercase word pieces: hyphens and apostrophes split words (so
"KI-Werkzeuge" gives "ki", "werkzeuge"), Han characters are one token each.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from statementkit.errors import RulesError
from statementkit.text.nlp import stem
from statementkit.text.normalise import fold, fold_word, word_pieces

STANCE_FILE = "stance.toml"
GAP = "..."  # in an exception phrase: up to GAP_MAX tokens in between ("ne ... que")
GAP_MAX = 4
MIN_STEM = 4
_LANG_KEYS = ("words", "negation", "concord", "prefixes", "suffixes", "contrast", "exceptions", "ignore", "negative_prefixes",
              "inflections", "homographs")
_TOP_KEYS = ("concord_window", "languages", "antonyms", "equivalents")


def lower_pieces(text: str) -> list[str]:
    """The lowercase word pieces (`normalise.word_pieces`) stance cues are matched on."""
    return word_pieces(text.lower())


Phrase = tuple[str, ...]


@dataclass
class LangCues:
    """The negation cues of one language."""

    negation: set[str] = field(default_factory=set)
    concord: set[str] = field(default_factory=set)
    prefixes: list[str] = field(default_factory=list)
    suffixes: list[str] = field(default_factory=list)
    contrast: list[Phrase] = field(default_factory=list)
    exceptions: list[Phrase] = field(default_factory=list)
    ignore: set[str] = field(default_factory=set)
    negative_prefixes: list[str] = field(default_factory=list)
    multiword_negation: list[Phrase] = field(default_factory=list)
    inflections: tuple[tuple[str, ...], ...] = ()  # paradigms: folded endings a cue word may take together
    homographs: frozenset[str] = frozenset()  # folded forms that are usually another word: exact match only
    words: bool = True  # False: tokens are characters (Chinese), so the claim check cannot compare claims

    def __post_init__(self) -> None:  # emphatic or accentless spellings: géén, nao
        self.negation_folded = {fold(w) for w in self.negation}
        self.concord_folded = {fold(w) for w in self.concord}


@dataclass(slots=True, frozen=True)
class Antonym:
    concept: str
    sign: int  # +1 plus, -1 minus
    phrase: Phrase
    explain: str


@dataclass(slots=True)
class StanceRules:
    languages: dict[str, LangCues]
    antonyms: dict[str, list[Antonym]]  # lang -> entries, longest phrase first
    concord_window: int = 6
    equivalents: dict[str, str] = field(default_factory=dict)  # token -> canonical
    path: Path | None = None
    _index: dict[str, dict[str, list[Antonym]]] = field(default_factory=dict, repr=False)

    def lang(self, lang: str | None) -> LangCues:
        return self.languages.get((lang or "").lower(), _EMPTY)

    def phrase_index(self, lang: str) -> dict[str, list[tuple[str, Phrase]]]:
        """Exceptions, contrast phrases and multi-word negations by their folded first word."""
        key = "phrases:" + lang
        if key not in self._index:
            cues = self.lang(lang)
            index: dict[str, list[tuple[str, Phrase]]] = {}
            for kind, phrases in (("exception", cues.exceptions), ("contrast", cues.contrast),
                                  ("negation", cues.multiword_negation)):
                for phrase in phrases:
                    index.setdefault(fold_word(phrase[0]), []).append((kind, phrase))
            self._index[key] = index  # type: ignore[assignment]
        return self._index[key]  # type: ignore[return-value]

    def memo(self, name: str, compute: Callable[[str], object]) -> Memo:
        """Facts derived from these rules per word (`compute(word)`), worked out once and kept with them."""
        key = "memo:" + name
        if key not in self._index:
            self._index[key] = Memo(compute)  # type: ignore[assignment]
        return self._index[key]  # type: ignore[return-value]

    def token_facts(self, lang: str) -> Memo:
        """Lowercase token -> its `TokenFacts` in `lang`."""
        cues, phrases, antonyms = self.lang(lang), self.phrase_index(lang), self.antonym_index(lang)

        order = {a: i for i, a in enumerate(self.antonyms.get(lang, ()))}

        def facts(token: str) -> TokenFacts:
            folded = fold_word(token)
            found = {a for key in self.cue_keys(token, lang) for a in antonyms.get(key, ())}
            return TokenFacts(folded, folded in phrases,
                              token in cues.negation or folded in cues.negation_folded,
                              token in cues.concord or folded in cues.concord_folded,
                              sorted(found, key=order.__getitem__))  # longest phrase first, as listed
        return self.memo("tokens:" + lang, facts)

    def cue_keys(self, word: str, lang: str) -> frozenset[str]:
        """What a word matches a cue entry by (`cue_keys`), worked out once per word."""
        return self.memo("keys:" + lang, lambda w: cue_keys(w, lang, self.lang(lang)))[word]

    def antonym_index(self, lang: str) -> dict[str, list[Antonym]]:
        """First word of each antonym phrase -> entries, keyed by each of its `cue_keys`."""
        if lang not in self._index:
            index: dict[str, list[Antonym]] = {}
            for a in self.antonyms.get(lang, ()):  # longest first, kept in that order
                for key in self.cue_keys(a.phrase[0], lang):
                    index.setdefault(key, []).append(a)
            self._index[lang] = index
        return self._index[lang]


_EMPTY = LangCues()


class TokenFacts(NamedTuple):
    """What `find_cues` needs to know about one token, the same wherever it occurs."""

    folded: str
    phrase: bool                 # an exception, contrast or multi-word negation may start here
    negation: bool
    concord: bool
    antonyms: list[Antonym]      # entries whose phrase may start here (same folded form or stem)


class Memo(dict):
    """A dictionary that computes a missing value once: a consultation repeats its vocabulary thousands of times.

    Starts afresh past `limit` entries, so an endless stream of new words cannot grow it without bound.
    """

    def __init__(self, compute: Callable[[str], object], limit: int = 1 << 19):
        super().__init__()
        self.compute, self.limit = compute, limit

    def __missing__(self, key: str) -> object:
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.compute(key)
        return value


@dataclass(slots=True, frozen=True)
class Cue:
    """One stance cue found in a statement: tokens [start, end)."""

    start: int
    end: int
    kind: str  # "negation" | "contrast" | "antonym"
    text: str
    concepts: frozenset[str] = frozenset()  # antonym concepts the words belong to
    sign: int = -1


def _phrase(text: str) -> Phrase:
    return tuple(GAP if part == GAP else t for part in text.split() for t in
                 ([GAP] if part == GAP else lower_pieces(part)))


def _strings(value: object, path: Path, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesError(f"'{where}' must be a list of strings", path)
    return value


def _paradigms(value: object, path: Path, where: str) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list):
        raise RulesError(f"'{where}' must be a list of lists of strings", path)
    return tuple(tuple(dict.fromkeys(fold(e) for e in _strings(group, path, where))) for group in value)


def stance_file(rules: str | Path | None = None) -> Path:
    """The stance.toml to use: the rules directory's own, else the bundled one."""
    from statementkit.resources import rules_dir
    from statementkit.rules import resolve_rules_dir

    path = resolve_rules_dir(rules) / STANCE_FILE
    return path if path.exists() else rules_dir() / STANCE_FILE


def _flag(value: object, path: Path, where: str) -> bool:
    if not isinstance(value, bool):
        raise RulesError(f"'{where}' must be true or false, not {value!r}", path)
    return value


def load_stance(rules: str | Path | None = None) -> StanceRules:
    """Read `stance.toml` from a rules directory (default, or when it has none: the bundled rules/)."""
    return _load(stance_file(rules))


@lru_cache(maxsize=8)
def _load(path: Path) -> StanceRules:
    from statementkit.rules import check_keys, load_toml

    data = load_toml(path)
    check_keys(data, _TOP_KEYS, path, "")
    languages: dict[str, LangCues] = {}
    for lang, raw in data.get("languages", {}).items():
        check_keys(raw, _LANG_KEYS, path, f"languages.{lang}")
        get = lambda key: _strings(raw.get(key, []), path, f"languages.{lang}.{key}")  # noqa: E731
        negation = [_phrase(w) for w in get("negation")]
        languages[lang] = LangCues(
            negation={p[0] for p in negation if len(p) == 1},
            concord={t for w in get("concord") for t in lower_pieces(w)},
            prefixes=get("prefixes"), suffixes=get("suffixes"),
            contrast=[_phrase(w) for w in get("contrast")],
            exceptions=[_phrase(w) for w in get("exceptions")],
            ignore={t for w in get("ignore") for t in lower_pieces(w)},
            negative_prefixes=[fold(p) for p in get("negative_prefixes")],
            multiword_negation=[p for p in negation if len(p) > 1],
            inflections=_paradigms(raw.get("inflections", []), path, f"languages.{lang}.inflections"),
            homographs=frozenset(fold(w) for w in get("homographs")),
            words=_flag(raw.get("words", True), path, f"languages.{lang}.words"))
    antonyms: dict[str, list[Antonym]] = {}
    for i, raw in enumerate(data.get("antonyms", [])):
        where = f"antonyms[{i}]"
        check_keys(raw, ("id", "explain", "plus", "minus"), path, where)
        if "id" not in raw:
            raise RulesError(f"missing key '{where}.id'", path)
        for sign_key, sign in (("plus", 1), ("minus", -1)):
            for lang, words in raw.get(sign_key, {}).items():
                for w in _strings(words, path, f"{where}.{sign_key}.{lang}"):
                    antonyms.setdefault(lang, []).append(
                        Antonym(raw["id"], sign, _phrase(w), raw.get("explain", raw["id"])))
    for entries in antonyms.values():
        entries.sort(key=lambda a: -len(a.phrase))
    equivalents: dict[str, str] = {}
    for i, group in enumerate(data.get("equivalents", [])):
        words = _strings(group, path, f"equivalents[{i}]")
        for w in words:
            equivalents[fold(w)] = fold(words[0])
    window = data.get("concord_window", 6)
    if not isinstance(window, int) or window < 0:
        raise RulesError("'concord_window' must be a non-negative integer", path)
    return StanceRules(languages, antonyms, window, equivalents, path)


# ---------------------------------------------------------------- matching


def expand_attached(text: str, cues: LangCues) -> str:
    """Split attached negation off its word: "shouldn't" -> "should not", "n'est" -> "ne est"."""
    if not (cues.prefixes or cues.suffixes) or not cues.negation:
        return text
    word = sorted(cues.negation)[0] if len(cues.negation) == 1 else _first_negation(cues)
    for p in cues.prefixes:
        text = re.sub(rf"(?<!\w){re.escape(p)}(?=\w)", f"{word} ", text, flags=re.IGNORECASE)
    for s in cues.suffixes:
        text = re.sub(rf"(?<=\w){re.escape(s)}(?!\w)", f" {word}", text, flags=re.IGNORECASE)
    return text


def _first_negation(cues: LangCues) -> str:
    for w in ("not", "ne", "non", "nie", "no", "niet", "nicht"):
        if w in cues.negation:
            return w
    return sorted(cues.negation)[0]


@lru_cache(maxsize=200_000)
def _stem(word: str, lang: str) -> str:
    return stem(word, lang)


def stem_key(word: str, lang: str) -> str | None:
    """Snowball stem, or None when it is too short to identify a word ("don" < données, donner)."""
    s = _stem(word, lang)
    return s if len(s) >= MIN_STEM else None


def cue_keys(word: str, lang: str, cues: LangCues) -> frozenset[str]:
    """The keys a word matches a stance entry by: its folded form, and per paradigm of the language's
    declared `inflections` the bases left by removing one of its endings ("i<n>:"), never shorter
    than MIN_STEM: two words match when both are one base with endings of one paradigm.

    Not Snowball stems, which also strip derivations: Dutch "vrijwilligers" (volunteers) and
    "vrijwillig" (voluntary) share the stem "vrijwil", so a translation read as a stance flip. Not
    lemma tables either: their out-of-context guesses ("een" -> "één", Italian "dai" -> "dare")
    added cues that cost dev pair F1. Paradigms keep a noun from matching a verb (Spanish "términos"
    / "terminar"). The language's `homographs` (German "Freiwillige", French "données") match only
    their own spelling.
    """
    folded = fold_word(word)
    keys = {folded}
    if folded in cues.homographs:
        return frozenset(keys)
    for n, endings in enumerate(cues.inflections):
        for ending in endings:
            if folded.endswith(ending) and len(folded) - len(ending) >= MIN_STEM:
                keys.add(f"i{n}:{folded[:len(folded) - len(ending)]}")
    return frozenset(keys)


def _same(token: str, entry: str, lang: str, rules: StanceRules) -> bool:
    return token == entry or bool(rules.cue_keys(token, lang) & rules.cue_keys(entry, lang))


def _match_at(tokens: list[str], i: int, phrase: Phrase, lang: str, rules: StanceRules,
              negations: Sequence[bool] | None = None) -> int:
    """End index if `phrase` matches at tokens[i], else -1 (GAP skips up to GAP_MAX tokens, but
    never a negation word: "ne devraient pas autoriser que" is a negation, not "ne ... que")."""
    j = i
    k = 0
    while k < len(phrase):
        part = phrase[k]
        if part == GAP:
            nxt = phrase[k + 1]
            for gap in range(GAP_MAX + 1):
                if j + gap < len(tokens) and negations is not None and gap and negations[j + gap - 1]:
                    return -1
                if j + gap < len(tokens) and _same(tokens[j + gap], nxt, lang, rules):
                    j += gap
                    break
            else:
                return -1
            k += 1
            continue
        if j >= len(tokens) or not _same(tokens[j], part, lang, rules):
            return -1
        j += 1
        k += 1
    return j


def find_cues(tokens: list[str], lang: str | None, rules: StanceRules) -> list[Cue]:
    """Negation, contrast and antonym cues in one tokenised statement."""
    lang = (lang or "").lower()
    used = [False] * len(tokens)
    found: list[Cue] = []

    def take(start: int, end: int) -> bool:
        if any(used[start:end]):
            return False
        used[start:end] = [True] * (end - start)
        return True

    phrases = rules.phrase_index(lang)
    facts = rules.token_facts(lang)
    info = [facts[t] for t in tokens]
    starts = [i for i, f in enumerate(info) if f.phrase]  # the few tokens a phrase begins with
    negating = [f.negation or f.concord for f in info]  # a gap in an exception never skips these
    for i in starts:  # exceptions first: "not only" is no negation
        for kind, phrase in phrases[info[i].folded]:
            if kind == "exception" and (end := _match_at(tokens, i, phrase, lang, rules, negating)) > 0:
                used[i:end] = [True] * (end - i)
    for i in starts:
        for kind, phrase in phrases[info[i].folded]:
            if kind != "exception" and (end := _match_at(tokens, i, phrase, lang, rules)) > 0 and take(i, end):
                found.append(Cue(i, end, kind, " ".join(tokens[i:end])))
                break
    for i in [i for i, f in enumerate(info) if f.negation]:
        if not used[i]:
            used[i] = True
            found.append(Cue(i, i + 1, "negation", tokens[i]))
    heads = [c.start for c in found if c.kind == "negation"]
    for i in [i for i, f in enumerate(info) if f.concord]:  # concord words count only far from another negation
        if not used[i]:
            used[i] = True
            if all(abs(i - h) > rules.concord_window for h in heads):
                found.append(Cue(i, i + 1, "negation", tokens[i]))
                heads.append(i)
    for i in [i for i, f in enumerate(info) if f.antonyms]:
        if used[i]:
            continue
        entries = info[i].antonyms
        # a one-word entry was found by this token's own folded form or stem, so it matches here
        hits = [(end, a) for a in entries
                if (end := i + 1 if len(a.phrase) == 1 else _match_at(tokens, i, a.phrase, lang, rules)) > 0]
        if not hits:
            continue
        end = max(e for e, _ in hits)
        sign = next(a.sign for e, a in hits if e == end)
        if take(i, end):
            concepts = frozenset(a.concept for e, a in hits if e == end and a.sign == sign)
            found.append(Cue(i, end, "antonym", " ".join(tokens[i:end]), concepts, sign))
    found.sort(key=lambda c: c.start)
    return found
