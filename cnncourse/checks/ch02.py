"""Checks for exercises/02_convolution.ipynb: conv1d, cross_correlate2d, sobel_magnitude."""
from __future__ import annotations

import numpy as np

from cnncourse import data, ops
from cnncourse.checks._common import assert_array, call, ok, rng

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float)    # vertical edges
SOBEL_Y = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], float)    # horizontal edges (003)


def check_conv1d(conv1d):
    """conv1d(x, w, b=0.0) -> (len(x) - len(w) + 1,): s(i) = sum_k x[i+k] w[k] + b, eq. (4.10)."""
    name = "conv1d"
    hint = ("s[i] = sum over k of x[i + k] * w[k], plus b; i runs over the len(x) - len(w) + 1 "
            "positions where the kernel fits; do not flip w (deep learning uses cross-correlation)")
    cases = [(np.array([1., 2, 3, 4, 5]), np.array([1., 0, -1]), 0.0, "worked example")]
    for seed in range(11):
        r = rng(200 + seed)
        k = int(r.integers(1, 6))
        n = int(r.integers(k, k + 10))
        b = 0.0 if seed < 3 else float(np.round(r.normal(), 2))
        cases.append((r.normal(size=n).round(2), r.normal(size=k).round(2), b, f"seed {200 + seed}"))
    for x, w, b, label in cases:
        case = f"x shape {x.shape}, w shape {w.shape}, b={b} ({label})"
        got = call(name, case, conv1d, x.copy(), w.copy(), b)
        assert_array(name, case, ops.conv1d(x, w, b), got, hint)
    ok(name, len(cases))


def check_cross_correlate2d(cross_correlate2d):
    """cross_correlate2d(x, k) -> (H-FH+1, W-FW+1): eq. (4.11), one channel, no padding."""
    name = "cross_correlate2d"
    hint = ("out[i, j] = sum over u, v of x[i + u, j + v] * k[u, v]; the output is "
            "(H - FH + 1, W - FW + 1); slide left to right, then down; do not flip k")
    cases = []
    for seed in range(12):
        r = rng(300 + seed)
        fh, fw = int(r.integers(1, 5)), int(r.integers(1, 5))
        h, w = int(r.integers(fh, fh + 7)), int(r.integers(fw, fw + 7))
        cases.append((r.normal(size=(h, w)).round(2), r.normal(size=(fh, fw)).round(2),
                      f"seed {300 + seed}"))
    for x, k, label in cases:
        case = f"x shape {x.shape}, k shape {k.shape} ({label})"
        got = call(name, case, cross_correlate2d, x.copy(), k.copy())
        assert_array(name, case, ops.conv2d(x, k), got, hint)
    ok(name, len(cases))


def check_sobel_magnitude(sobel_magnitude):
    """sobel_magnitude(image) -> sqrt(gx**2 + gy**2), valid, (H-2, W-2); on a photo and noise."""
    name = "sobel_magnitude"
    hint = ("gx = cross-correlation with SOBEL_X, gy = with SOBEL_Y (no padding), then "
            "np.sqrt(gx**2 + gy**2); use your cross_correlate2d")
    photo = data.sample_image("camera")[::4, ::4]          # the cameraman, 128x128
    cases = [(photo, "skimage 'camera' photo, every 4th pixel")]
    for seed in range(4):
        r = rng(400 + seed)
        cases.append((r.random((int(r.integers(3, 12)), int(r.integers(3, 12)))),
                      f"seed {400 + seed}"))
    for img, label in cases:
        case = f"image shape {img.shape} ({label})"
        got = call(name, case, sobel_magnitude, img.copy())
        expected = np.sqrt(ops.conv2d(img, SOBEL_X) ** 2 + ops.conv2d(img, SOBEL_Y) ** 2)
        assert_array(name, case, expected, got, hint)
    ok(name, len(cases))
