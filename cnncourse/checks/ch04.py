"""Checks for exercises/04_stride.ipynb: output_size, conv2d_strided, conv_output_shape, and the
predict item rows_never_read (what the floor of the output-size formula drops, S24)."""
from __future__ import annotations

import numpy as np

from cnncourse import ops
from cnncourse.i18n import N_, _
from cnncourse.checks._common import (Case, Exercise, assert_equal, check, registry,
                                      rng, shapes)


def output_size_cases(seed):
    """The documents' sizes (003's 32 -> 32, 000's (6,6)), a floor, then 7 random ones."""
    sizes = [(32, 5, 1, 2, _("document 003: 32x32 input, 5x5 kernel, stride 1, pad 2 -> 32")),
             (7, 3, 2, 0, _("7 wide, 3x3, stride 2")), (6, 3, 1, 0, _("document 000's (6,6) with (3,3)")),
             (28, 2, 2, 0, _("2x2 pooling-sized window on 28")), (8, 3, 2, 0, _("not an integer: floor"))]
    return _size_cases(sizes, seed, strides=(1, 4), n_max=40)


def _size_cases(sizes, seed, strides, n_max):
    """Cases (n, kernel, stride, padding) for the output-size items: the fixed ``sizes``
    (n, f, s, p, note) followed by 7 drawn from ``seed``: kernel 1-7, stride in
    ``range(*strides)``, padding 0-2, n up to ``n_max`` and never smaller than the padded kernel."""
    sizes = list(sizes)
    for k in range(7):
        r = rng(seed + k)
        f, s, p = int(r.integers(1, 8)), int(r.integers(*strides)), int(r.integers(0, 3))
        sizes.append((int(r.integers(max(f - 2 * p, 1), n_max)), f, s, p, _("seed {seed}").format(
            seed=seed + k)))
    return [Case(f"n={n}, kernel={f}, stride={s}, padding={p} ({note})", (n, f, s, p))
            for n, f, s, p, note in sizes]


def conv2d_strided_cases(seed):
    """12 random images, kernels and strides 1-3."""
    cases = []
    for k in range(12):
        r = rng(seed + k)
        fh, fw, s = int(r.integers(1, 5)), int(r.integers(1, 5)), int(r.integers(1, 4))
        x = r.normal(size=(int(r.integers(fh, fh + 9)), int(r.integers(fw, fw + 9)))).round(2)
        kernel = r.normal(size=(fh, fw)).round(2)
        cases.append(Case(_("{shapes}, stride={s} (seed {seed})").format(
            shapes=shapes(x=x, k=kernel), s=s, seed=seed + k), (x, kernel, s)))
    return cases


def reference_conv2d_strided(x, k, stride):
    return ops.conv2d(x, k, stride=stride)


def conv_output_shape_cases(seed):
    """Document 003's 32x32x3 with ten 5x5 kernels, then 7 random layers."""
    layers = [((32, 32, 3), 10, 5, 1, 2,
               _("document 003: 32x32x3, ten 5x5 kernels, stride 1, pad 2"))]
    for k in range(7):
        r = rng(seed + k)
        f, s, p = int(r.integers(1, 6)), int(r.integers(1, 3)), int(r.integers(0, 3))
        shape = (int(r.integers(f, 40)), int(r.integers(f, 40)), int(r.integers(1, 4)))
        layers.append((shape, int(r.integers(1, 65)), f, s, p, _("seed {seed}").format(
            seed=seed + k)))
    return [Case(_("input {shape}, filters={filters}, kernel={kernel}, stride={stride}, "
                   "padding={padding} ({note})").format(shape=shape, filters=filters, kernel=f,
                                                         stride=s, padding=p, note=note),
                 (shape, filters, f, s, p))
            for shape, filters, f, s, p, note in layers]


def reference_conv_output_shape(shape, filters, kernel, stride, padding):
    """The shape conv2d gives: (H2, W2, K)."""
    return ops.conv2d(np.zeros(shape), np.zeros((kernel, kernel, shape[2], filters)),
                      stride=stride, padding=padding).shape


def never_read_cases(seed):
    """Document 002's 7x7 map under 2x2 pooling with stride 2 (7 -> 3), chapter 04's 8 with a
    3x3 kernel and stride 2 (the floor), then 7 random ones with strides 2 to 4."""
    sizes = [(7, 2, 2, 0, _("document 002: 7 -> 3 after MaxPooling2D(2)")),
             (8, 3, 2, 0, _("(8 - 3) / 2 + 1 is not an integer"))]
    return _size_cases(sizes, seed, strides=(2, 5), n_max=60)


def reference_never_read(n, kernel, stride, padding):
    """Rows (or columns) at the end of the padded input that no window reaches."""
    last = (ops.output_size(n, kernel, stride, padding) - 1) * stride + kernel   # rows read
    return n + 2 * padding - last


EXERCISES = registry(
    Exercise("output_size", output_size_cases, ops.output_size, seed=800, compare=assert_equal,
             hint=N_("W2 = (W1 - F + 2P) // S + 1: integer division (floor) when S does not divide "
                   "evenly")),
    Exercise("conv2d_strided", conv2d_strided_cases, reference_conv2d_strided, seed=900,
             hint=N_("out[i, j] = sum of x[i*S : i*S + FH, j*S : j*S + FW] * k; the output is ((H -"
                   " FH) // S + 1, (W - FW) // S + 1)")),
    Exercise("conv_output_shape", conv_output_shape_cases, reference_conv_output_shape, seed=1000,
             compare=assert_equal,
             hint=N_("H2 = (H - F + 2P) // S + 1, W2 likewise, and the depth D2 is the number of "
                   "filters K; the input depth C only sets the kernels' depth")),
    Exercise("rows_never_read", never_read_cases, reference_never_read, seed=3700,
             compare=assert_equal,
             hint=N_("The windows start at 0, S, 2S, ... in the padded input of n + 2P rows; the "
                   "floor in (n - F + 2P) // S + 1 keeps only the windows that fit, the last one "
                   "ends at row (OH - 1) * S + F - 1. The rows after it are never read: "
                   "(n + 2P - F) mod S of them.")),
)


def check_output_size(output_size):
    """output_size(n, kernel, stride, padding) -> floor((n - F + 2P) / S) + 1   (003, S24)."""
    __tracebackhide__ = True
    check(EXERCISES["output_size"], output_size)


def check_conv2d_strided(conv2d_strided):
    """conv2d_strided(x, k, stride) -> one-channel valid cross-correlation with a stride."""
    __tracebackhide__ = True
    check(EXERCISES["conv2d_strided"], conv2d_strided)


def check_conv_output_shape(conv_output_shape):
    """conv_output_shape((H, W, C), filters, kernel, stride, padding) -> (H2, W2, K)."""
    __tracebackhide__ = True
    check(EXERCISES["conv_output_shape"], conv_output_shape)


def check_rows_never_read(rows_never_read):
    """rows_never_read(n, kernel, stride, padding) -> rows of the padded input that no window
    reads (what the floor of the output-size formula drops)."""
    __tracebackhide__ = True
    check(EXERCISES["rows_never_read"], rows_never_read)
