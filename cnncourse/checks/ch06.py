"""Checks for exercises/06_channels.ipynb: conv2d_multi, conv2d_params, channel layouts,
conv2d_nchw (batches in the documents' (N,C,H,W) notation), and the predict item conv_memory
(what a convolution layer keeps in memory, S46)."""
from __future__ import annotations

import numpy as np

from cnncourse import ops
from cnncourse.i18n import N_, _
from cnncourse.checks._common import (Case, Exercise, assert_equal, check, registry,
                                      rng, shapes)

# Document 003, fig 4-14: the grey node of the feature map is 9 (R, G, B patches with zero
# padding and the kernels c1, c2, c3 applied channel by channel, then summed).
FIG_4_14_X = np.stack([np.array([[0, 0, 0], [0, 1, 1], [0, 2, 1]]),       # R
                       np.array([[0, 0, 0], [0, 2, 2], [0, 1, 0]]),       # G
                       np.array([[0, 0, 0], [0, 0, 3], [0, 1, 0]])], -1).astype(float)  # B
FIG_4_14_W = np.stack([np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0]]),       # c1
                       np.array([[0, 2, 0], [0, 2, 0], [0, 2, 0]]),       # c2
                       np.array([[1, 0, 0], [0, 2, 0], [0, 0, 1]])], -1).astype(float)[..., None]


def conv2d_multi_cases(seed):
    """Document 003's fig 4-14, then 9 random multi-channel images and filter banks."""
    x, w, b = FIG_4_14_X, FIG_4_14_W, np.zeros(1)
    cases = [Case(_("{shapes} (document 003 fig 4-14: the grey node is 9)").format(
        shapes=shapes(x=x, w=w, b=b)), (x, w, b))]
    for k in range(9):
        r = rng(seed + k)
        fh, fw, c, fn = (int(v) for v in r.integers(1, 4, size=4))
        x = r.normal(size=(int(r.integers(fh, fh + 6)), int(r.integers(fw, fw + 6)), c)).round(2)
        w, b = r.normal(size=(fh, fw, c, fn)).round(2), r.normal(size=fn).round(2)
        cases.append(Case(_("{shapes} (seed {seed})").format(
            shapes=shapes(x=x, w=w, b=b), seed=seed + k), (x, w, b)))
    return cases


def conv2d_params_cases(seed):
    """Document 003's 760 and 3200, document 001's two Conv2D layers, then 6 random layers."""
    layers = [(5, 3, 10, _("document 003: 5x5x3 kernels, 10 filters -> 760")),
              (7, 1, 64, _("document 003: (7*7 + 1) * 64 = 3200")),
              (3, 1, 32, _("document 001's first Conv2D")),
              (3, 32, 64, _("document 001's second Conv2D"))]
    for k in range(6):
        r = rng(seed + k)
        layers.append((int(r.integers(1, 8)), int(r.integers(1, 65)), int(r.integers(1, 129)),
                       _("seed {seed}").format(seed=seed + k)))
    return [Case(f"kernel_size={f}, in_channels={c}, filters={n} ({note})", (f, c, n))
            for f, c, n, note in layers]


def layouts_cases(seed):
    """6 random (H,W,C) and (N,H,W,C) arrays: to_channels_first on each, then to_channels_last
    on its channels-first version."""
    cases = []
    for k in range(6):
        r = rng(seed + k)
        shape = tuple(int(v) for v in r.integers(1, 6, size=3 + k % 2))
        x = r.normal(size=shape)
        label = _("x shape {shape} (seed {seed})").format(shape=shape, seed=seed + k)
        cases += [Case(label, (x,), function="to_channels_first"),
                  Case(_("x shape {shape}, to_channels_first of {case}").format(
                      shape=ops.to_channels_first(x).shape, case=label),
                       (ops.to_channels_first(x),), function="to_channels_last")]
    return cases


def conv2d_nchw_cases(seed):
    """8 random batches (N,C,H,W) and filter banks (FN,C,FH,FW) with biases (FN,1,1)."""
    cases = []
    for k in range(8):
        r = rng(seed + k)
        n, c, fn, fh, fw = (int(v) for v in r.integers(1, 4, size=5))
        x = r.normal(size=(n, c, int(r.integers(fh, fh + 5)), int(r.integers(fw, fw + 5)))).round(2)
        w, b = r.normal(size=(fn, c, fh, fw)).round(2), r.normal(size=(fn, 1, 1)).round(2)
        cases.append(Case(_("{shapes} (seed {seed})").format(
            shapes=shapes(x=x, w=w, b=b), seed=seed + k), (x, w, b)))
    return cases


def reference_conv2d_nchw(x, w, b):
    return ops.conv2d(x, w, b, data_format="channels_first")


