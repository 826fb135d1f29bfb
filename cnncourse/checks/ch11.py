"""Checks for exercises/11_from_scratch.ipynb: conv2d_im2col, conv2d_backward,
max_pool2d_backward, numerical_gradient, and the predict item im2col_ratio (the memory im2col
costs, S73). Layout: Keras' channels_last, x (N,H,W,C),
w (FH,FW,C,FN); "valid" padding."""
from __future__ import annotations

import numpy as np

from cnncourse import ops
from cnncourse.i18n import N_, _
from cnncourse.checks._common import (Case, Exercise, assert_array, check, fail, registry,
                                      rng, shapes)

# notebook 11's worked examples: a 4x4 image with 003's vertical Sobel kernel, and a 4x4 map
EXAMPLE_X = np.arange(1.0, 17.0).reshape(1, 4, 4, 1)
EXAMPLE_W = np.array(ops.SOBEL_X)[:, :, None, None]
EXAMPLE_POOL_X = np.array([[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 1.0],
                           [0.0, 2.0, 1.0, 1.0], [7.0, 1.0, 3.0, 2.0]])[None, :, :, None]
EXAMPLE_POOL_DOUT = np.array([[10.0, 20.0], [30.0, 40.0]])[None, :, :, None]

GRADIENT_HINTS = {
    "dx": N_("each output (n, i, j) spreads dout[n, i, j, :] @ w[u, v].T back over the window it "
          "read: dx[n, i*s+u, j*s+v, :] += ...; with stride 1 that is the full convolution of "
          "dout with the FLIPPED kernel (w[::-1, ::-1]), input and output channels swapped"),
    "dw": N_("dw[u, v, c, f] = sum over n, i, j of x[n, i*s+u, j*s+v, c] * dout[n, i, j, f]: the "
          "input correlated with dout (with im2col: cols.T @ dout)"),
    "db": N_("db[f] = dout[..., f] summed over the images and every position: shape (FN,)"),
}


# ----------------------------------------------------------------------------- cases
def _random_conv(r):
    n, c, fn = (int(v) for v in r.integers(1, 4, size=3))
    fh, fw = (int(v) for v in r.integers(1, 5, size=2))
    x = r.normal(size=(n, int(r.integers(fh, fh + 6)), int(r.integers(fw, fw + 6)), c)).round(2)
    return x, r.normal(size=(fh, fw, c, fn)).round(2), r.normal(size=fn).round(2)


def im2col_cases(seed):
    """Notebook 11's 4x4 image and Sobel kernel, then 8 random batches, every second with
    stride 2."""
    b = np.zeros(1)
    cases = [Case(_("{shapes}, stride=1 (notebook 11's 4x4 image, Sobel kernel)").format(
        shapes=shapes(x=EXAMPLE_X, w=EXAMPLE_W, b=b)), (EXAMPLE_X, EXAMPLE_W, b, 1))]
    for k in range(8):
        x, w, b = _random_conv(rng(seed + k))
        cases.append(Case(_("{shapes}, stride={stride} (seed {seed})").format(
            shapes=shapes(x=x, w=w, b=b), stride=1 + k % 2, seed=seed + k),
                          (x, w, b, 1 + k % 2)))
    return cases


def backward_cases(seed):
    """Notebook 11's 4x4 example with a dout of ones, then 8 random batches and douts, every
    second with stride 2."""
    dout = np.ones((1, 2, 2, 1))
    cases = [Case(_("{shapes}, stride=1 (notebook 11's 4x4 image, Sobel kernel, dout all "
                    "ones)").format(shapes=shapes(dout=dout, x=EXAMPLE_X, w=EXAMPLE_W)),
                  (dout, EXAMPLE_X, EXAMPLE_W, 1))]
    for k in range(8):
        r = rng(seed + k)
        x, w, _b = _random_conv(r)
        dout = r.normal(size=ops.conv2d(x, w, stride=1 + k % 2).shape).round(2)
        cases.append(Case(_("{shapes}, stride={stride} (seed {seed})").format(
            shapes=shapes(dout=dout, x=x, w=w), stride=1 + k % 2, seed=seed + k),
                          (dout, x, w, 1 + k % 2)))
    return cases


def pool_backward_cases(seed):
    """Notebook 11's 4x4 map, then 8 random batches of real numbers (no ties), pool 1 to 3."""
    cases = [Case(_("{shapes}, pool_size=2 (notebook 11's 4x4 example)").format(
        shapes=shapes(dout=EXAMPLE_POOL_DOUT, x=EXAMPLE_POOL_X)),
                  (EXAMPLE_POOL_DOUT, EXAMPLE_POOL_X, 2))]
    for k in range(8):
        r = rng(seed + k)
        p = int(r.integers(1, 4))
        x = r.normal(size=(int(r.integers(1, 3)), int(r.integers(p, p + 7)),
                           int(r.integers(p, p + 7)), int(r.integers(1, 4))))
        dout = r.normal(size=ops.max_pool2d(x, p).shape).round(2)
        cases.append(Case(_("{shapes}, pool_size={p} (seed {seed})").format(
            shapes=shapes(dout=dout, x=x), p=p, seed=seed + k),
                          (dout, x, p)))
    return cases


