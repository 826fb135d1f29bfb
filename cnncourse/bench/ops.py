"""Benchmark of the reference ops: our vectorised conv2d, our loop conv2d and tf.nn.conv2d.

cnncourse bench ops [--repeat R]
One run, one machine, side by side: x (32,28,28,32) float32, w (3,3,32,64), padding "same",
plus 2x2 max pooling. Prints median times and the ratios ours / TF.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np


def median_seconds(fn, repeat):
    fn()                                     # warm-up: TF traces, caches fill
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def run(repeat=20, loop_repeat=1):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    from cnncourse import ops

    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 28, 28, 32)).astype(np.float32)
    w = rng.standard_normal((3, 3, 32, 64)).astype(np.float32)
    maps = rng.standard_normal((32, 28, 28, 64)).astype(np.float32)
    np.testing.assert_allclose(ops.conv2d(x, w, padding="same"),
                               tf.nn.conv2d(x, w, 1, "SAME").numpy(), rtol=1e-3, atol=1e-3)
    # the loop version is ~1000x slower: time it on 1 image of the batch and scale by 32
    one = x[:1]
    rows = {
        "conv2d (ours, vectorised)": median_seconds(lambda: ops.conv2d(x, w, padding="same"),
                                                    repeat),
        "conv2d_naive (ours, loops) x32": 32 * median_seconds(
            lambda: ops.conv2d_naive(one, w, padding="same"), loop_repeat),
        "tf.nn.conv2d": median_seconds(lambda: tf.nn.conv2d(x, w, 1, "SAME").numpy(), repeat),
        "max_pool2d (ours)": median_seconds(lambda: ops.max_pool2d(maps, 2), repeat),
        "tf.nn.max_pool2d": median_seconds(lambda: tf.nn.max_pool2d(maps, 2, 2, "VALID").numpy(),
                                           repeat),
    }
    return rows


def format_table(rows):
    conv_tf, pool_tf = rows["tf.nn.conv2d"], rows["tf.nn.max_pool2d"]
    lines = ["x (32,28,28,32) float32, w (3,3,32,64), padding='same'; pooling 2x2 on "
             "(32,28,28,64)", f"{'operation':<32}{'median ms':>12}{'ours / TF':>12}"]
    for name, seconds in rows.items():
        ref = pool_tf if "pool" in name else conv_tf
        lines.append(f"{name:<32}{seconds * 1e3:>12.2f}{seconds / ref:>11.1f}x")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="cnncourse bench ops")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per operation")
    args = parser.parse_args(argv)
    print(format_table(run(args.repeat)))
    return 0
