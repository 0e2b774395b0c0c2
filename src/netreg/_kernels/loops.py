"""The numba loops themselves, compiled once by :func:`netreg._kernels.runtime.compiled`.

Two pieces are written once and inlined wherever they are needed: the soft threshold of
one number (every elementwise prox and the fused AdamW update use it) and AdamW's update
of one coordinate, which also yields ``d`` with the coordinate's step ``lr/d``.
"""

from __future__ import annotations

import math
from types import SimpleNamespace


def build() -> SimpleNamespace:
    from numba import njit, prange

    # error_model="numpy": no zero-division checks, the semantics of IEEE floats.
    # parallel: prange loops split across numba's threads (vectorized within each).
    jit = njit(nogil=True, cache=True, error_model="numpy", parallel=True)
    # Row norms may reassociate their sums (SIMD); nothing else is relaxed.
    jit_sum = njit(
        nogil=True, cache=True, error_model="numpy", parallel=True, fastmath={"reassoc", "nsz"}
    )
    inline = njit(inline="always", error_model="numpy")

    @inline
    def soft_one(x, t):  # type: ignore[no-untyped-def]
        """``x − clamp(x, −t, t)``: the soft threshold; a NaN ``x`` falls through and stays NaN."""
        c = x if x < t else t
        c = c if c > -t else -t
        return x - c

    @inline
    def adam_terms(c):  # type: ignore[no-untyped-def]
        """The row ``c`` of adam coefficients as a tuple of scalars, read once per loop."""
        return (c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8])

    @inline
    def adam_update(x, g, m, v, k, one):  # type: ignore[no-untyped-def]
        """AdamW of one coordinate with coefficients ``k``: ``(x', m', v', d, 1/d)``, step ``lr/d``.

        ``one``: 1 in the weights' dtype, so that float32 math stays float32 as in torch.
        """
        gi = g * k[8]
        mi = m + (gi - m) * k[3]  # torch's lerp(m, g, 1 − β₁)
        vi = v * k[4] + k[5] * gi * gi
        d = math.sqrt(vi) * k[6] + k[7]
        # one division per coordinate (1/d), then products: vectorizes
        r = one / d
        return x * k[1] - k[2] * mi * r, mi, vi, d, r

    @jit
    def soft(w, t):  # type: ignore[no-untyped-def]
        for i in prange(w.size):
            w[i] = soft_one(w[i], t)

    @jit
    def soft_diag(w, sq, scale, shift):  # type: ignore[no-untyped-def]
        for i in prange(w.size):
            w[i] = soft_one(w[i], scale / (math.sqrt(sq[i]) + shift))

    @jit
    def enet(w, t, factor):  # type: ignore[no-untyped-def]
        for i in prange(w.size):
            w[i] = soft_one(w[i], t) * factor

    @jit
    def enet_diag(w, sq, c1, c2, shift):  # type: ignore[no-untyped-def]
        one = w.dtype.type(1.0)  # float32 math for float32 weights, as in torch
        for i in prange(w.size):
            d = math.sqrt(sq[i]) + shift
            w[i] = soft_one(w[i], c1 / d) / (one + c2 / d)

    @jit
    def adamw_shrink(w, g, m, v, c, l1, l2, per_coordinate):  # type: ignore[no-untyped-def]
        k = adam_terms(c)
        lr = k[0]
        one = w.dtype.type(1.0)
        for i in prange(w.size):
            x, mi, vi, _, r = adam_update(w[i], g[i], m[i], v[i], k, one)
            m[i] = mi
            v[i] = vi
            s = lr * r if per_coordinate else lr
            y = soft_one(x, l1 * s)
            w[i] = y if l2 == 0 else y / (one + l2 * s)

    @inline
    def shrink_unit(row, bias, i, has_bias, total, t):  # type: ignore[no-untyped-def]
        """Scale unit i (``row`` and ``bias[i]``, squared norm ``total``) by max(0, 1 − t/‖·‖)."""
        if t != 0:  # a zero threshold is the identity, even for underflowing rows
            zero = row.dtype.type(0.0)
            norm = math.sqrt(total)
            factor = row.dtype.type(1.0) - t / norm if norm > 0 else zero
            if factor < 0:
                factor = zero
            for j in range(row.size):
                row[j] *= factor
            if has_bias:
                bias[i] *= factor

    @jit_sum
    def adamw_units(rows, g, m, v, c, bias, bg, bm, bv, bc, strengths, per_coordinate, blocks):  # type: ignore[no-untyped-def]
        # rows, g, m, v, bias, bg, bm, bv: tuples with one array per layer; c, bc: one
        # row of adam_coefficients per layer; blocks: (layer, first row, end row)
        for block in prange(blocks.shape[0]):
            layer, first, end = blocks[block, 0], blocks[block, 1], blocks[block, 2]
            w_rows, g_rows, m_rows, v_rows = rows[layer], g[layer], m[layer], v[layer]
            b, b_g, b_m, b_v = bias[layer], bg[layer], bm[layer], bv[layer]
            k, bk = adam_terms(c[layer]), adam_terms(bc[layer])
            has_bias = b.size > 0
            for i in range(first, end):
                row, g_row, m_row, v_row = w_rows[i], g_rows[i], m_rows[i], v_rows[i]
                zero, one = row.dtype.type(0.0), row.dtype.type(1.0)
                total, metric = zero, zero
                for j in range(row.size):
                    x, mj, vj, d, _ = adam_update(row[j], g_row[j], m_row[j], v_row[j], k, one)
                    row[j], m_row[j], v_row[j] = x, mj, vj
                    total += x * x
                    metric += d
                metric = metric / k[0]  # Σ 1/step over the row's weights
                count = row.size
                if has_bias:
                    x, mj, vj, d, _ = adam_update(b[i], b_g[i], b_m[i], b_v[i], bk, one)
                    b[i], b_m[i], b_v[i] = x, mj, vj
                    total += x * x
                    metric += d / bk[0]
                    count += 1
                # the hook's steps: the harmonic mean over the unit, or the weight's lr
                t = (count / metric if per_coordinate[layer] else k[0]) * strengths[layer]
                shrink_unit(row, b, i, has_bias, total, t)

    @jit_sum
    def group_rows(rows, bias, thresholds, common):  # type: ignore[no-untyped-def]
        has_bias = bias.size > 0
        per_row = thresholds.size > 0
        for i in prange(rows.shape[0]):
            row = rows[i]
            # Sums in the weight's dtype, as torch's: a norm exactly at the threshold
            # must give an exact zero in float32 too.
            zero = row.dtype.type(0.0)
            total = zero
            for j in range(row.size):
                total += row[j] * row[j]
            if has_bias:
                total += bias[i] * bias[i]
            t = thresholds[i] if per_row else common
            shrink_unit(row, bias, i, has_bias, total, t)

    @jit_sum
    def group_rows_diag(rows, sq, bias, bias_sq, scale, shift, strength, b_scale, b_shift):  # type: ignore[no-untyped-def]
        has_bias = bias.size > 0
        for i in prange(rows.shape[0]):
            row, sq_row = rows[i], sq[i]
            zero = row.dtype.type(0.0)
            total, roots = zero, zero
            for j in range(row.size):
                total += row[j] * row[j]
                roots += math.sqrt(sq_row[j])
            # Σ 1/step over the group, then the harmonic-mean step count/Σ(1/step)
            metric = (roots + row.size * shift) / scale
            count = row.size
            if has_bias:
                total += bias[i] * bias[i]
                metric += (math.sqrt(bias_sq[i]) + b_shift) / b_scale
                count += 1
            t = count / metric * strength
            shrink_unit(row, bias, i, has_bias, total, t)

    @jit_sum
    def rescale_rows(rows, low, high, rate, eps):  # type: ignore[no-untyped-def]
        for i in prange(rows.shape[0]):
            row = rows[i]
            total = row.dtype.type(0.0)
            for j in range(row.size):
                total += row[j] * row[j]
            norm = math.sqrt(total)
            clipped = min(max(norm, low), high)
            if norm > 0:
                factor = (rate * clipped + (row.dtype.type(1.0) - rate) * norm) / (eps + norm)
            else:  # the same formula at norm 0; the branch keeps the loop below vectorized
                factor = (rate * clipped) / eps
            for j in range(row.size):
                row[j] *= factor

    @jit_sum
    def sqrt_row_sums(rows, out):  # type: ignore[no-untyped-def]
        for i in prange(rows.shape[0]):
            row = rows[i]
            total = 0.0
            for j in range(row.size):
                total += math.sqrt(row[j])
            out[i] = total

    # Column sums accumulate across rows: one thread, no races.
    @njit(nogil=True, cache=True, error_model="numpy", fastmath={"reassoc", "nsz"})
    def sqrt_col_sums(cube, out):  # type: ignore[no-untyped-def]
        for o in range(cube.shape[0]):
            for i in range(cube.shape[1]):
                cell = cube[o, i]
                total = 0.0
                for j in range(cell.size):
                    total += math.sqrt(cell[j])
                out[i] += total

    return SimpleNamespace(
        soft=soft,
        adamw_shrink=adamw_shrink,
        adamw_units=adamw_units,
        soft_diag=soft_diag,
        enet=enet,
        enet_diag=enet_diag,
        group_rows=group_rows,
        group_rows_diag=group_rows_diag,
        rescale_rows=rescale_rows,
        sqrt_row_sums=sqrt_row_sums,
        sqrt_col_sums=sqrt_col_sums,
    )