class Cube:
    """f(x) = sum(x^3), with its exact gradient 3 x^2."""

    def __call__(self, x):
        return float(np.sum(x ** 3))

    def exact(self, x):
        return 3 * x ** 2


class Wavy:
    """f(x) = sum(sin(x) x^2) + (sum x)^2 / 2, with its exact gradient
    cos(x) x^2 + 2 x sin(x) + sum(x). The second term couples the elements: an element left
    at old - h changes the derivative of all the others."""

    def __call__(self, x):
        return float(np.sum(np.sin(x) * x ** 2) + np.sum(x) ** 2 / 2)

    def exact(self, x):
        return np.cos(x) * x ** 2 + 2 * x * np.sin(x) + np.sum(x)


class ConvLoss:
    """f(a) = sum(conv2d(x, w) * dout) as a function of x (wrt="x") or of w (wrt="w"): its
    gradient is conv2d_backward's dx or dw, so the student's numerical gradient checks it."""

    def __init__(self, x, w, dout, stride, wrt):
        self.x, self.w, self.dout, self.stride, self.wrt = x, w, dout, stride, wrt

    def __call__(self, a):
        x, w = (a, self.w) if self.wrt == "x" else (self.x, a)
        return float(np.sum(ops.conv2d(x, w, stride=self.stride) * self.dout))

    def exact(self, a):
        dx, dw, _db = ops.conv2d_backward(self.dout, self.x, self.w, self.stride)
        return dx if self.wrt == "x" else dw


def gradient_cases(seed):
    """f(x) = sum(x^3) at x = (1, 2, 3) (gradient (3, 12, 27)), 4 random arrays for Wavy's f
    (exact gradient known), then the gradient check of conv2d's backward pass on 3 random
    cases, for dx and for dw."""
    cases = [Case(_("f(x) = sum(x**3) at x = [1., 2., 3.]: the gradient is 3x**2 = [3, 12, 27]"),
                  (Cube(), np.array([1.0, 2.0, 3.0])))]
    for k in range(4):
        r = rng(seed + k)
        x = r.normal(size=tuple(int(v) for v in r.integers(1, 5, size=1 + k % 3)))
        cases.append(Case(_("f(x) = sum(sin(x) * x**2) + sum(x)**2 / 2, x shape {shape} "
                            "(seed {seed})").format(shape=x.shape, seed=seed + k), (Wavy(), x)))
    for k in range(4, 7):
        r = rng(seed + k)
        s = 1 + k % 2
        x, w = r.normal(size=(1, 5, 6, 2)), r.normal(size=(3, 2, 2, 2))
        dout = r.normal(size=ops.conv2d(x, w, stride=s).shape)
        for wrt, a in (("x", x), ("w", w)):
            cases.append(Case(_("f({wrt}) = sum(conv2d(x, w, stride={stride}) * dout), {shapes}: "
                                "its gradient is conv2d_backward's d{wrt} (seed {seed})").format(
                wrt=wrt, stride=s, shapes=shapes(x=x, w=w, dout=dout), seed=seed + k),
                              (ConvLoss(x, w, dout, s, wrt), a)))
    return cases


# ----------------------------------------------------------------------------- references
def reference_conv2d_im2col(x, w, b, stride=1):
    return ops.conv2d(x, w, b, stride=stride)


def reference_conv2d_backward(dout, x, w, stride=1):
    return ops.conv2d_backward(dout, x, w, stride)


def reference_max_pool2d_backward(dout, x, pool_size=2):
    return ops.max_pool2d_backward(dout, x, pool_size)


def reference_numerical_gradient(f, x, h=1e-5):
    """The exact gradient the centred difference must approach."""
    return f.exact(x)


def compare_gradients(exercise, case, expected, got, hint):
    """(dx, dw, db) compared part by part, each with its own hint; 3 comparisons."""
    __tracebackhide__ = True
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        what = (_("a {type} of {count} items").format(type=type(got).__name__, count=len(got))
                if isinstance(got, (tuple, list))
                else _("a {type}").format(type=type(got).__name__))
        fail(exercise, case, _("return the three gradients as a tuple (dx, dw, db)"),
             "(dx, dw, db)", what, _("end with `return dx, dw, db`"))
    for part, e, g in zip(("dx", "dw", "db"), expected, got):
        assert_array(exercise, f"{case}; {part}", e, g, GRADIENT_HINTS[part])
    return 3


def compare_numerical(exercise, case, expected, got, hint):
    """A centred difference with h = 1e-5 is within ~1e-10 of the exact gradient here; a
    forward difference is off by about h/2 * f'' ~ 1e-5."""
    __tracebackhide__ = True
    assert_array(exercise, case, expected, got, hint, atol=1e-8, rtol=1e-6)


