"""Checks for exercises/05_pooling.ipynb: max_pool, avg_pool, pooled_shape."""
from __future__ import annotations

import numpy as np

from cnncourse import ops
from cnncourse.checks._common import assert_array, assert_equal, call, ok, rng


def _pool_cases(base):
    cases = []
    for seed in range(10):
        r = rng(base + seed)
        size = int(r.integers(1, 4))
        stride = None if seed % 2 == 0 else int(r.integers(1, 4))
        shape = (int(r.integers(size, size + 8)), int(r.integers(size, size + 8)), int(r.integers(1, 4)))
        cases.append((r.normal(size=shape).round(2), size, stride, f"seed {base + seed}"))
    return cases


def _check_pool(name, student, reference, base, hint):
    # document 002 / 003: shifting A by one pixel barely changes its 2x2 stride-2 max pooling
    a = np.zeros((4, 4, 1)); a[1, 1, 0] = a[2, 2, 0] = 1.0
    cases = [(a, 2, None, "a 4x4 map, 2x2 windows, default stride (= pool size)")] + _pool_cases(base)
    for x, size, stride, label in cases:
        case = f"x shape {x.shape}, pool_size={size}, stride={stride} ({label})"
        got = call(name, case, student, x.copy(), size, stride)
        assert_array(name, case, reference(x, size, stride), got, hint)
    ok(name, len(cases))


def check_max_pool(max_pool):
    """max_pool(x (H,W,C), pool_size=2, stride=None) -> (OH, OW, C), valid, stride = pool size."""
    _check_pool("max_pool", max_pool, ops.max_pool2d, 1100,
                "each output is the largest value of a pool_size x pool_size window, channel by "
                "channel; stride=None means stride = pool_size (windows do not overlap); "
                "OH = (H - pool_size) // stride + 1")


def check_avg_pool(avg_pool):
    """avg_pool(x (H,W,C), pool_size=2, stride=None) -> (OH, OW, C), valid, stride = pool size."""
    _check_pool("avg_pool", avg_pool, ops.avg_pool2d, 1200,
                "each output is the mean of a pool_size x pool_size window, channel by channel; "
                "stride=None means stride = pool_size; OH = (H - pool_size) // stride + 1")


def check_pooled_shape(pooled_shape):
    """pooled_shape((H, W, C), pool_size=2, stride=None) -> (OH, OW, C)."""
    name = "pooled_shape"
    hint = ("pooling keeps the number of feature maps C and shrinks H and W: "
            "OH = (H - pool_size) // stride + 1 with stride = pool_size when stride is None")
    cases = [((28, 28, 32), 2, None), ((14, 14, 64), 2, None), ((7, 7, 64), 2, None),
             ((6, 6, 1), 2, 1)]
    for seed in range(6):
        r = rng(1300 + seed)
        size = int(r.integers(1, 5))
        cases.append(((int(r.integers(size, 40)), int(r.integers(size, 40)), int(r.integers(1, 129))),
                      size, None if seed % 2 else int(r.integers(1, 4))))
    for shape, size, stride in cases:
        case = f"input {shape}, pool_size={size}, stride={stride}"
        got = call(name, case, pooled_shape, shape, size, stride)
        assert_equal(name, case, ops.max_pool2d(np.zeros(shape), size, stride).shape, got, hint)
    ok(name, len(cases))
