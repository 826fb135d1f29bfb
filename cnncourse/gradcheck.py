"""Numerical gradients, to check backward passes (S74).

    numerical_gradient(f, x, h=1e-5)   centred differences: (f(x + h e_i) - f(x - h e_i)) / 2h
    relative_error(a, b)               ||a - b|| / (||a|| + ||b||)

A backward pass is right when its gradient and the numerical one agree to a relative error of
about 1e-7 or less in float64 (the centred difference is off by O(h^2) plus rounding O(eps/h));
1e-2 or more means a bug. Use float64: in float32 the rounding error alone is about 1e-3.
"""
from __future__ import annotations

import numpy as np

from .i18n import _

__all__ = ["numerical_gradient", "relative_error"]


def numerical_gradient(f, x, h=1e-5):
    """Gradient of a scalar function f at x by centred differences, one element at a time.

    f: a function of x returning a number (e.g. the loss, or np.sum(forward(x) * dout));
    x: a float array of any shape, changed in place during the call and restored afterwards.
    Returns an array of x's shape: grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2h).
    Cost: 2 * x.size calls of f, so use small inputs.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise ValueError(_("x must be a float numpy array (changed in place and restored), got "
                           "{type} {dtype}").format(type=type(x).__name__,
                                                    dtype=getattr(x, 'dtype', '')))
    if h <= 0:
        raise ValueError(_("h must be > 0, got {h}").format(h=h))
    grad = np.zeros(x.shape, x.dtype)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = float(f(x))
        x[i] = old - h
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||) with Euclidean norms: 0 for equal arrays, at most 1.

    Relative, so the gradient's scale does not matter; over the whole array, so an element that
    should be 0 and comes out 1e-11 from the finite difference does not count as a 100% error
    (it would with an element-by-element ratio). Two zero arrays give 0.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        raise ValueError(_("relative_error: shapes differ, {a} vs {b}").format(a=a.shape,
                                                                               b=b.shape))
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)
