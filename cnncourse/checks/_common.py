"""What every chapter's checks share: exercises described as data, the one case runner, the
comparisons and the messages a student reads.

An exercise is declared once, in its chapter's ``EXERCISES`` registry, as an :class:`Exercise`:
its name, ``cases(seed)`` (the documents' worked examples first, then random cases drawn from
the seed), the reference that gives the right answer for a case, the comparison, the hint and
the seed the notebook's check uses. ``check(exercise, student)`` runs the student's function on
every case with :func:`run_cases`; the ``check_<name>(function)`` a check cell calls is a
three-line function of the chapter module that calls it. Code outside the chapter module can
enumerate the registry, draw the cases of any seed and compute the references without running a
student's code.

A check raises AssertionError (wrong answer) naming the exercise, the case (shapes, seed),
expected vs got and a hint; it lets NotImplementedError from an unfilled stub through unchanged;
on success it prints exactly one line, ``<exercise>: OK (<n> cases)``. Every function a check
runs through sets ``__tracebackhide__``, so pytest and IPython show the student the message
rather than the frames of this package.

Language: every text a student reads -- the OK line (Korean: ``conv1d: 통과 (경우 12개)``), the
problem, case labels, hints -- goes through ``cnncourse.i18n._`` when it is shown or when the
cases are drawn, so ``set_language("ko")``/``CNNCOURSE_LANG=ko`` (and the grader's report
language) apply; an exercise's hints and ``choice``'s reasoning are ``N_()`` constants,
translated by ``fail``. The English text is the catalog's msgid, unchanged.

The numpy functions used for comparing are bound here, at import time: the setup cell of every
exercise notebook imports the checks before any student code runs, so replacing ``np.allclose``
afterwards does not change what a check compares with.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from cnncourse.i18n import N_, _, ngettext

_asarray = np.asarray
_allclose = np.allclose
_abs = np.abs
_isfinite = np.isfinite
_array2string = np.array2string
_default_rng = np.random.default_rng

# ----------------------------------------------------------------------------- messages
def fmt(value, limit=6):
    """Short printable form of an array or value for messages (corners of large arrays)."""
    if isinstance(value, np.ndarray) or (isinstance(value, (list, tuple)) and value
                                         and isinstance(value[0], (list, tuple, np.ndarray))):
        arr = _asarray(value)
        text = _array2string(arr, precision=4, suppress_small=True, threshold=limit * limit,
                             edgeitems=3, max_line_width=100)
        return _("array of shape {shape}:\n{values}").format(shape=arr.shape, values=text)
    return repr(value)


def fail(exercise, case, problem, expected, got, hint):
    """Raise the AssertionError a student reads: what, which case, expected vs got, what to try.

    problem and case arrive translated (their callers word them through _()); hint may be an
    exercise's N_() constant, translated here (a translated or unknown text passes unchanged)."""
    __tracebackhide__ = True
    raise AssertionError(
        _("{exercise}: {problem}\n"
          "  case: {case}\n"
          "  expected: {expected}\n"
          "  got:      {got}\n"
          "  hint: {hint}").format(exercise=exercise, problem=problem, case=case,
                                   expected=fmt(expected), got=fmt(got), hint=_(hint) if hint else hint))


def call(exercise, case, fn, *args, **kwargs):
    """Call the student's function; NotImplementedError passes through (the stub is unfilled),
    any other exception gets a note naming the exercise and the case."""
    __tracebackhide__ = True
    if not callable(fn):
        raise AssertionError(_("{exercise}: expected a function, got {value}; run the cell that "
                               "defines {exercise} first and pass the function itself").format(
            exercise=exercise, value=repr(fn)))
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as err:
        err.add_note(_("{exercise}: your function raised {error} on case: {case}").format(
            exercise=exercise, error=type(err).__name__, case=case))
        raise


def ok(exercise, n_cases):
    """Report success: one fixed line (Korean: ``conv1d: 통과 (경우 12개)``)."""
    print(ngettext("{exercise}: OK ({count} case)", "{exercise}: OK ({count} cases)",
                   n_cases).format(exercise=exercise, count=n_cases))


