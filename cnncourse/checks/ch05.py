"""Checks for exercises/05_pooling.ipynb: max_pool, avg_pool, pooled_shape, and the predict item
pooling_unchanged (small-shift invariance, S33)."""
from __future__ import annotations

import numpy as np

from cnncourse import ops
from cnncourse.i18n import N_, _
from cnncourse.checks._common import (Case, Exercise, assert_equal, check, choice,
                                      registry, rng, shapes)


def pool_cases(seed):
    """Documents 002/003's 4x4 map with 2x2 windows (a one-pixel shift barely changes its max
    pooling), then 10 random (H,W,C) maps, every second one with its own stride."""
    a = np.zeros((4, 4, 1))
    a[1, 1, 0] = a[2, 2, 0] = 1.0
    maps = [(a, 2, None, _("a 4x4 map, 2x2 windows, default stride (= pool size)"))]
    for k in range(10):
        r = rng(seed + k)
        size = int(r.integers(1, 4))
        stride = None if k % 2 == 0 else int(r.integers(1, 4))
        shape = (int(r.integers(size, size + 8)), int(r.integers(size, size + 8)),
                 int(r.integers(1, 4)))
        maps.append((r.normal(size=shape).round(2), size, stride, _("seed {seed}").format(
            seed=seed + k)))
    return [Case(f"{shapes(x=x)}, pool_size={size}, stride={stride} ({note})", (x, size, stride))
            for x, size, stride, note in maps]


def pooled_shape_cases(seed):
    """Document 001's feature maps (28x28x32, 14x14x64, 7x7x64), an overlapping pool, then 6
    random ones."""
    layers = [((28, 28, 32), 2, None), ((14, 14, 64), 2, None), ((7, 7, 64), 2, None),
              ((6, 6, 1), 2, 1)]
    for k in range(6):
        r = rng(seed + k)
        size = int(r.integers(1, 5))
        layers.append(((int(r.integers(size, 40)), int(r.integers(size, 40)),
                        int(r.integers(1, 129))), size, None if k % 2 else int(r.integers(1, 4))))
    return [Case(_("input {shape}, pool_size={size}, stride={stride}").format(
        shape=shape, size=size, stride=stride), (shape, size, stride))
            for shape, size, stride in layers]


def reference_pooled_shape(shape, pool_size, stride):
    """The shape valid pooling gives: (OH, OW, C)."""
    return ops.max_pool2d(np.zeros(shape), pool_size, stride).shape


# Chapter 05's images A and B (S33): bright pixels in even columns, dim ones in odd columns.
SHIFT_A = np.zeros((4, 6))
SHIFT_A[:, [0, 2, 4]] = [[9, 7, 8], [3, 9, 2], [5, 2, 9], [9, 4, 6]]
SHIFT_A[:, [1, 3, 5]] = [[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1]]
POOLINGS = ("max", "avg", "both", "neither")


def reference_unchanged(a, b):
    """Which 2x2 stride-2 pooling gives b the output it gives a: max, avg, both or neither."""
    same_max = np.allclose(ops.max_pool2d(a, 2), ops.max_pool2d(b, 2))
    same_avg = np.allclose(ops.avg_pool2d(a, 2), ops.avg_pool2d(b, 2))
    return {(True, True): "both", (True, False): "max", (False, True): "avg",
            (False, False): "neither"}[same_max, same_avg]


