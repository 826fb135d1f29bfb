"""Checks for exercises/03_padding.ipynb: pad_image, same_padding, conv2d_same, and the predict
item corner_and_centre_uses (why pad, S17)."""
from __future__ import annotations

import numpy as np

from cnncourse import ops
from cnncourse.i18n import N_, _
from cnncourse.checks._common import (Case, Exercise, assert_equal, check, registry,
                                      rng, shapes)


def pad_image_cases(seed):
    """Document 000's example (S20), then 10 random small integer images, zeros and replicate
    in turn."""
    x = np.arange(16.0).reshape(4, 4)
    cases = [Case(_("{shapes}, p=1, mode='zeros' (document 000's example: (4,4) padded to "
                    "(6,6), so that a (3,3) kernel gives (4,4) again)").format(shapes=shapes(x=x)),
                  (x, 1, "zeros"))]
    for k in range(10):
        r = rng(seed + k)
        x = r.integers(-9, 10, size=(int(r.integers(1, 6)), int(r.integers(1, 6)))).astype(float)
        p, mode = int(r.integers(0, 4)), ("zeros", "replicate")[k % 2]
        cases.append(Case(_("{shapes}, p={p}, mode={mode} (seed {seed})").format(
            shapes=shapes(x=x), p=p, mode=repr(mode), seed=seed + k), (x, p, mode)))
    return cases


def reference_pad_image(x, p, mode):
    return ops.pad2d(x, p, mode=mode)


def same_padding_cases(seed):
    """Sizes of the documents (5/3, 28/5, 32/5) and even kernels, then 7 random ones."""
    sizes = [(5, 3, 1), (28, 5, 1), (6, 2, 1), (7, 4, 1), (32, 5, 1)]
    for k in range(7):
        r = rng(seed + k)
        sizes.append((int(r.integers(1, 30)), int(r.integers(1, 8)), int(r.integers(1, 4))))
    return [Case(f"n={n}, kernel={f}, stride={s}", (n, f, s)) for n, f, s in sizes]


def conv2d_same_cases(seed):
    """10 random images and kernels, odd and even sizes."""
    cases = []
    for k in range(10):
        r = rng(seed + k)
        fh, fw = int(r.integers(1, 6)), int(r.integers(1, 6))
        x = r.normal(size=(int(r.integers(fh, fh + 6)), int(r.integers(fw, fw + 6)))).round(2)
        kernel = r.normal(size=(fh, fw)).round(2)
        cases.append(Case(_("{shapes} (seed {seed})").format(shapes=shapes(x=x, k=kernel),
                                                             seed=seed + k), (x, kernel)))
    return cases


def reference_conv2d_same(x, k):
    return ops.conv2d(x, k, padding="same")


def uses_cases(seed):
    """Chapter 03's 6x6 image with a 3x3 kernel and no padding (S17), then 7 random square
    images at least twice the kernel's size, padded by 0 to F - 1 pixels."""
    sizes = [(6, 3, 0, _("chapter 03, S17: 6x6, 3x3 kernel, valid"))]
    for k in range(7):
        r = rng(seed + k)
        f = int(r.choice([2, 3, 4, 5, 7]))
        sizes.append((int(r.integers(2 * f, 2 * f + 20)), f, int(r.integers(0, f)),
                      _("seed {seed}").format(seed=seed + k)))
    return [Case(f"n={n}, kernel={f}, padding={p} ({note})", (n, f, p)) for n, f, p, note in sizes]


def reference_uses(n, kernel, padding):
    """(uses of the corner pixel (0, 0), of the centre pixel (n // 2, n // 2)): how many of the
    convolution's windows contain each (ops.usage_counts, S17)."""
    counts = ops.usage_counts((n, n), kernel, padding=padding)
    return int(counts[0, 0]), int(counts[n // 2, n // 2])


EXERCISES = registry(
    Exercise("pad_image", pad_image_cases, reference_pad_image, seed=500,
             hint=N_("zeros: a border of p zeros on every side; replicate: each border pixel copies"
                   " the nearest edge pixel of x (corners copy the corner); the result is (H + "
                   "2p, W + 2p)")),
    Exercise("same_padding", same_padding_cases, ops.same_padding, seed=600, compare=assert_equal,
             hint=N_("out = ceil(n / stride); total = max((out - 1) * stride + kernel - n, 0); "
                   "before = total // 2, after = total - before (the odd pixel goes after, like "
                   "TF)")),
    Exercise("conv2d_same", conv2d_same_cases, reference_conv2d_same, seed=700,
             hint=N_("pad with same_padding(H, FH) rows (top, bottom) and same_padding(W, FW) "
                   "columns (left, right) of zeros, then cross-correlate without padding: the "
                   "output is (H, W)")),
    Exercise("corner_and_centre_uses", uses_cases, reference_uses, seed=3600,
             compare=assert_equal,
             hint=N_("Count the windows that contain the pixel, one axis at a time (the count is "
                   "the product of the two axes). A window starts at -P, -P + 1, ...; the corner "
                   "is inside the window starting at i when i <= 0 <= i + F - 1, i.e. for "
                   "min(P, F - 1) + 1 starts: 1 without padding. A centre pixel sits in F windows "
                   "per axis: F * F in all.")),
)


def check_pad_image(pad_image):
    """pad_image(x, p, mode) -> (H+2p, W+2p): zeros (0 덧대기) or replicate (복사 덧대기)."""
    __tracebackhide__ = True
    check(EXERCISES["pad_image"], pad_image)


def check_same_padding(same_padding):
    """same_padding(n, kernel, stride) -> (before, after), split as Keras/TF split it."""
    __tracebackhide__ = True
    check(EXERCISES["same_padding"], same_padding)


def check_conv2d_same(conv2d_same):
    """conv2d_same(x, k) -> (H, W): one-channel cross-correlation with 'same' zero padding."""
    __tracebackhide__ = True
    check(EXERCISES["conv2d_same"], conv2d_same)


def check_corner_and_centre_uses(corner_and_centre_uses):
    """corner_and_centre_uses(n, kernel, padding) -> (windows containing the corner pixel,
    windows containing the centre pixel) of an n x n image, stride 1."""
    __tracebackhide__ = True
    check(EXERCISES["corner_and_centre_uses"], corner_and_centre_uses)