# ----------------------------------------------------------------------------- comparisons
def assert_array(exercise, case, expected, got, hint, atol=1e-6, rtol=1e-6):
    """Compare an array answer with the reference: type, shape, then values."""
    __tracebackhide__ = True
    expected = _asarray(expected)
    if got is None:
        fail(exercise, case, _("your function returned None"), expected, got,
             _("end the function with `return <the result>`"))
    try:
        arr = _asarray(got, dtype=float)
    except (TypeError, ValueError):
        fail(exercise, case, _("the result is not a numeric array"), expected, got, hint)
    if arr.shape != expected.shape:
        fail(exercise, case, _("wrong shape {shape}, expected {expected}").format(
            shape=arr.shape, expected=expected.shape), expected, arr, hint)
    if not _isfinite(arr).all() or not _allclose(arr, expected, atol=atol, rtol=rtol):
        diff = _abs(arr - expected)
        where = np.unravel_index(int(np.nanargmax(np.where(_isfinite(diff), diff, np.inf))),
                                 diff.shape) if diff.size else ()
        fail(exercise, case, _("wrong values (first large difference at index {index})").format(
            index=tuple(map(int, where))), expected, arr, hint)


def assert_exact(exercise, case, expected, got, hint):
    """An array answer that must equal the reference exactly (class indices, masks)."""
    __tracebackhide__ = True
    assert_array(exercise, case, expected, got, hint, atol=0, rtol=0)


def assert_equal(exercise, case, expected, got, hint):
    """Exact comparison for ints, tuples, shapes and lists of them (numpy ints and arrays are
    compared as the Python ints and tuples they hold)."""
    __tracebackhide__ = True

    def norm(v):
        if isinstance(v, np.ndarray):
            v = v.tolist()
        if isinstance(v, (list, tuple)):
            return tuple(norm(u) for u in v)
        if isinstance(v, np.integer):
            return int(v)
        return v
    if norm(got) != norm(expected):
        fail(exercise, case, _("wrong answer"), expected, got, hint)


def choice(*options, why=None):
    """The comparison of a predict-or-explain item answered by one of ``options`` (strings; case
    and surrounding spaces do not matter). ``why`` maps an option to the reasoning that makes it
    the right answer: a wrong choice fails with the reasoning of the expected one, so the
    message explains instead of only naming the answer."""
    canonical = {option.casefold(): option for option in options}
    why = dict(why or {})

    def compare(exercise, case, expected, got, hint):
        __tracebackhide__ = True
        picked = canonical.get(got.strip().casefold()) if isinstance(got, str) else None
        if picked is None:
            fail(exercise, case, _("answer with one of {options}").format(
                options=", ".join(map(repr, options))), expected, got, hint)
        if picked != expected:
            fail(exercise, case, _("wrong choice {choice}").format(choice=repr(picked)), expected,
                 got, f"{_(why[expected])} {_(hint)}" if expected in why else hint)
    compare.options = options
    return compare


def assert_close(exercise, case, expected, got, hint):
    """An array answer computed in float32 by a model (Keras): values within 1e-5."""
    __tracebackhide__ = True
    assert_array(exercise, case, expected, got, hint, atol=1e-5, rtol=1e-4)


def layer_summary(model):
    """[(layer type, output shape without N, parameters)] of the conv/pool/flatten/dense layers."""
    import keras
    kinds = (keras.layers.Conv2D, keras.layers.AveragePooling2D, keras.layers.MaxPooling2D,
             keras.layers.Flatten, keras.layers.Dense)
    return [(type(layer).__name__, tuple(layer.output.shape[1:]), layer.count_params())
            for layer in model.layers if isinstance(layer, kinds)]


def compare_models(exercise, case, expected, got, hint, ref_label=N_("the reference model")):
    """Assert that the model ``got`` has the layers of the model ``expected`` (type, output
    shape, parameters), its output shape and its parameter count; return the comparisons made."""
    __tracebackhide__ = True
    import keras
    if not isinstance(got, keras.Model):
        fail(exercise, case, _("the function must return a keras.Model"), _("a keras.Model"),
             got, hint)
    try:
        summary = layer_summary(got)
        out_shape = tuple(got.outputs[0].shape)
    except Exception as err:  # a model that was never built has no output shapes
        fail(exercise, case, _("the model has no output shapes ({error})").format(
            error=f"{type(err).__name__}: {err}"),
             _("a model that starts with keras.Input((28, 28, 1))"), got, hint)
    reference = layer_summary(expected)
    for i, (e, g) in enumerate(zip(reference, summary)):
        if e != g:
            fail(exercise, _("{case}, layer {number} (type, output shape, parameters)").format(
                case=case, number=i + 1),
                 _("layer differs from {reference}").format(reference=_(ref_label)), e, g, hint)
    assert_equal(exercise, _("{case}: number of conv/pool/flatten/dense layers").format(
        case=case), len(reference), len(summary), hint)
    assert_equal(exercise, _("{case}: output shape").format(case=case),
                 tuple(expected.outputs[0].shape), out_shape, hint)
    assert_equal(exercise, _("{case}: total parameters").format(case=case),
                 expected.count_params(), got.count_params(), hint)
    return len(reference) + 2


