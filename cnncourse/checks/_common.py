"""What every chapter's checks share: running a student's function on one case, comparing with
the reference in ``cnncourse.ops``, and the messages a student reads.

A check raises AssertionError (wrong answer) naming the exercise, the case (shapes, seed),
expected vs got and a hint; it lets NotImplementedError from an unfilled stub through unchanged;
on success it prints exactly one line, ``<exercise>: OK (<n> cases)``.

The numpy functions used for comparing are bound here, at import time: the setup cell of every
exercise notebook imports the checks before any student code runs, so replacing ``np.allclose``
afterwards does not change what a check compares with.
"""
from __future__ import annotations

import os

import numpy as np

_asarray = np.asarray
_allclose = np.allclose
_abs = np.abs
_isfinite = np.isfinite
_array2string = np.array2string
_default_rng = np.random.default_rng

#: Grading evidence: when the grader sets this variable, every check that succeeds appends its
#: exercise name to that file. ``cnncourse grade`` only counts a check cell as passed when the
#: real check says so, so replacing a check function in the notebook does not pass it.
EVIDENCE_ENV = "CNNCOURSE_GRADE_LOG"


def rng(seed):
    """The random generator of one case: cases are random, but fixed by their printed seed."""
    return _default_rng(seed)


def fmt(value, limit=6):
    """Short printable form of an array or value for messages (corners of large arrays)."""
    if isinstance(value, np.ndarray) or (isinstance(value, (list, tuple)) and value
                                         and isinstance(value[0], (list, tuple, np.ndarray))):
        arr = _asarray(value)
        text = _array2string(arr, precision=4, suppress_small=True, threshold=limit * limit,
                             edgeitems=3, max_line_width=100)
        return f"array of shape {arr.shape}:\n{text}"
    return repr(value)


def fail(exercise, case, problem, expected, got, hint):
    """Raise the AssertionError a student reads: what, which case, expected vs got, what to try."""
    raise AssertionError(
        f"{exercise}: {problem}\n"
        f"  case: {case}\n"
        f"  expected: {fmt(expected)}\n"
        f"  got:      {fmt(got)}\n"
        f"  hint: {hint}")


def call(exercise, case, fn, *args, **kwargs):
    """Call the student's function; NotImplementedError passes through (the stub is unfilled),
    any other exception gets a note naming the exercise and the case."""
    if not callable(fn):
        raise AssertionError(f"{exercise}: expected a function, got {fn!r}; run the cell that "
                             f"defines {exercise} first and pass the function itself")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as err:
        err.add_note(f"{exercise}: your function raised {type(err).__name__} on case: {case}")
        raise


def assert_array(exercise, case, expected, got, hint, atol=1e-6, rtol=1e-6):
    """Compare an array answer with the reference: type, shape, then values."""
    expected = _asarray(expected)
    if got is None:
        fail(exercise, case, "your function returned None", expected, got,
             "end the function with `return <the result>`")
    try:
        arr = _asarray(got, dtype=float)
    except (TypeError, ValueError):
        fail(exercise, case, "the result is not a numeric array", expected, got, hint)
    if arr.shape != expected.shape:
        fail(exercise, case, f"wrong shape {arr.shape}, expected {expected.shape}",
             expected, arr, hint)
    if not _isfinite(arr).all() or not _allclose(arr, expected, atol=atol, rtol=rtol):
        diff = _abs(arr - expected)
        where = np.unravel_index(int(np.nanargmax(np.where(_isfinite(diff), diff, np.inf))),
                                 diff.shape) if diff.size else ()
        fail(exercise, case, f"wrong values (first large difference at index {tuple(map(int, where))})",
             expected, arr, hint)
    return arr


def assert_equal(exercise, case, expected, got, hint):
    """Exact comparison for ints, tuples and shapes (numpy ints are accepted as ints)."""
    def norm(v):
        if isinstance(v, (list, tuple)):
            return tuple(norm(u) for u in v)
        if isinstance(v, np.integer):
            return int(v)
        return v
    if norm(got) != norm(expected):
        fail(exercise, case, "wrong answer", expected, got, hint)


def ok(exercise, n_cases):
    """Report success: one fixed line, and the grader's evidence when grading."""
    print(f"{exercise}: OK ({n_cases} case{'' if n_cases == 1 else 's'})")
    log = os.environ.get(EVIDENCE_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(exercise + "\n")
