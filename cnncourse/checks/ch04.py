"""Checks for exercises/04_stride.ipynb: output_size, conv2d_strided, conv_output_shape."""
from __future__ import annotations

import numpy as np

from cnncourse import ops
from cnncourse.checks._common import assert_array, assert_equal, call, ok, rng


def check_output_size(output_size):
    """output_size(n, kernel, stride, padding) -> floor((n - F + 2P) / S) + 1   (003, S24)."""
    name = "output_size"
    hint = "W2 = (W1 - F + 2P) // S + 1: integer division (floor) when S does not divide evenly"
    cases = [(32, 5, 1, 2, "document 003: 32x32 input, 5x5 kernel, stride 1, pad 2 -> 32"),
             (7, 3, 2, 0, "7 wide, 3x3, stride 2"), (6, 3, 1, 0, "document 000's (6,6) with (3,3)"),
             (28, 2, 2, 0, "2x2 pooling-sized window on 28"), (8, 3, 2, 0, "not an integer: floor")]
    for seed in range(7):
        r = rng(800 + seed)
        k, s, p = int(r.integers(1, 8)), int(r.integers(1, 4)), int(r.integers(0, 3))
        cases.append((int(r.integers(max(k - 2 * p, 1), 40)), k, s, p, f"seed {800 + seed}"))
    for n, k, s, p, label in cases:
        case = f"n={n}, kernel={k}, stride={s}, padding={p} ({label})"
        got = call(name, case, output_size, n, k, s, p)
        assert_equal(name, case, ops.output_size(n, k, s, p), got, hint)
    ok(name, len(cases))


def check_conv2d_strided(conv2d_strided):
    """conv2d_strided(x, k, stride) -> one-channel valid cross-correlation with a stride."""
    name = "conv2d_strided"
    hint = ("out[i, j] = sum of x[i*S : i*S + FH, j*S : j*S + FW] * k; the output is "
            "((H - FH) // S + 1, (W - FW) // S + 1)")
    cases = []
    for seed in range(12):
        r = rng(900 + seed)
        fh, fw, s = int(r.integers(1, 5)), int(r.integers(1, 5)), int(r.integers(1, 4))
        x = r.normal(size=(int(r.integers(fh, fh + 9)), int(r.integers(fw, fw + 9)))).round(2)
        cases.append((x, r.normal(size=(fh, fw)).round(2), s, f"seed {900 + seed}"))
    for x, k, s, label in cases:
        case = f"x shape {x.shape}, k shape {k.shape}, stride={s} ({label})"
        got = call(name, case, conv2d_strided, x.copy(), k.copy(), s)
        assert_array(name, case, ops.conv2d(x, k, stride=s), got, hint)
    ok(name, len(cases))


def check_conv_output_shape(conv_output_shape):
    """conv_output_shape((H, W, C), filters, kernel, stride, padding) -> (H2, W2, K)."""
    name = "conv_output_shape"
    hint = ("H2 = (H - F + 2P) // S + 1, W2 likewise, and the depth D2 is the number of filters K; "
            "the input depth C only sets the kernels' depth")
    cases = [((32, 32, 3), 10, 5, 1, 2, "document 003: 32x32x3, ten 5x5 kernels, stride 1, pad 2")]
    for seed in range(7):
        r = rng(1000 + seed)
        k, s, p = int(r.integers(1, 6)), int(r.integers(1, 3)), int(r.integers(0, 3))
        shape = (int(r.integers(k, 40)), int(r.integers(k, 40)), int(r.integers(1, 4)))
        cases.append((shape, int(r.integers(1, 65)), k, s, p, f"seed {1000 + seed}"))
    for shape, filters, k, s, p, label in cases:
        case = f"input {shape}, filters={filters}, kernel={k}, stride={s}, padding={p} ({label})"
        got = call(name, case, conv_output_shape, shape, filters, k, s, p)
        expected = ops.conv2d(np.zeros(shape), np.zeros((k, k, shape[2], filters)),
                              stride=s, padding=p).shape
        assert_equal(name, case, expected, got, hint)
    ok(name, len(cases))