def _shifted_pair(kind, r):
    """(a, b = a moved one pixel right or down) whose answer is kind: both, max or neither."""
    h, w = 2 * int(r.integers(2, 5)), 2 * int(r.integers(2, 5))
    bright = r.integers(6, 10, size=(h // 2, w // 2)).astype(float)
    a = np.zeros((h, w)) if kind == "both" else r.integers(0, 4, size=(h, w)).astype(float)
    rows, cols = 2 * np.arange(h // 2)[:, None], 2 * np.arange(w // 2)[None, :]
    if kind == "both":                                      # sparse: one bright pixel per window
        bright *= r.random(bright.shape) < 0.7
    down = bool(r.integers(0, 2))
    offset = 1 if kind == "neither" else 0                  # on the side the shift leaves from
    a[rows + offset * down, cols + offset * (not down)] = bright
    b = ops.shift(a, 1 if down else 0, 0 if down else 1)
    return a, b, "down" if down else "right"


def unchanged_cases(seed):
    """Chapter 05's A and B (S33) and A and C, then 6 random pairs, 2 of each answer max, both
    and neither, in a shuffled order."""
    cases = [Case(_("chapter 05's image A and B = A moved one pixel right (S33)"),
                  (SHIFT_A, ops.shift(SHIFT_A, 0, 1))),
             Case(_("chapter 05's image A and C = A moved two pixels right (S33)"),
                  (SHIFT_A, ops.shift(SHIFT_A, 0, 2)))]
    kinds = rng(seed).permutation(["max", "max", "both", "both", "neither", "neither"])
    k = 0
    for kind in kinds:
        while True:
            r = rng(seed + 1 + k)
            k += 1
            a, b, way = _shifted_pair(kind, r)
            if reference_unchanged(a, b) == kind:
                break
        label = (_("{shapes}, b = a moved one pixel down (seed {seed})") if way == "down" else
                 _("{shapes}, b = a moved one pixel right (seed {seed})"))
        cases.append(Case(label.format(shapes=shapes(a=a), seed=seed + k), (a, b)))
    return cases


UNCHANGED_WHY = {
    "max": N_("Max pooling keeps only each window's largest value: every bright pixel stayed "
            "inside its 2x2 window, so every maximum is the same (S33). Average pooling uses all "
            "four values, and the dim ones crossed into the neighbouring windows: the means "
            "changed."),
    "both": N_("Every non-zero pixel stayed inside its 2x2 window and only zeros crossed a window "
             "border, so each window holds the same values: its maximum and its mean are "
             "unchanged."),
    "neither": N_("A bright pixel crossed a window border: that window's maximum changed, so max "
                "pooling is only invariant to shifts that keep each maximum inside its window "
                "(S33); the means changed too."),
    "avg": N_("The maxima moved between windows but every window kept the same sum: only the "
            "means are unchanged."),
}

EXERCISES = registry(
    Exercise("max_pool", pool_cases, ops.max_pool2d, seed=1100,
             hint=N_("each output is the largest value of a pool_size x pool_size window, channel "
                   "by channel; stride=None means stride = pool_size (windows do not overlap); "
                   "OH = (H - pool_size) // stride + 1")),
    Exercise("avg_pool", pool_cases, ops.avg_pool2d, seed=1200,
             hint=N_("each output is the mean of a pool_size x pool_size window, channel by "
                   "channel; stride=None means stride = pool_size (windows do not overlap); "
                   "OH = (H - pool_size) // stride + 1")),
    Exercise("pooled_shape", pooled_shape_cases, reference_pooled_shape, seed=1300,
             compare=assert_equal,
             hint=N_("pooling keeps the number of feature maps C and shrinks H and W: OH = (H - "
                   "pool_size) // stride + 1 with stride = pool_size when stride is None")),
    Exercise("pooling_unchanged", unchanged_cases, reference_unchanged, seed=3800,
             compare=choice(*POOLINGS, why=UNCHANGED_WHY),
             hint=N_("Pool both images with 2x2 windows and stride 2, max and average, and compare "
                   "the outputs (np.allclose); or reason: which pixels left their window?")),
)


def check_max_pool(max_pool):
    """max_pool(x (H,W,C), pool_size=2, stride=None) -> (OH, OW, C), valid, stride = pool size."""
    __tracebackhide__ = True
    check(EXERCISES["max_pool"], max_pool)


def check_avg_pool(avg_pool):
    """avg_pool(x (H,W,C), pool_size=2, stride=None) -> (OH, OW, C), valid, stride = pool size."""
    __tracebackhide__ = True
    check(EXERCISES["avg_pool"], avg_pool)


def check_pooled_shape(pooled_shape):
    """pooled_shape((H, W, C), pool_size=2, stride=None) -> (OH, OW, C)."""
    __tracebackhide__ = True
    check(EXERCISES["pooled_shape"], pooled_shape)


def check_pooling_unchanged(pooling_unchanged):
    """pooling_unchanged(a, b) -> 'max', 'avg', 'both' or 'neither': which 2x2 stride-2 pooling
    gives the same output for a and for b (a shifted)."""
    __tracebackhide__ = True
    check(EXERCISES["pooling_unchanged"], pooling_unchanged)
