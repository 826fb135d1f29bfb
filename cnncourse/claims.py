"""Numbers the text states, checked by the code that computes them.

A lecture's prose says "61,706 parameters"; the code cell beside it computes the count and calls
``claim(model.count_params(), 61706, "LeNet-5 parameters")``. The call prints the value and raises
``AssertionError`` when it is not what the text states, so a new library version, seed or edit
cannot silently make the text false: the notebook test (nbval) fails instead.
``tests/test_claims.py`` checks the other direction: every number a markdown cell quotes appears in
the code of its section (as a ``claim`` or as an input the reader can see), or is a citation.

    claim(value, expected, what, tol=0, rel=0)     value == expected (numbers within tolerance,
                                                    shapes/arrays element-wise, bools, strings)
    claim_between(value, low, high, what)          low <= value <= high ("more than 90%")

``CNNCOURSE_CLAIMS=report`` in the environment turns a failed claim into a printed "✗" line
instead of an error: for runs that differ from the lecture on purpose (a shortened training
run, another Keras backend) and must still run to the end. Lectures and CI never set it.
"""
from __future__ import annotations

import numbers
import os

import numpy as np

from .i18n import _

__all__ = ["claim", "claim_between"]


def _fmt(v) -> str:
    """Readable form of a claimed value: ints with thousands separators, floats to 4 digits."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, numbers.Integral):
        return f"{int(v):,}"
    if isinstance(v, numbers.Real):
        v = float(v)
        return f"{v:,.0f}" if v.is_integer() and abs(v) >= 1000 else f"{v:.4g}"
    if isinstance(v, np.ndarray) and v.size > 12:
        return f"array{v.shape}"
    if isinstance(v, (tuple, list)):
        inner = ", ".join(_fmt(x) for x in v)
        return f"({inner}{',' if len(v) == 1 else ''})" if isinstance(v, tuple) else f"[{inner}]"
    return str(v)


def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def _as_plain(v):
    """Keras/TensorFlow shapes, NumPy scalars and 0-d arrays as plain Python values."""
    if hasattr(v, "numpy") and not isinstance(v, np.ndarray):    # a TF/Keras tensor
        v = v.numpy()
    if isinstance(v, np.ndarray) and v.ndim == 0:
        v = v.item()
    if isinstance(v, np.generic):
        v = v.item()
    return v


def _same(got, want, tol, rel) -> bool:
    """Equal within max(tol, rel*|want|) for numbers; element by element for sequences, sets of
    hashables and arrays; exactly (same type) for booleans and strings."""
    got, want = _as_plain(got), _as_plain(want)
    if _is_number(got) and _is_number(want):
        return abs(got - want) <= max(tol, rel * abs(want))
    if isinstance(want, (bool, str)) or isinstance(got, (bool, str)):
        return type(got) is type(want) and got == want
    if isinstance(want, (set, frozenset)) or isinstance(got, (set, frozenset)):
        return got == want
    if isinstance(got, np.ndarray) or isinstance(want, np.ndarray):
        a, b = np.asarray(got), np.asarray(want)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "biuf" and b.dtype.kind in "biuf":
            return bool(np.all(np.abs(a.astype(float) - b.astype(float))
                               <= np.maximum(tol, rel * np.abs(b.astype(float)))))
        return bool(np.all(a == b))
    if isinstance(got, (tuple, list)) and isinstance(want, (tuple, list)):
        return len(got) == len(want) and all(_same(g, w, tol, rel) for g, w in zip(got, want))
    return got == want


def _failed(message):
    """Raise the failed claim's message, or print it under ``CNNCOURSE_CLAIMS=report``."""
    if os.environ.get("CNNCOURSE_CLAIMS") == "report":
        print(f"✗ {message}")
        return
    raise AssertionError(message)


def claim(value, expected, what: str, *, tol: float = 0.0, rel: float = 0.0):
    """Print ``what: value`` and assert that ``value`` is what the text states (``expected``).

    value, expected: numbers (equal within ``max(tol, rel * |expected|)``), booleans, strings, or
    sequences/arrays of numbers (same shape, element-wise within the tolerance; a shape tuple is
    such a sequence). what: the text's words for the number, e.g. "LeNet-5 parameters" (the
    Korean notebooks pass their translation: ``cnncourse i18n update`` extracts it as text).
    Returns ``value`` unchanged. Raises AssertionError naming ``what``, the stated and the computed
    value, and what to do, when they differ; ValueError for a negative tolerance.
    """
    if tol < 0 or rel < 0:
        raise ValueError(_("claim({what}): tol and rel must be >= 0, got tol={tol}, rel={rel}").format(
            what=repr(what), tol=tol, rel=rel))
    got, want = _as_plain(value), _as_plain(expected)
    margin = max(tol, rel * abs(want)) if _is_number(want) else max(tol, rel)
    ok = _same(got, want, tol, rel)
    stated = _fmt(want) + (f" ± {_fmt(margin)}" if margin and _is_number(want) else "")
    if not ok:
        _failed(_("claim failed: the text says {what} is {stated}, but the code computed {got}. "
                  "Find out what changed (library version, seed, data, an edit) and correct the "
                  "text and this claim together.").format(what=what, stated=stated, got=_fmt(got)))
        return value
    suffix = _("  (text: {stated})").format(stated=stated) if margin else ""
    print(f"✓ {what}: {_fmt(got)}{suffix}")
    return value


def claim_between(value, low, high, what: str):
    """Print ``what: value`` and assert ``low <= value <= high`` (for statements such as "more than
    90%" or "between 5 and 10"). Pass None for an open end. Returns ``value``; raises
    AssertionError naming the range and the computed value otherwise."""
    got = _as_plain(value)
    if not _is_number(got):
        raise ValueError(_("claim_between({what}) needs a number, got {type}").format(
            what=repr(what), type=type(got).__name__))
    if low is not None and high is not None and low > high:
        raise ValueError(_("claim_between({what}): low {low} > high {high}").format(
            what=repr(what), low=low, high=high))
    rng = (_("at least {low}").format(low=_fmt(low)) if high is None
           else _("at most {high}").format(high=_fmt(high)) if low is None
           else _("between {low} and {high}").format(low=_fmt(low), high=_fmt(high)))
    if (low is not None and got < low) or (high is not None and got > high):
        _failed(_("claim failed: the text says {what} is {range}, but the code computed {got}. "
                  "Find out what changed and correct the text and this claim together.").format(
                    what=what, range=rng, got=_fmt(got)))
        return value
    print(_("✓ {what}: {got}  (text: {range})").format(what=what, got=_fmt(got), range=rng))
    return value
