r"""The small pattern language of the lexicons: data, interpreted, never executed.

A pattern is words separated by spaces, matched on the units of `document`
(case- and accent-insensitive, punctuation between words ignored, never across
a sentence end):

| item | matches |
|---|---|
| `idiot` | any inflection the lemmatiser knows: idiot, idiots (lemma or surface equal) |
| `=things` | exactly this form, accents included (no lemma), for words whose lemma is ambiguous |
| `idio*` / `*datenbank` / `*daten*` | words starting with / ending with / containing (compounds) |
| `AI` (all capitals) | the acronym, case-sensitive (also `AIs`, `AI's`); so Italian `ai` is not AI |
| `a\\|b\\|c` | any one of the alternatives |
| `[word]` | an optional item |
| `_` | any one word |
| `..` / `..5` | a gap of 0-3 / 0-5 words |
| `^` first / `$` last | at the start / end of a sentence (`^^`: of the whole statement) |
| `(a b\|c d)` / `[a b]` | alternative phrases / an optional phrase |
| `,` `?` `+1` ... | that punctuation mark |

Hyphenated words are split into parts as in the text, so `fine-tuning` also
matches `fine tuning`. Patterns compile per language (the pattern's own words
are lemmatised with that language's tables) into a `PatternSet` indexed by the
first item, so matching costs a few dictionary look-ups per word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from statementkit.checks.document import Doc, Unit, units_of, word_keys
from statementkit.text import nlp
from statementkit.text.normalise import fold_word, lowercase

_GAP = re.compile(r"^\.\.(\d*)$")
_FORMS_ONLY: ContextVar[bool] = ContextVar("forms_only", default=False)
_HYPHENS = re.compile(r"[-‐‑–]")
MAX_GAP = 8
# an acronym's plural and possessive: AIs, LLMS, Dutch API's, English LLM's (either apostrophe)
_ACRO_PLURALS = frozenset(("s", "S", "'s", "\u2019s"))


class PatternError(ValueError):
    """A pattern that cannot be compiled; the rules loader adds file and key."""


class Item:
    """One position of a pattern. `punct`: it may match punctuation (so none is skipped before it);
    `seqs`: an alternative with phrases in it."""

    __slots__ = ("kind", "value", "punct", "seqs", "keyset", "rest")

    def __init__(self, kind: str, value: Any):
        self.kind = kind  # key exact acro prefix suffix infix any gap punct alt opt seq
        self.value = value
        self.punct = kind == "punct" or (kind == "alt" and any(s.punct for s in value if s.kind != "seq")) or \
            (kind == "opt" and value.punct)
        self.seqs = kind == "alt" and any(s.kind == "seq" for s in value)
        # an alternative of many words: one set look-up for its plain words, a loop for the rest
        plain = [s for s in value if s.kind == "key"] if kind == "alt" else []
        self.keyset = frozenset().union(*(s.value for s in plain)) if plain else frozenset()
        self.rest = tuple(s for s in value if s.kind not in ("key", "seq")) if kind == "alt" else ()

    def __repr__(self) -> str:
        return f"Item({self.kind!r}, {self.value!r})"


ANY = Item("any", None)


@dataclass(slots=True)
class Pattern:
    source: str
    items: tuple[Item, ...]
    at_start: str = ""  # "" anywhere, "sentence" or "statement" (`^` / `^^`)
    at_end: bool = False
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def simple(self) -> bool:
        """One unit per item (no gaps, options or phrases): matched by a plain loop."""
        return all(it.kind not in ("gap", "opt", "seq") and not it.seqs for it in self.items)


@dataclass(slots=True, frozen=True)
class Match:
    pattern: Pattern
    first: int  # unit indices, inclusive / exclusive
    last: int
    start: int  # character offsets
    end: int

    @property
    def data(self) -> dict[str, Any]:
        return self.pattern.data


def _literal(text: str) -> tuple[str, bool]:
    """(form, accented): a literal written with accents or other diacritics matches them
    exactly (`*erá` is a Spanish future, `*era` is not); without, it matches folded text."""
    folded, lower = fold_word(text), lowercase(text)
    return (lower, True) if folded != lower else (folded, False)


def _word_items(word: str, lang: str) -> list[Item]:
    """Items for one plain word of a pattern, lemmatised like the text."""
    return list(_word_items_cached(word, lang, _FORMS_ONLY.get()))


@lru_cache(maxsize=65536)
def _word_items_cached(word: str, lang: str, forms_only: bool) -> tuple[Item, ...]:
    """The lexicons repeat their words thousands of times (16,000 patterns, 7 languages):
    each (word, language) is lemmatised once. Items are never changed after construction."""
    tokens = nlp.analyse_many([word], lang, parse=False)[0]
    items = []
    for u in units_of(tokens, lang):
        if u.punct:
            if not _HYPHENS.fullmatch(u.text):
                items.append(Item("punct", u.fold))
        elif u.acronym and u.text.isalpha():
            items.append(Item("acro", u.text))
        elif forms_only:
            items.append(Item("exact", _literal(u.text)))
        else:
            items.append(Item("key", u.keys))
    return tuple(items)


def _split(source: str) -> list[str]:
    """Whitespace-separated items, keeping (...) and [...] groups whole."""
    out: list[str] = []
    depth, cur = 0, ""
    for ch in source:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth < 0:
                raise PatternError(f"unbalanced '{ch}' in '{source}'")
        if ch.isspace() and depth == 0:
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += ch
    if depth != 0:
        raise PatternError(f"unclosed group in '{source}'")
    if cur:
        out.append(cur)
    return out


def _sequence(text: str, lang: str) -> Item:
    items = [it for raw in _split(text) for it in _item(raw, lang)]
    if not items:
        raise PatternError(f"empty group part in '{text}'")
    return items[0] if len(items) == 1 else Item("seq", tuple(items))


def _item(raw: str, lang: str) -> list[Item]:
    if raw.startswith("(") and raw.endswith(")"):  # (one phrase|another phrase)
        parts = raw[1:-1].split("|")
        if len(parts) < 2 or any(not p.strip() for p in parts):
            raise PatternError(f"group '{raw}' needs two or more alternatives separated by '|'")
        return [Item("alt", tuple(_sequence(p, lang) for p in parts))]
    if raw.startswith("[") and raw.endswith("]") and " " in raw:  # [an optional phrase]
        return [Item("opt", _sequence(raw[1:-1], lang))]
    if raw == "_":
        return [Item("any", None)]
    gap = _GAP.match(raw)
    if gap:
        n = int(gap.group(1) or 3)
        if not 1 <= n <= MAX_GAP:
            raise PatternError(f"gap '{raw}' must allow 1 to {MAX_GAP} words")
        return [Item("gap", n)]
    if raw.startswith("[") and raw.endswith("]") and len(raw) > 2:
        inner = _item(raw[1:-1], lang)
        if len(inner) != 1 or inner[0].kind in ("gap", "opt"):
            raise PatternError(f"optional item '{raw}' must hold one word or alternatives")
        return [Item("opt", inner[0])]
    if "|" in raw:
        alts = []
        for alt in raw.split("|"):
            if not alt:
                raise PatternError(f"empty alternative in '{raw}'")
            sub = _item(alt, lang)
            alts.append(sub[0] if len(sub) == 1 else Item("seq", tuple(sub)))
        return [Item("alt", tuple(alts))]
    if raw.startswith("="):
        if len(raw) == 1:
            raise PatternError("'=' must be followed by a word")
        return [Item("exact", (lowercase(raw[1:]), True))]  # exactly this form, accents included
    if "*" in raw:
        if raw.count("*") > 2 or "*" in raw.strip("*"):
            raise PatternError(f"'*' may only start or end a word: '{raw}'")
        parts = _HYPHENS.split(raw)
        if len(parts) > 1:  # fine-tun* -> fine + tun*
            return [it for part in parts if part for it in _item(part, lang)]
        core = raw.strip("*")
        if len(core) < 2 and not core.isdigit() and not any(ord(ch) >= 0x2E80 for ch in core):  # one Han character is a word
            raise PatternError(f"wildcard word '{raw}' needs at least 2 letters (or a digit)")
        kind = "infix" if raw.startswith("*") and raw.endswith("*") else "suffix" if raw.startswith("*") else "prefix"
        return [Item(kind, _literal(core))]
    if not any(ch.isalnum() for ch in raw):
        return [Item("punct", fold_word(raw))]
    items = _word_items(raw, lang)
    if not items:
        raise PatternError(f"no word in '{raw}'")
    return items


def compile_pattern(source: str, lang: str, data: dict[str, Any] | None = None, *,
                    forms_only: bool = False) -> Pattern:
    """Compile one pattern string for `lang`; raises PatternError with the reason.

    `forms_only`: plain words match their exact form, not every form of their
    lemma (for lists of tense forms: the future `sera` must not match `est`).
    """
    token = _FORMS_ONLY.set(forms_only)
    try:
        return _compile(source, lang, data)
    finally:
        _FORMS_ONLY.reset(token)


def _compile(source: str, lang: str, data: dict[str, Any] | None) -> Pattern:
    if not isinstance(source, str) or not source.strip():
        raise PatternError("a pattern must be a non-empty string")
    raw = _split(source)
    at_start = {"^": "sentence", "^^": "statement"}.get(raw[0], "")
    at_end = raw[-1] == "$"
    raw = raw[1 if at_start else 0: len(raw) - 1 if at_end else len(raw)]
    if not raw:
        raise PatternError(f"pattern '{source}' has no words")
    items: list[Item] = []
    for r in raw:
        items.extend(_item(r, lang))
    if items[0].kind in ("gap",) or items[-1].kind in ("gap",):
        raise PatternError(f"pattern '{source}' may not start or end with a gap")
    return Pattern(source, tuple(items), at_start, at_end, dict(data or {}))


def unit_ok(item: Item, u: Unit) -> bool:
    k = item.kind
    if k == "key":
        return not u.punct and not u.keys.isdisjoint(item.value)
    if k == "punct":
        return u.punct and u.fold == item.value
    if u.punct:
        return False
    if k == "acro":
        return u.text == item.value or u.text[len(item.value):] in _ACRO_PLURALS and u.text.startswith(item.value)
    if k in ("exact", "prefix", "suffix", "infix"):
        text, accented = item.value
        form = u.lower if accented else u.fold
        if k == "exact":
            return form == text
        if k == "prefix":
            return form.startswith(text)
        if k == "suffix":
            return form.endswith(text)
        return text in form
    if k == "any":
        return True
    if k == "alt":
        if not item.keyset.isdisjoint(u.keys):
            return True
        return any(unit_ok(sub, u) for sub in item.rest)
    return False


def _skip(units: Sequence[Unit], i: int, end: int, item: Item) -> int:
    """Skip punctuation the pattern does not mention."""
    if item.punct:
        return i
    while i < end and units[i].punct:
        i += 1
    return i


def _match_simple(items: Sequence[Item], units: Sequence[Unit], i: int, end: int) -> int:
    for item in items:
        if not item.punct:
            while i < end and units[i].punct:
                i += 1
        if i >= end or not unit_ok(item, units[i]):
            return -1
        i += 1
    return i


def _match(items: Sequence[Item], k: int, units: Sequence[Unit], i: int, end: int) -> int:
    """End index (exclusive) of a match of items[k:] starting at unit i, or -1."""
    if k == len(items):
        return i
    item = items[k]
    if item.kind == "seq":
        return _match((*item.value, *items[k + 1:]), 0, units, i, end)
    if item.kind == "gap":
        j = i
        for _ in range(item.value + 1):
            r = _match(items, k + 1, units, j, end)
            if r >= 0:
                return r
            j = _skip(units, j, end, ANY)
            if j >= end:
                return -1
            j += 1
        return -1
    if item.kind == "opt":
        r = _match((item.value, *items[k + 1:]), 0, units, i, end)
        return r if r >= 0 else _match(items, k + 1, units, i, end)
    if item.seqs:
        for sub in item.value:
            seq = sub.value if sub.kind == "seq" else (sub,)
            r = _match((*seq, *items[k + 1:]), 0, units, i, end)
            if r >= 0:
                return r
        return -1
    i = _skip(units, i, end, item)
    if i >= end or not unit_ok(item, units[i]):
        return -1
    return _match(items, k + 1, units, i + 1, end)


def _first_items(items: Sequence[Item]) -> list[Item]:
    """The items a match can start with (through alternatives, options and phrases)."""
    if not items:
        return []
    item = items[0]
    if item.kind == "seq":
        return _first_items((*item.value, *items[1:]))
    if item.kind == "opt":
        return _first_items((item.value,)) + _first_items(items[1:])
    if item.kind == "alt":
        return [f for sub in item.value for f in _first_items((sub,))]
    return [item]


def _needed_keys(items: Sequence[Item]) -> tuple:
    """Word keys a match cannot do without, for the plain words (and alternatives of plain words)
    a pattern must match: (keys all needed, sets of which one key each is needed), or () if none.
    Most candidate patterns fail on their second word; a text without it is not tried at all."""
    choices = []
    for item in items:
        if item.kind == "key":
            choices.append(frozenset(item.value))
        elif item.kind == "exact":
            choices.append(frozenset({fold_word(item.value[0])}))
        elif item.kind == "alt" and not item.rest and not item.seqs:
            choices.append(item.keyset)
    if not choices:
        return ()
    single = frozenset(next(iter(c)) for c in choices if len(c) == 1)
    return (single, tuple(c for c in choices if len(c) > 1))


def _possible(present: set[str], needed: tuple) -> bool:
    """Whether a text with word keys `present` can hold every word in `needed` (`_needed_keys`)."""
    single, choices = needed
    if not present.issuperset(single):
        return False
    for keys in choices:
        if present.isdisjoint(keys):
            return False
    return True


class _Index:
    """Patterns by the items they can start with: keys, prefixes, suffixes, infixes."""

    def __init__(self) -> None:
        self.keys: dict[str, list[int]] = {}
        self.prefix: dict[str, list[int]] = {}
        self.suffix: dict[str, list[int]] = {}
        self.infix: list[tuple[str, bool, int]] = []
        self.scan: list[int] = []
        self.prefix_lens: list[int] = []
        self.suffix_lens: list[int] = []

    def add(self, item: Item, n: int) -> None:
        k = item.kind
        if k == "key":
            for key in item.value:
                self.keys.setdefault(key, []).append(n)
        elif k == "punct":
            self.keys.setdefault(item.value, []).append(n)
        elif k == "exact":
            self.keys.setdefault(fold_word(item.value[0]), []).append(n)
        elif k == "acro":
            for form in (item.value, *(item.value + end for end in _ACRO_PLURALS if end != "S")):
                self.keys.setdefault(fold_word(form), []).append(n)
        elif k == "prefix":
            self.prefix.setdefault(fold_word(item.value[0]), []).append(n)
        elif k == "suffix":
            self.suffix.setdefault(fold_word(item.value[0]), []).append(n)
        elif k == "infix":
            self.infix.append((item.value[0], item.value[1], n))
        elif n not in self.scan:  # "_": try everywhere
            self.scan.append(n)

    def done(self) -> None:
        self.prefix_lens = sorted({len(k) for k in self.prefix})
        self.suffix_lens = sorted({len(k) for k in self.suffix})

    def candidates(self, u: Unit, found: set[int]) -> None:
        found.update(self.scan)
        keys = self.keys
        for key in u.keys:
            hit = keys.get(key)
            if hit:
                found.update(hit)
        f = u.fold
        for text, accented, n in self.infix:
            if text in (u.lower if accented else f):
                found.add(n)
        for n in self.prefix_lens:
            if n > len(f):
                break
            hit = self.prefix.get(f[:n])
            if hit:
                found.update(hit)
        for n in self.suffix_lens:
            if n > len(f):
                break
            hit = self.suffix.get(f[-n:])
            if hit:
                found.update(hit)


class PatternSet:
    """Patterns of one language, indexed by the items they can start with; patterns anchored
    at a sentence start are only tried there."""

    def __init__(self, patterns: Iterable[Pattern]):
        self.patterns = list(patterns)
        self._simple = [p.simple for p in self.patterns]
        self._needs = [_needed_keys(p.items[1:]) for p in self.patterns]  # () for most: nothing to check
        self._free, self._anchored = _Index(), _Index()
        for n, p in enumerate(self.patterns):
            index = self._anchored if p.at_start else self._free
            for item in _first_items(p.items):
                index.add(item, n)
        self._free.done()
        self._anchored.done()

    def __len__(self) -> int:
        return len(self.patterns)

    def _candidates(self, u: Unit, at_start: bool = False) -> set[int]:
        found: set[int] = set()
        self._free.candidates(u, found)
        if at_start:
            self._anchored.candidates(u, found)
        return found

    def find(self, doc: Doc, sentence: int | None = None) -> list[Match]:
        """Every match in the doc (or in one sentence), in text order; overlaps included."""
        out: list[Match] = []
        if not self.patterns:
            return out
        units = doc.units
        present: set[str] = set()
        for u in units:
            present |= u.keys
        needs = self._needs
        for s, (a, b) in enumerate(doc.sentences):
            if sentence is not None and s != sentence:
                continue
            first_word = _skip(units, a, b, ANY)
            for i in range(a, b):
                for n in self._candidates(units[i], i == first_word):
                    p = self.patterns[n]
                    if p.at_start and (i != first_word or p.at_start == "statement" and s > 0):
                        continue
                    needed = needs[n]
                    if needed and not _possible(present, needed):
                        continue
                    j = _match_simple(p.items, units, i, b) if self._simple[n] else _match(p.items, 0, units, i, b)
                    if j < 0:
                        continue
                    if p.at_end and _skip(units, j, b, ANY) < b:
                        continue
                    last = j - 1
                    out.append(Match(p, i, j, units[i].start, units[last].end))
        return out


def longest(matches: Sequence[Match]) -> list[Match]:
    """Non-overlapping matches, preferring the longest (then the earliest)."""
    chosen: list[Match] = []
    for m in sorted(matches, key=lambda m: (-(m.end - m.start), m.start)):
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


def compile_many(entries: Iterable[tuple[str, dict[str, Any]]], lang: str) -> PatternSet:
    return PatternSet(compile_pattern(src, lang, data) for src, data in entries)


__all__ = ["Match", "Pattern", "PatternError", "PatternSet", "compile_many", "compile_pattern", "longest",
           "word_keys"]