def ratio_cases(seed):
    """Notebook 11's 4x4 image with a 3x3 kernel, a 28x28 Fashion-MNIST image with 001's 3x3,
    then 6 random sizes, kernels and strides."""
    sizes = [(4, 4, 3, 1, _("notebook 11's 4x4 image, 3x3 kernel")),
             (28, 28, 3, 1, _("a 28x28 image, 3x3 kernel (document 001's first layer)"))]
    for k in range(6):
        r = rng(seed + k)
        f, s = int(r.integers(1, 8)), int(r.integers(1, 4))
        sizes.append((int(r.integers(f, 65)), int(r.integers(f, 65)), f, s, _("seed {seed}").format(
            seed=seed + k)))
    return [Case(f"H={h}, W={w}, kernel={f}x{f}, stride={s} ({note})", (h, w, f, s))
            for h, w, f, s, note in sizes]


def reference_ratio(height, width, kernel, stride):
    """cols.size / x.size: OH * OW windows of F * F values per channel, over H * W values."""
    oh, ow = ops.output_size(height, kernel, stride), ops.output_size(width, kernel, stride)
    return oh * ow * kernel * kernel / (height * width)


EXERCISES = registry(
    Exercise("conv2d_im2col", im2col_cases, reference_conv2d_im2col, seed=2100,
             hint=N_("one row of the matrix per output position (n, i, j): the window "
                   "x[n, i*s:i*s+FH, j*s:j*s+FW, :] flattened in (u, v, c) order, the order of "
                   "w.reshape(FH*FW*C, FN); then cols @ W + b has shape (N*OH*OW, FN): reshape "
                   "it to (N, OH, OW, FN). OH = (H - FH) // s + 1")),
    Exercise("conv2d_backward", backward_cases, reference_conv2d_backward, seed=2200,
             compare=compare_gradients,
             hint=N_("dx has x's shape, dw has w's shape, db has shape (FN,)")),
    Exercise("max_pool2d_backward", pool_backward_cases, reference_max_pool2d_backward,
             seed=2300,
             hint=N_("each dout[n, i, j, c] goes to the ONE cell of its window x[n, i*p:(i+1)*p, "
                   "j*p:(j+1)*p, c] that holds the maximum (np.argmax of the flattened window); "
                   "every other cell, and the rows/columns no window covers, get 0")),
    Exercise("numerical_gradient", gradient_cases, reference_numerical_gradient, seed=2400,
             compare=compare_numerical,
             hint=N_("for every element k: remember old = x[k]; set x[k] = old + h, evaluate f; "
                   "set x[k] = old - h, evaluate f; PUT x[k] = old BACK; grad[k] = (f_plus - "
                   "f_minus) / (2*h). Centred, not (f(x+h) - f(x)) / h: that one is off by "
                   "about h/2 * f''")),
    Exercise("im2col_ratio", ratio_cases, reference_ratio, seed=4200,
             hint=N_("cols has one row per output position, N * OH * OW rows, each holding one "
                   "window of FH * FW * C values; x holds N * H * W * C values, so N and C cancel: "
                   "OH * OW * F * F / (H * W), with OH = (H - F) // stride + 1. With stride 1 "
                   "every value is copied into up to F * F windows: im2col trades memory for one "
                   "fast matrix product")),
)


def check_conv2d_im2col(conv2d_im2col):
    """conv2d_im2col(x (N,H,W,C), w (FH,FW,C,FN), b (FN,), stride=1) -> (N,OH,OW,FN), valid."""
    __tracebackhide__ = True
    check(EXERCISES["conv2d_im2col"], conv2d_im2col)


def check_conv2d_backward(conv2d_backward):
    """conv2d_backward(dout, x, w, stride=1) -> (dx, dw, db) with the shapes of x, w and (FN,)."""
    __tracebackhide__ = True
    check(EXERCISES["conv2d_backward"], conv2d_backward)


def check_max_pool2d_backward(max_pool2d_backward):
    """max_pool2d_backward(dout, x (N,H,W,C), pool_size=2) -> dx (N,H,W,C); stride = pool_size."""
    __tracebackhide__ = True
    check(EXERCISES["max_pool2d_backward"], max_pool2d_backward)


def check_numerical_gradient(numerical_gradient):
    """numerical_gradient(f, x, h=1e-5) -> array of x's shape, by centred differences, x left
    as it was; also used on conv2d's backward pass (a gradient check)."""
    __tracebackhide__ = True
    check(EXERCISES["numerical_gradient"], numerical_gradient)


def check_im2col_ratio(im2col_ratio):
    """im2col_ratio(height, width, kernel, stride) -> cols.size / x.size (valid padding)."""
    __tracebackhide__ = True
    check(EXERCISES["im2col_ratio"], im2col_ratio)
