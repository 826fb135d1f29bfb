"""Benchmark of the reference ops: our vectorised conv2d, our loop conv2d and tf.nn.conv2d.

cnncourse bench ops [--repeat R]
One run, one machine, side by side: x (32,28,28,32) float32, w (3,3,32,64), padding "same",
plus 2x2 max pooling, plus the backward pass: ops.conv2d_backward (dx, dw, db) against TF's
gradient of tf.nn.conv2d (the Conv2DBackpropInput and Conv2DBackpropFilter kernels that
tf.GradientTape runs for it, and the bias sum). Prints median times and the ratios ours / TF.
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


def paired_median_seconds(fn_a, fn_b, repeat):
    """Median times of two functions timed alternately (a, b, a, b, ...): on a shared machine
    a load that comes and goes hits both alike, so their ratio is fairer than two runs apart."""
    fn_a(), fn_b()
    times = ([], [])
    for _ in range(repeat):
        for fn, bucket in zip((fn_a, fn_b), times):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return float(np.median(times[0])), float(np.median(times[1]))


def tf_conv2d_gradient(tf, x, w, dout, padding="SAME"):
    """TF's gradient of tf.nn.conv2d for upstream dout: what tape.gradient runs, minus the
    forward pass. Returns NumPy (dx, dw, db)."""
    dx = tf.raw_ops.Conv2DBackpropInput(input_sizes=x.shape, filter=w, out_backprop=dout,
                                        strides=[1, 1, 1, 1], padding=padding)
    dw = tf.raw_ops.Conv2DBackpropFilter(input=x, filter_sizes=w.shape, out_backprop=dout,
                                         strides=[1, 1, 1, 1], padding=padding)
    return dx.numpy(), dw.numpy(), tf.reduce_sum(dout, axis=(0, 1, 2)).numpy()


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
    # backward: same x and w, upstream gradient dout of the output's shape; check, then time
    dout = maps
    xt, wt = tf.Variable(x), tf.Variable(w)
    with tf.GradientTape() as tape:
        y = tf.nn.conv2d(xt, wt, 1, "SAME")
    tape_dx, tape_dw = tape.gradient(y, [xt, wt], output_gradients=tf.constant(dout))
    ours = ops.conv2d_backward(dout, x, w, padding="same")
    theirs = tf_conv2d_gradient(tf, x, w, dout)
    for a, b, c in zip(ours, theirs, (tape_dx.numpy(), tape_dw.numpy(), dout.sum((0, 1, 2)))):
        np.testing.assert_allclose(b, c, rtol=1e-4, atol=1e-3)
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-3 * float(np.abs(b).max()))
    ours_s, tf_s = paired_median_seconds(
        lambda: ops.conv2d_backward(dout, x, w, padding="same"),
        lambda: tf_conv2d_gradient(tf, x, w, dout), repeat)
    rows["conv2d_backward (ours)"] = ours_s
    rows["TF gradient of tf.nn.conv2d"] = tf_s
    return rows


def format_table(rows):
    conv_tf, pool_tf = rows["tf.nn.conv2d"], rows["tf.nn.max_pool2d"]
    grad_tf = rows.get("TF gradient of tf.nn.conv2d")
    lines = ["x (32,28,28,32) float32, w (3,3,32,64), padding='same'; pooling 2x2 on "
             "(32,28,28,64)", f"{'operation':<32}{'median ms':>12}{'ours / TF':>12}"]
    for name, seconds in rows.items():
        ref = pool_tf if "pool" in name else grad_tf if "backward" in name or "gradient" in name \
            else conv_tf
        lines.append(f"{name:<32}{seconds * 1e3:>12.2f}{seconds / ref:>11.1f}x")
    if grad_tf:
        ratio = rows["conv2d_backward (ours)"] / grad_tf
        lines.append(f"backward ratio ours / TF: {ratio:.2f}x (target: within 3x; "
                     f"dx, dw and db of the conv above, timed alternately)")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="cnncourse bench ops")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per operation")
    args = parser.parse_args(argv)
    print(format_table(run(args.repeat)))
    return 0
