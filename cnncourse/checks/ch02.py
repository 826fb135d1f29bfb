"""Checks for exercises/02_convolution.ipynb: conv1d, cross_correlate2d, sobel_magnitude."""
from __future__ import annotations

import numpy as np

from cnncourse import data, ops
from cnncourse.checks._common import Case, Exercise, check, registry, rng, shapes


def conv1d_cases(seed):
    """The worked example, then 11 random signals and kernels (the first 3 without a bias)."""
    x, w = np.array([1., 2, 3, 4, 5]), np.array([1., 0, -1])
    cases = [Case(f"{shapes(x=x, w=w)}, b=0.0 (worked example)", (x, w, 0.0))]
    for k in range(11):
        r = rng(seed + k)
        size = int(r.integers(1, 6))
        n = int(r.integers(size, size + 10))
        b = 0.0 if k < 3 else float(np.round(r.normal(), 2))
        x, w = r.normal(size=n).round(2), r.normal(size=size).round(2)
        cases.append(Case(f"{shapes(x=x, w=w)}, b={b} (seed {seed + k})", (x, w, b)))
    return cases


def cross_correlate2d_cases(seed):
    """12 random images and kernels, the kernel never larger than the image."""
    cases = []
    for k in range(12):
        r = rng(seed + k)
        fh, fw = int(r.integers(1, 5)), int(r.integers(1, 5))
        h, w = int(r.integers(fh, fh + 7)), int(r.integers(fw, fw + 7))
        x, kernel = r.normal(size=(h, w)).round(2), r.normal(size=(fh, fw)).round(2)
        cases.append(Case(f"{shapes(x=x, k=kernel)} (seed {seed + k})", (x, kernel)))
    return cases


def sobel_magnitude_cases(seed):
    """The cameraman photo (every 4th pixel), then 4 random images."""
    photo = data.sample_image("camera")[::4, ::4]          # 128x128
    cases = [Case(f"{shapes(image=photo)} (skimage 'camera' photo, every 4th pixel)", (photo,))]
    for k in range(4):
        r = rng(seed + k)
        image = r.random((int(r.integers(3, 12)), int(r.integers(3, 12))))
        cases.append(Case(f"{shapes(image=image)} (seed {seed + k})", (image,)))
    return cases


def reference_sobel_magnitude(image):
    """sqrt(gx**2 + gy**2) with gx, gy the valid cross-correlations with ops.SOBEL_X, SOBEL_Y."""
    return np.sqrt(ops.conv2d(image, ops.SOBEL_X) ** 2 + ops.conv2d(image, ops.SOBEL_Y) ** 2)


EXERCISES = registry(
    Exercise("conv1d", conv1d_cases, ops.conv1d, seed=200,
             hint=("s[i] = sum over k of x[i + k] * w[k], plus b; i runs over the len(x) - len(w)"
                   " + 1 positions where the kernel fits; do not flip w (deep learning uses "
                   "cross-correlation)")),
    Exercise("cross_correlate2d", cross_correlate2d_cases, ops.conv2d, seed=300,
             hint=("out[i, j] = sum over u, v of x[i + u, j + v] * k[u, v]; the output is (H - FH"
                   " + 1, W - FW + 1); slide left to right, then down; do not flip k")),
    Exercise("sobel_magnitude", sobel_magnitude_cases, reference_sobel_magnitude, seed=400,
             hint=("gx = cross-correlation with SOBEL_X, gy = with SOBEL_Y (no padding), then "
                   "np.sqrt(gx**2 + gy**2); use your cross_correlate2d")),
)


def check_conv1d(conv1d):
    """conv1d(x, w, b=0.0) -> (len(x) - len(w) + 1,): s(i) = sum_k x[i+k] w[k] + b, eq. (4.10)."""
    __tracebackhide__ = True
    check(EXERCISES["conv1d"], conv1d)


def check_cross_correlate2d(cross_correlate2d):
    """cross_correlate2d(x, k) -> (H-FH+1, W-FW+1): eq. (4.11), one channel, no padding."""
    __tracebackhide__ = True
    check(EXERCISES["cross_correlate2d"], cross_correlate2d)


def check_sobel_magnitude(sobel_magnitude):
    """sobel_magnitude(image) -> sqrt(gx**2 + gy**2), valid, (H-2, W-2); on a photo and noise."""
    __tracebackhide__ = True
    check(EXERCISES["sobel_magnitude"], sobel_magnitude)
