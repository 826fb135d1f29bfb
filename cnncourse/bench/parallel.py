"""cnncourse bench parallel [--repeat R]   (or python -m cnncourse.bench parallel ...)

S75: every output value of a convolution is computed independently of the others (003, fig 4-12),
so the work can be shared by many cores. One case, x (32,28,28,32) float32, w (3,3,32,64),
padding "same", timed side by side on this machine:
  - ops.conv2d_naive: Python loops, one output value at a time (1 image, times 32);
  - ops.conv2d (one matrix product per kernel offset) and ops.conv2d_im2col (one matrix
    product), with NumPy's BLAS on 1 and on 2 threads (threadpoolctl);
  - tf.nn.conv2d with TensorFlow on 1 and on 2 threads. TF fixes its thread count when it
    starts, so each runs in a fresh Python process (``--tf-threads N`` is that child).
Prints median milliseconds. On a machine shared with other programs the 2-thread times suffer
first: run it when the machine is quiet.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

CASE = "x (32,28,28,32) float32, w (3,3,32,64), padding 'same'"


def _case():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((32, 28, 28, 32)).astype(np.float32),
            rng.standard_normal((3, 3, 32, 64)).astype(np.float32))


def _median_ms(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


def _tf_child(threads, repeat):
    """Runs in the child process: TF limited to ``threads`` threads, before it starts."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    x, w = _case()
    return _median_ms(lambda: tf.nn.conv2d(x, w, 1, "SAME").numpy(), repeat)


def tf_conv_ms(threads, repeat=10):
    """Median ms of tf.nn.conv2d on the case with TF on ``threads`` threads (a child process)."""
    out = subprocess.run([sys.executable, "-m", "cnncourse.bench.parallel", "--tf-threads",
                          str(threads), "--repeat", str(repeat)],
                         capture_output=True, text=True, check=True,
                         env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    return json.loads(out.stdout.strip().splitlines()[-1])["ms"]


def measure(repeat=10, threads=(1, 2), loop=True, tf=True):
    """{label: median ms} for the case above (see the module docstring)."""
    from threadpoolctl import threadpool_limits

    from cnncourse import ops

    x, w = _case()
    rows = {}
    if loop:
        one = x[:1]
        rows["loops (conv2d_naive), 1 image x 32"] = 32 * _median_ms(
            lambda: ops.conv2d_naive(one, w, padding="same"), 1)
    for t in threads:
        with threadpool_limits(limits=t, user_api="blas"):
            rows[f"conv2d (NumPy), {t} thread{'s' if t > 1 else ''}"] = _median_ms(
                lambda: ops.conv2d(x, w, padding="same"), repeat)
            rows[f"conv2d_im2col (NumPy), {t} thread{'s' if t > 1 else ''}"] = _median_ms(
                lambda: ops.conv2d_im2col(x, w, padding="same"), repeat)
    if tf:
        for t in threads:
            rows[f"tf.nn.conv2d, {t} thread{'s' if t > 1 else ''}"] = tf_conv_ms(t, repeat)
    return rows


def format_table(rows):
    lines = [CASE, f"{'implementation':<44}{'median ms':>12}"]
    lines += [f"{name:<44}{ms:>12.2f}" for name, ms in rows.items()]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="cnncourse bench parallel")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--tf-threads", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.tf_threads:
        print(json.dumps({"ms": _tf_child(args.tf_threads, args.repeat)}))
        return 0
    print(format_table(measure(args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