def memory_cases(seed):
    """The example of 002's source (Hands-On ML, ch. 14, "Memory Requirements"): 200 maps of
    5x5 filters on a 150x100 RGB image, one image and a batch of 100; then 6 random layers."""
    layers = [(1, (150, 100, 3), 200, 5, "same", _("Hands-On ML's example: 12 MB per image")),
              (100, (150, 100, 3), 200, 5, "same", _("the same for a batch of 100"))]
    for k in range(6):
        r = rng(seed + k)
        f = int(r.choice([1, 3, 5, 7]))
        shape = (int(r.integers(f, 257)), int(r.integers(f, 257)), int(r.choice([1, 3, 16, 64])))
        layers.append((int(r.choice([1, 8, 32, 64, 128])), shape, int(r.integers(1, 257)), f,
                       ("same", "valid")[k % 2], _("seed {seed}").format(seed=seed + k)))
    return [Case(_("batch={n}, input {shape}, filters={filters}, kernel={kernel}, padding={padding} "
                   "({note})").format(n=n, shape=shape, filters=fn, kernel=f, padding=repr(pad),
                                      note=note), (n, shape, fn, f, pad))
            for n, shape, fn, f, pad, note in layers]


def reference_memory(batch, input_shape, filters, kernel, padding):
    """(bytes of the output feature maps of the batch, bytes of the weights), float32, stride 1."""
    h, w, c = input_shape
    out = ops.output_size(h, kernel, 1, padding) * ops.output_size(w, kernel, 1, padding)
    return batch * out * filters * 4, ops.conv2d_params(kernel, c, filters) * 4


EXERCISES = registry(
    Exercise("conv2d_multi", conv2d_multi_cases, ops.conv2d, seed=1400,
             hint=N_("out[i, j, f] = sum over u, v, c of x[i+u, j+v, c] * w[u, v, c, f] + b[f]: "
                   "correlate each channel with its kernel slice, sum over the channels, add the "
                   "filter's bias")),
    Exercise("conv2d_params", conv2d_params_cases, ops.conv2d_params, seed=1500,
             compare=assert_equal,
             hint=N_("each of the K filters has F*F*D1 weights and 1 bias: (F*F*D1)*K + K")),
    Exercise("layouts", layouts_cases, seed=1600,
             functions=("to_channels_first", "to_channels_last"),
             reference={"to_channels_first": ops.to_channels_first,
                        "to_channels_last": ops.to_channels_last},
             hint=N_("channels_last (Keras) is (H,W,C) / (N,H,W,C), channels_first (the documents' "
                   "CHW) is (C,H,W) / (N,C,H,W): move the channel axis with np.moveaxis (or "
                   "np.transpose), not reshape")),
    Exercise("conv2d_nchw", conv2d_nchw_cases, reference_conv2d_nchw, seed=1700,
             hint=N_("document 004's blocks: for image n and filter f, out[n, f] = sum over c of "
                   "the cross-correlation of x[n, c] with w[f, c], plus b[f]; the result is (N, "
                   "FN, OH, OW)")),
    Exercise("conv_memory", memory_cases, reference_memory, seed=3900, compare=assert_equal,
             hint=N_("Training keeps every output value for the backward pass: batch * OH * OW * "
                   "filters numbers of 4 bytes (float32), OH = H for 'same' and H - F + 1 for "
                   "'valid'; the weights are (F*F*C + 1) * filters numbers, shared by every image "
                   "and position. 150 * 100 * 200 * 4 = 12,000,000 bytes for one image.")),
)


def check_conv2d_multi(conv2d_multi):
    """conv2d_multi(x (H,W,C), w (FH,FW,C,FN), b (FN,)) -> (OH,OW,FN), valid, stride 1."""
    __tracebackhide__ = True
    check(EXERCISES["conv2d_multi"], conv2d_multi)


def check_conv2d_params(conv2d_params):
    """conv2d_params(kernel_size, in_channels, filters) -> (F*F*D1)*K + K   (003, S45)."""
    __tracebackhide__ = True
    check(EXERCISES["conv2d_params"], conv2d_params)


def check_layouts(to_channels_first, to_channels_last):
    """(H,W,C) <-> (C,H,W) and (N,H,W,C) <-> (N,C,H,W)."""
    __tracebackhide__ = True
    check(EXERCISES["layouts"],
          {"to_channels_first": to_channels_first, "to_channels_last": to_channels_last})


def check_conv2d_nchw(conv2d_nchw):
    """conv2d_nchw(x (N,C,H,W), w (FN,C,FH,FW), b (FN,1,1)) -> (N,FN,OH,OW), valid, stride 1."""
    __tracebackhide__ = True
    check(EXERCISES["conv2d_nchw"], conv2d_nchw)


def check_conv_memory(conv_memory):
    """conv_memory(batch, (H, W, C), filters, kernel, padding) -> (bytes of the output feature
    maps, bytes of the weights), float32, stride 1."""
    __tracebackhide__ = True
    check(EXERCISES["conv_memory"], conv_memory)
