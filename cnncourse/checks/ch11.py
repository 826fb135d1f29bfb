"""Checks for exercises/11_from_scratch.ipynb: conv2d_im2col, conv2d_backward,
max_pool2d_backward, numerical_gradient. Layout: Keras' channels_last, x (N,H,W,C),
w (FH,FW,C,FN); "valid" padding."""
from __future__ import annotations

import numpy as np

from cnncourse import ops
from cnncourse.checks._common import assert_array, call, fail, ok, rng

# notebook 11's worked example: a 4x4 image and 003's vertical Sobel kernel, as a batch of one
EXAMPLE_X = np.arange(1.0, 17.0).reshape(1, 4, 4, 1)
EXAMPLE_W = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])[:, :, None, None]
EXAMPLE_POOL_X = np.array([[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 1.0],
                           [0.0, 2.0, 1.0, 1.0], [7.0, 1.0, 3.0, 2.0]])[None, :, :, None]


def _conv_cases(base, n_random=8):
    cases = [(EXAMPLE_X, EXAMPLE_W, np.zeros(1), 1, "notebook 11's 4x4 image, Sobel kernel")]
    for seed in range(n_random):
        r = rng(base + seed)
        n, c, fn = (int(v) for v in r.integers(1, 4, size=3))
        fh, fw = (int(v) for v in r.integers(1, 5, size=2))
        stride = 1 + seed % 2
        x = r.normal(size=(n, int(r.integers(fh, fh + 6)), int(r.integers(fw, fw + 6)), c))
        cases.append((x.round(2), r.normal(size=(fh, fw, c, fn)).round(2),
                      r.normal(size=fn).round(2), stride, f"seed {base + seed}"))
    return cases


def check_conv2d_im2col(conv2d_im2col):
    """conv2d_im2col(x (N,H,W,C), w (FH,FW,C,FN), b (FN,), stride=1) -> (N,OH,OW,FN), valid."""
    name = "conv2d_im2col"
    hint = ("one row of the matrix per output position (n, i, j): the window "
            "x[n, i*s:i*s+FH, j*s:j*s+FW, :] flattened in (u, v, c) order, the order of "
            "w.reshape(FH*FW*C, FN); then cols @ W + b has shape (N*OH*OW, FN): reshape it to "
            "(N, OH, OW, FN). OH = (H - FH) // s + 1")
    cases = _conv_cases(2100)
    for x, w, b, stride, label in cases:
        case = f"x shape {x.shape}, w shape {w.shape}, b shape {b.shape}, stride={stride} ({label})"
        got = call(name, case, conv2d_im2col, x.copy(), w.copy(), b.copy(), stride)
        assert_array(name, case, ops.conv2d(x, w, b, stride=stride), got, hint)
    ok(name, len(cases))


def check_conv2d_backward(conv2d_backward):
    """conv2d_backward(dout, x, w, stride=1) -> (dx, dw, db) with the shapes of x, w and (FN,)."""
    name = "conv2d_backward"
    hints = {
        "dx": "each output (n, i, j) spreads dout[n, i, j, :] @ w[u, v].T back over the window "
              "it read: dx[n, i*s+u, j*s+v, :] += ...; with stride 1 that is the full "
              "convolution of dout with the FLIPPED kernel (w[::-1, ::-1]), channels swapped",
        "dw": "dw[u, v, c, f] = sum over n, i, j of x[n, i*s+u, j*s+v, c] * dout[n, i, j, f]: "
              "the input correlated with dout (im2col: cols.T @ dout)",
        "db": "db[f] = dout[..., f] summed over the images and every position: shape (FN,)",
    }
    cases = _conv_cases(2200)
    for k, (x, w, _, stride, label) in enumerate(cases):
        dout = rng(2250 + k).normal(size=ops.conv2d(x, w, stride=stride).shape).round(2)
        case = (f"dout shape {dout.shape}, x shape {x.shape}, w shape {w.shape}, stride={stride} "
                f"({label})")
        got = call(name, case, conv2d_backward, dout.copy(), x.copy(), w.copy(), stride)
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            what = (f"a {type(got).__name__} of {len(got)} items"
                    if isinstance(got, (tuple, list)) else f"a {type(got).__name__}")
            fail(name, case, "return the three gradients as a tuple (dx, dw, db)",
                 "(dx, dw, db)", what, "end with `return dx, dw, db`")
        for part, expected, value in zip(("dx", "dw", "db"),
                                         ops.conv2d_backward(dout, x, w, stride), got):
            assert_array(name, f"{case}, {part}", expected, value, hints[part])
    ok(name, len(cases))


