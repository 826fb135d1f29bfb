"""Checks for exercises/05_pooling.ipynb: max_pool, avg_pool, pooled_shape."""
from __future__ import annotations

import numpy as np

from cnncourse import ops
from cnncourse.checks._common import (Case, Exercise, assert_equal, check, registry,
                                      rng, shapes)


def pool_cases(seed):
    """Documents 002/003's 4x4 map with 2x2 windows (a one-pixel shift barely changes its max
    pooling), then 10 random (H,W,C) maps, every second one with its own stride."""
    a = np.zeros((4, 4, 1))
    a[1, 1, 0] = a[2, 2, 0] = 1.0
    maps = [(a, 2, None, "a 4x4 map, 2x2 windows, default stride (= pool size)")]
    for k in range(10):
        r = rng(seed + k)
        size = int(r.integers(1, 4))
        stride = None if k % 2 == 0 else int(r.integers(1, 4))
        shape = (int(r.integers(size, size + 8)), int(r.integers(size, size + 8)),
                 int(r.integers(1, 4)))
        maps.append((r.normal(size=shape).round(2), size, stride, f"seed {seed + k}"))
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
    return [Case(f"input {shape}, pool_size={size}, stride={stride}", (shape, size, stride))
            for shape, size, stride in layers]


def reference_pooled_shape(shape, pool_size, stride):
    """The shape valid pooling gives: (OH, OW, C)."""
    return ops.max_pool2d(np.zeros(shape), pool_size, stride).shape


EXERCISES = registry(
    Exercise("max_pool", pool_cases, ops.max_pool2d, seed=1100,
             hint=("each output is the largest value of a pool_size x pool_size window, channel "
                   "by channel; stride=None means stride = pool_size (windows do not overlap); "
                   "OH = (H - pool_size) // stride + 1")),
    Exercise("avg_pool", pool_cases, ops.avg_pool2d, seed=1200,
             hint=("each output is the mean of a pool_size x pool_size window, channel by "
                   "channel; stride=None means stride = pool_size (windows do not overlap); "
                   "OH = (H - pool_size) // stride + 1")),
    Exercise("pooled_shape", pooled_shape_cases, reference_pooled_shape, seed=1300,
             compare=assert_equal,
             hint=("pooling keeps the number of feature maps C and shrinks H and W: OH = (H - "
                   "pool_size) // stride + 1 with stride = pool_size when stride is None")),
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