# ----------------------------------------------------------------------------- exercises as data
class Case(NamedTuple):
    """One call of a student's function: ``function(*args, **kwargs)``.

    label: what the student reads about the case (shapes, values, where it comes from, seed).
    function: for an exercise with several functions, which one this case calls (its name);
    None means the exercise's only function.
    held_out: what the answer is measured on when it is not computed from the inputs (the test
    images a trained model is evaluated on): it is the case's expected value, and it is never
    handed to the student's function (nor, when grading, to the student's kernel).
    """
    label: str
    args: tuple = ()
    kwargs: dict = {}
    function: str | None = None
    held_out: object = None


@dataclass(frozen=True)
class Exercise:
    """One exercise's check, as data (see the module docstring).

    reference(*case.args, **case.kwargs) is the right answer; for an exercise with several
    functions it is a dict {function name: reference}; None when every case carries its
    ``held_out`` data instead. compare(exercise, label, expected, got, hint) raises
    AssertionError on a wrong answer; it may return how many comparisons it made (a model is
    compared layer by layer), otherwise the case counts as one. output(args, result) picks what
    of a call is judged (default: the result; training: the model it was given, args[0]).
    time_budget: seconds a call may take (training), or None.
    """
    name: str
    cases: Callable[[int], list]
    reference: Callable | dict | None
    hint: str
    seed: int = 0
    compare: Callable = assert_array
    functions: tuple = ()             # the student's function names; () means (name,)
    output: Callable | None = None
    time_budget: float | None = None

    def function_names(self):
        return self.functions or (self.name,)

    def expected(self, case):
        """The right answer of one case (its held-out data, when it has some)."""
        return _expected(self.reference, case)

    def judged(self, args, result):
        """What of a call is compared with the expected value."""
        return result if self.output is None else self.output(args, result)


def registry(*exercises):
    """{name: exercise} of a chapter, in notebook order."""
    return {exercise.name: exercise for exercise in exercises}


def check(exercise, student, seed=None):
    """Run ``student`` (a function, or {name: function} for an exercise with several) on the
    exercise's cases for ``seed`` (default: the notebook's) and print the OK line.

    Grading mode (the grader runs this kernel: ``handout.grading_dir()``): run the student's
    function on the grader's secret cases and hand the results out as plain data instead; the
    grader judges them outside this kernel, so nothing here decides anything.
    """
    __tracebackhide__ = True
    from cnncourse.checks import handout
    if handout.grading_dir():
        return handout.hand_out(exercise, student)
    cases = exercise.cases(exercise.seed if seed is None else seed)
    return run_cases(exercise.name, student, exercise.reference, cases, exercise.hint,
                     exercise.compare, exercise.output, exercise.time_budget)


def run_cases(name, student, reference, cases, hint, compare=assert_array, output=None,
              time_budget=None):
    """The one case loop of every check: call the student's function on a copy of each case's
    inputs, compare with the reference's answer, then print ``<name>: OK (<n> cases)``.

    student and reference: functions, or dicts {function name: function} when the cases say
    which function they call (Case.function). output and time_budget: see Exercise. Returns the
    number of cases counted.
    """
    __tracebackhide__ = True
    count = 0
    for case in cases:
        exercise = case.function or name
        args = _copies(case.args)
        start = time.perf_counter()
        got = call(exercise, case.label, _pick(student, case), *args,
                   **dict(zip(case.kwargs, _copies(case.kwargs.values()))))
        seconds = time.perf_counter() - start
        if time_budget is not None and seconds > time_budget:
            fail(exercise, case.label, _("the call took longer than the time budget"),
                 f"<= {time_budget:.0f} s", f"{seconds:.1f} s",
                 _("fewer epochs or a larger batch_size"))
        if output is not None:
            got = output(args, got)
        count += compare(exercise, case.label, _expected(reference, case), got, hint) or 1
    ok(name, count)
    return count


def _pick(functions, case):
    return functions[case.function] if isinstance(functions, dict) else functions


def _expected(reference, case):
    if case.held_out is not None:
        return case.held_out
    return _pick(reference, case)(*case.args, **case.kwargs)


def _copies(values):
    """Arrays are copied, so that a student's function that writes into its input changes
    neither the reference's input nor the next case."""
    return tuple(v.copy() if isinstance(v, np.ndarray) else v for v in values)


def rng(seed):
    """The random generator of one case: cases are random, but fixed by their printed seed."""
    return _default_rng(seed)


def shapes(**arrays):
    """'x shape (5,), w shape (3,)': how a case names its array inputs."""
    return ", ".join(_("{name} shape {shape}").format(name=name, shape=np.shape(value))
                     for name, value in arrays.items())
