"""Checks for exercises/02_convolution.ipynb: conv1d, cross_correlate2d, sobel_magnitude, and
the predict item which_gate (the perceptron and its bias, S12)."""
from __future__ import annotations

import numpy as np

from cnncourse import data, ops
from cnncourse.i18n import N_, _
from cnncourse.checks._common import Case, Exercise, check, choice, registry, rng, shapes


def conv1d_cases(seed):
    """The worked example, then 11 random signals and kernels (the first 3 without a bias)."""
    x, w = np.array([1., 2, 3, 4, 5]), np.array([1., 0, -1])
    cases = [Case(_("{shapes}, b=0.0 (worked example)").format(shapes=shapes(x=x, w=w)),
                  (x, w, 0.0))]
    for k in range(11):
        r = rng(seed + k)
        size = int(r.integers(1, 6))
        n = int(r.integers(size, size + 10))
        b = 0.0 if k < 3 else float(np.round(r.normal(), 2))
        x, w = r.normal(size=n).round(2), r.normal(size=size).round(2)
        cases.append(Case(_("{shapes}, b={b} (seed {seed})").format(
            shapes=shapes(x=x, w=w), b=b, seed=seed + k), (x, w, b)))
    return cases


def cross_correlate2d_cases(seed):
    """12 random images and kernels, the kernel never larger than the image."""
    cases = []
    for k in range(12):
        r = rng(seed + k)
        fh, fw = int(r.integers(1, 5)), int(r.integers(1, 5))
        h, w = int(r.integers(fh, fh + 7)), int(r.integers(fw, fw + 7))
        x, kernel = r.normal(size=(h, w)).round(2), r.normal(size=(fh, fw)).round(2)
        cases.append(Case(_("{shapes} (seed {seed})").format(shapes=shapes(x=x, k=kernel),
                                                             seed=seed + k), (x, kernel)))
    return cases


def sobel_magnitude_cases(seed):
    """The cameraman photo (every 4th pixel), then 4 random images."""
    photo = data.sample_image("camera")[::4, ::4]          # 128x128
    cases = [Case(_("{shapes} (skimage 'camera' photo, every 4th pixel)").format(
        shapes=shapes(image=photo)), (photo,))]
    for k in range(4):
        r = rng(seed + k)
        image = r.random((int(r.integers(3, 12)), int(r.integers(3, 12))))
        cases.append(Case(_("{shapes} (seed {seed})").format(shapes=shapes(image=image),
                                                             seed=seed + k), (image,)))
    return cases


def reference_sobel_magnitude(image):
    """sqrt(gx**2 + gy**2) with gx, gy the valid cross-correlations with ops.SOBEL_X, SOBEL_Y."""
    return np.sqrt(ops.conv2d(image, ops.SOBEL_X) ** 2 + ops.conv2d(image, ops.SOBEL_Y) ** 2)


GATES = {(0, 0, 0, 1): "AND", (0, 1, 1, 1): "OR", (1, 1, 1, 0): "NAND", (1, 0, 0, 0): "NOR"}
INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def reference_gate(w, b):
    """The gate a perceptron y = 1 if b + w1*x1 + w2*x2 >= 0 computes on the inputs (0,0),
    (0,1), (1,0), (1,1): AND, OR, NAND, NOR, or other."""
    fires = tuple(int(v) for v in (INPUTS @ np.asarray(w, float) + b >= 0))
    return GATES.get(fires, "other")


def gate_cases(seed):
    """Chapter 02's two units (S12: w = (0.5, 0.5), b = -0.7 and b = -0.2), then 8 random ones,
    drawn to give each answer at least once, with no weighted sum within 0.05 of the threshold."""
    w = (0.5, 0.5)
    cases = [Case(_("w={w}, b={b} (chapter 02, S12)").format(w=w, b=-0.7), (w, -0.7)),
             Case(_("w={w}, b={b} (chapter 02, S12)").format(w=w, b=-0.2), (w, -0.2))]
    wanted = rng(seed).permutation(["AND", "OR", "NAND", "NOR", "other", "AND", "OR", "other"])
    k = 0
    for gate in wanted:
        while True:
            r = rng(seed + 1 + k)
            k += 1
            w = tuple(float(v) for v in r.integers(-10, 11, size=2) / 10)
            b = float(r.integers(-15, 16) / 10)
            sums = INPUTS @ np.array(w) + b
            if reference_gate(w, b) == gate and np.abs(sums).min() >= 0.05:
                break
        cases.append(Case(_("w={w}, b={b} (seed {seed})").format(w=w, b=b, seed=seed + k), (w, b)))
    return cases


GATE_WHY = {
    "AND": N_("b + w1*x1 + w2*x2 >= 0 holds only at (1, 1): the unit fires only when both "
              "inputs are 1."),
    "OR": N_("b + w1*x1 + w2*x2 >= 0 holds at (0, 1), (1, 0) and (1, 1) but not at (0, 0): one "
           "input of 1 is enough."),
    "NAND": N_("the sum passes the threshold everywhere except at (1, 1): b >= 0 fires at (0, 0), "
             "and the weights are negative enough that both inputs together fall below it."),
    "NOR": N_("only (0, 0) fires (b >= 0) and any input of 1 pulls the sum below 0: the weights "
            "are negative."),
    "other": N_("the pattern of outputs over (0,0), (0,1), (1,0), (1,1) is none of AND (0,0,0,1), "
              "OR (0,1,1,1), NAND (1,1,1,0), NOR (1,0,0,0), e.g. it follows one input only or "
              "is constant."),
}

EXERCISES = registry(
    Exercise("conv1d", conv1d_cases, ops.conv1d, seed=200,
             hint=N_("s[i] = sum over k of x[i + k] * w[k], plus b; i runs over the len(x) - len(w)"
                   " + 1 positions where the kernel fits; do not flip w (deep learning uses "
                   "cross-correlation)")),
    Exercise("cross_correlate2d", cross_correlate2d_cases, ops.conv2d, seed=300,
             hint=N_("out[i, j] = sum over u, v of x[i + u, j + v] * k[u, v]; the output is (H - FH"
                   " + 1, W - FW + 1); slide left to right, then down; do not flip k")),
    Exercise("sobel_magnitude", sobel_magnitude_cases, reference_sobel_magnitude, seed=400,
             hint=N_("gx = cross-correlation with SOBEL_X, gy = with SOBEL_Y (no padding), then "
                   "np.sqrt(gx**2 + gy**2); use your cross_correlate2d")),
    Exercise("which_gate", gate_cases, reference_gate, seed=3500,
             compare=choice("AND", "OR", "NAND", "NOR", "other", why=GATE_WHY),
             hint=N_("Evaluate b + w1*x1 + w2*x2 >= 0 at the four inputs. The threshold is -b: a "
                   "higher bias makes the unit fire more easily (not the stricter threshold 004 "
                   "describes).")),
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


def check_which_gate(which_gate):
    """which_gate(w, b) -> 'AND', 'OR', 'NAND', 'NOR' or 'other': what y = [b + w.x >= 0] does."""
    __tracebackhide__ = True
    check(EXERCISES["which_gate"], which_gate)
