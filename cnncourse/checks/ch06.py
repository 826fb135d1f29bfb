"""Checks for exercises/06_channels.ipynb: conv2d_multi, conv2d_params, channel layouts,
conv2d_nchw (batches in the documents' (N,C,H,W) notation)."""
from __future__ import annotations

import numpy as np

from cnncourse import ops
from cnncourse.checks._common import assert_array, assert_equal, call, ok, rng

# Document 003, fig 4-14: the grey node of the feature map is 9 (R, G, B patches with zero
# padding and the kernels c1, c2, c3 applied channel by channel, then summed).
FIG_4_14_X = np.stack([np.array([[0, 0, 0], [0, 1, 1], [0, 2, 1]]),       # R
                       np.array([[0, 0, 0], [0, 2, 2], [0, 1, 0]]),       # G
                       np.array([[0, 0, 0], [0, 0, 3], [0, 1, 0]])], -1).astype(float)  # B
FIG_4_14_W = np.stack([np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0]]),       # c1
                       np.array([[0, 2, 0], [0, 2, 0], [0, 2, 0]]),       # c2
                       np.array([[1, 0, 0], [0, 2, 0], [0, 0, 1]])], -1).astype(float)[..., None]


def check_conv2d_multi(conv2d_multi):
    """conv2d_multi(x (H,W,C), w (FH,FW,C,FN), b (FN,)) -> (OH,OW,FN), valid, stride 1."""
    name = "conv2d_multi"
    hint = ("out[i, j, f] = sum over u, v, c of x[i+u, j+v, c] * w[u, v, c, f] + b[f]: correlate "
            "each channel with its kernel slice, sum over the channels, add the filter's bias")
    cases = [(FIG_4_14_X, FIG_4_14_W, np.zeros(1), "document 003 fig 4-14: the grey node is 9")]
    for seed in range(9):
        r = rng(1400 + seed)
        fh, fw, c, fn = (int(v) for v in r.integers(1, 4, size=4))
        x = r.normal(size=(int(r.integers(fh, fh + 6)), int(r.integers(fw, fw + 6)), c)).round(2)
        cases.append((x, r.normal(size=(fh, fw, c, fn)).round(2), r.normal(size=fn).round(2),
                      f"seed {1400 + seed}"))
    for x, w, b, label in cases:
        case = f"x shape {x.shape}, w shape {w.shape}, b shape {b.shape} ({label})"
        got = call(name, case, conv2d_multi, x.copy(), w.copy(), b.copy())
        assert_array(name, case, ops.conv2d(x, w, b), got, hint)
    ok(name, len(cases))


def check_conv2d_params(conv2d_params):
    """conv2d_params(kernel_size, in_channels, filters) -> (F*F*D1)*K + K   (003, S45)."""
    name = "conv2d_params"
    hint = "each of the K filters has F*F*D1 weights and 1 bias: (F*F*D1)*K + K"
    cases = [(5, 3, 10, "document 003: 5x5x3 kernels, 10 filters -> 760"),
             (7, 1, 64, "document 003: (7*7 + 1) * 64 = 3200"),
             (3, 1, 32, "document 001's first Conv2D"), (3, 32, 64, "document 001's second Conv2D")]
    for seed in range(6):
        r = rng(1500 + seed)
        cases.append((int(r.integers(1, 8)), int(r.integers(1, 65)), int(r.integers(1, 129)),
                      f"seed {1500 + seed}"))
    for f, c, k, label in cases:
        case = f"kernel_size={f}, in_channels={c}, filters={k} ({label})"
        got = call(name, case, conv2d_params, f, c, k)
        assert_equal(name, case, ops.conv2d_params(f, c, k), got, hint)
    ok(name, len(cases))


def check_layouts(to_channels_first, to_channels_last):
    """(H,W,C) <-> (C,H,W) and (N,H,W,C) <-> (N,C,H,W)."""
    name = "layouts"
    hint = ("channels_last (Keras) is (H,W,C) / (N,H,W,C), channels_first (the documents' CHW) is "
            "(C,H,W) / (N,C,H,W): move the channel axis with np.transpose, not reshape")
    n_cases = 0
    for seed in range(6):
        r = rng(1600 + seed)
        shape = tuple(int(v) for v in r.integers(1, 6, size=3 + seed % 2))
        x = r.normal(size=shape)
        case = f"x shape {shape} (seed {1600 + seed})"
        first = call("to_channels_first", case, to_channels_first, x.copy())
        assert_array("to_channels_first", case, ops.to_channels_first(x), first, hint)
        back = call("to_channels_last", case, to_channels_last, ops.to_channels_first(x))
        assert_array("to_channels_last", case, x, back, hint)
        n_cases += 1
    ok(name, n_cases)


def check_conv2d_nchw(conv2d_nchw):
    """conv2d_nchw(x (N,C,H,W), w (FN,C,FH,FW), b (FN,1,1)) -> (N,FN,OH,OW), valid, stride 1."""
    name = "conv2d_nchw"
    hint = ("document 004's blocks: for image n and filter f, out[n, f] = sum over c of the "
            "cross-correlation of x[n, c] with w[f, c], plus b[f]; the result is (N, FN, OH, OW)")
    cases = []
    for seed in range(8):
        r = rng(1700 + seed)
        n, c, fn, fh, fw = (int(v) for v in r.integers(1, 4, size=5))
        x = r.normal(size=(n, c, int(r.integers(fh, fh + 5)), int(r.integers(fw, fw + 5)))).round(2)
        cases.append((x, r.normal(size=(fn, c, fh, fw)).round(2), r.normal(size=(fn, 1, 1)).round(2),
                      f"seed {1700 + seed}"))
    for x, w, b, label in cases:
        case = f"x shape {x.shape}, w shape {w.shape}, b shape {b.shape} ({label})"
        got = call(name, case, conv2d_nchw, x.copy(), w.copy(), b.copy())
        assert_array(name, case, ops.conv2d(x, w, b, data_format="channels_first"), got, hint)
    ok(name, len(cases))
