"""Checks for exercises/03_padding.ipynb: pad_image, same_padding, conv2d_same."""
from __future__ import annotations

import numpy as np

from cnncourse import ops
from cnncourse.checks._common import assert_array, assert_equal, call, ok, rng


def check_pad_image(pad_image):
    """pad_image(x, p, mode) -> (H+2p, W+2p): zeros (0 덧대기) or replicate (복사 덧대기)."""
    name = "pad_image"
    hint = ("zeros: a border of p zeros on every side; replicate: each border pixel copies the "
            "nearest edge pixel of x (corners copy the corner); the result is (H + 2p, W + 2p)")
    cases = []
    for seed in range(10):
        r = rng(500 + seed)
        x = r.integers(-9, 10, size=(int(r.integers(1, 6)), int(r.integers(1, 6)))).astype(float)
        cases.append((x, int(r.integers(0, 4)), ("zeros", "replicate")[seed % 2], f"seed {500 + seed}"))
    for x, p, mode, label in cases:
        case = f"x shape {x.shape}, p={p}, mode={mode!r} ({label})"
        got = call(name, case, pad_image, x.copy(), p, mode)
        assert_array(name, case, ops.pad2d(x, p, mode=mode), got, hint)
    # S20 (document 000): a (4,4) input padded to (6,6) keeps its size under a (3,3) kernel.
    x = np.arange(16.0).reshape(4, 4)
    case = "document 000's example: (4,4) padded with p=1, then a (3,3) kernel"
    padded = call(name, case, pad_image, x.copy(), 1, "zeros")
    assert_array(name, case, ops.pad2d(x, 1), padded, hint)
    assert_equal(name, case, (4, 4), ops.conv2d(np.asarray(padded, float), np.ones((3, 3))).shape,
                 "a (6,6) input and a (3,3) kernel give (6 - 3 + 1, 6 - 3 + 1) = (4,4)")
    ok(name, len(cases) + 1)


def check_same_padding(same_padding):
    """same_padding(n, kernel, stride) -> (before, after), split as Keras/TF split it."""
    name = "same_padding"
    hint = ("out = ceil(n / stride); total = max((out - 1) * stride + kernel - n, 0); "
            "before = total // 2, after = total - before (the odd pixel goes after, like TF)")
    cases = [(5, 3, 1), (28, 5, 1), (6, 2, 1), (7, 4, 1), (32, 5, 1)]
    for seed in range(7):
        r = rng(600 + seed)
        cases.append((int(r.integers(1, 30)), int(r.integers(1, 8)), int(r.integers(1, 4))))
    for n, k, s in cases:
        case = f"n={n}, kernel={k}, stride={s}"
        got = call(name, case, same_padding, n, k, s)
        assert_equal(name, case, ops.same_padding(n, k, s), got, hint)
    ok(name, len(cases))


def check_conv2d_same(conv2d_same):
    """conv2d_same(x, k) -> (H, W): one-channel cross-correlation with 'same' zero padding."""
    name = "conv2d_same"
    hint = ("pad with same_padding(H, FH) rows (top, bottom) and same_padding(W, FW) columns "
            "(left, right) of zeros, then cross-correlate without padding: the output is (H, W)")
    cases = []
    for seed in range(10):
        r = rng(700 + seed)
        fh, fw = int(r.integers(1, 6)), int(r.integers(1, 6))
        x = r.normal(size=(int(r.integers(fh, fh + 6)), int(r.integers(fw, fw + 6)))).round(2)
        cases.append((x, r.normal(size=(fh, fw)).round(2), f"seed {700 + seed}"))
    for x, k, label in cases:
        case = f"x shape {x.shape}, k shape {k.shape} ({label})"
        got = call(name, case, conv2d_same, x.copy(), k.copy())
        assert_array(name, case, ops.conv2d(x, k, padding="same"), got, hint)
    ok(name, len(cases))