def check_max_pool2d_backward(max_pool2d_backward):
    """max_pool2d_backward(dout, x (N,H,W,C), pool_size=2) -> dx (N,H,W,C); stride = pool_size."""
    name = "max_pool2d_backward"
    hint = ("each dout[n, i, j, c] goes to the ONE cell of its window x[n, i*p:(i+1)*p, "
            "j*p:(j+1)*p, c] that holds the maximum (np.argmax of the flattened window); every "
            "other cell, and the rows/columns no window covers, get 0")
    cases = [(EXAMPLE_POOL_X, 2, "notebook 11's 4x4 example")]
    for seed in range(8):
        r = rng(2300 + seed)
        p = int(r.integers(1, 4))
        shape = (int(r.integers(1, 3)), int(r.integers(p, p + 7)), int(r.integers(p, p + 7)),
                 int(r.integers(1, 4)))
        cases.append((r.normal(size=shape), p, f"seed {2300 + seed}"))
    for k, (x, p, label) in enumerate(cases):
        dout = rng(2350 + k).normal(size=ops.max_pool2d(x, p).shape).round(2)
        case = f"dout shape {dout.shape}, x shape {x.shape}, pool_size={p} ({label})"
        got = call(name, case, max_pool2d_backward, dout.copy(), x.copy(), p)
        assert_array(name, case, ops.max_pool2d_backward(dout, x, p), got, hint)
    ok(name, len(cases))


def check_numerical_gradient(numerical_gradient):
    """numerical_gradient(f, x, h=1e-5) -> array of x's shape, by centred differences; x must
    be left as it was. Used here to check conv2d's backward pass (a gradient check)."""
    name = "numerical_gradient"
    hint = ("for every element k: remember x[k], set x[k] = old + h and evaluate f, set x[k] = "
            "old - h and evaluate f, PUT x[k] = old BACK, grad[k] = (f_plus - f_minus) / (2*h). "
            "Centred, not (f(x+h) - f(x)) / h: that one is off by about h * f''")
    n_cases = 0
    for seed in range(4):
        r = rng(2400 + seed)
        x = r.normal(size=tuple(int(v) for v in r.integers(1, 5, size=1 + seed % 3)))

        def f(a):
            return float(np.sum(np.sin(a) * a ** 2))
        case = f"f(x) = sum(sin(x) * x**2), x shape {x.shape} (seed {2400 + seed})"
        before = x.copy()
        got = call(name, case, numerical_gradient, f, x)
        if not np.array_equal(x, before):
            fail(name, case, "x was changed by your function", before, x,
                 "set each element back to its old value after the two evaluations")
        assert_array(name, case, np.cos(x) * x ** 2 + 2 * x * np.sin(x), got, hint,
                     atol=1e-8, rtol=1e-7)
        n_cases += 1
    for seed in range(3):                         # the gradient check of conv2d's dx and dw
        r = rng(2450 + seed)
        x, w = r.normal(size=(1, 5, 6, 2)), r.normal(size=(3, 2, 2, 2))
        dout = r.normal(size=ops.conv2d(x, w, stride=1 + seed % 2).shape)
        dx, dw, _ = ops.conv2d_backward(dout, x, w, 1 + seed % 2)
        case = (f"f(x) = sum(conv2d(x, w) * dout), x shape {x.shape}, w shape {w.shape}, "
                f"stride {1 + seed % 2} (seed {2450 + seed}); expected: conv2d_backward's dx")
        got = call(name, case, numerical_gradient,
                   lambda a: float(np.sum(ops.conv2d(a, w, stride=1 + seed % 2) * dout)), x)
        assert_array(name, case, dx, got, hint, atol=1e-7, rtol=1e-6)
        case = case.replace("dx", "dw").replace("f(x)", "f(w)")
        got = call(name, case, numerical_gradient,
                   lambda k: float(np.sum(ops.conv2d(x, k, stride=1 + seed % 2) * dout)), w)
        assert_array(name, case, dw, got, hint, atol=1e-7, rtol=1e-6)
        n_cases += 2
    ok(name, n_cases)
