"""Checks of the exercise notebooks: one module per chapter (ch01 ... ch11).

A check cell calls e.g. ``ch02.check_conv1d(conv1d)``. The check runs the student's function on
randomized cases with fixed, printed seeds (plus the documents' worked examples) and compares
each result with ``cnncourse.ops``. On success it prints one line, ``conv1d: OK (12 cases)``
(``conv1d: 통과 (경우 12개)`` under ``set_language("ko")``: see ``_common``);
a wrong answer raises AssertionError (exercise, case, expected vs got, hint); an unfilled stub
raises NotImplementedError naming the exercise. That is the students' self-check.

When ``cnncourse grade`` runs the notebook the same check cell judges nothing: the kernel is the
student's, so it only runs the function on the grader's secret cases and hands the results out
as plain data (``handout``); the grader compares them with the references outside the kernel
(``cnncourse.grading.judge``).

What an exercise declares (``_common.Exercise``, in its chapter's ``EXERCISES`` registry; a new
chapter needs nothing else for the grader to grade it):

* ``name`` -- the exercise's name: the check cell's ``metadata.cnncourse.exercise`` and, unless
  ``functions`` says otherwise, the student's function;
* ``cases(seed)`` -> [``Case``] -- the documents' worked examples, then random cases drawn from
  the seed. Grading calls it with a secret seed, so the random cases must depend on it. A
  case's ``args``/``kwargs`` are what the student's function is called with and must be plain
  data (numbers, strings, None, tuples/lists/dicts of them, numeric NumPy arrays, Keras models):
  they are written to the sandbox. Its ``label`` names it in messages (say the seed). Its
  ``held_out`` is data the answer is measured on that the student's function never gets (the
  test images of a training exercise); it never leaves the grader;
* ``reference(*args, **kwargs)`` -> the right answer (``None`` if every case has ``held_out``);
  for several functions, ``{function name: reference}`` with ``functions`` and ``Case.function``;
* ``compare(exercise, label, expected, got, hint)`` -- raises AssertionError (``_common.fail``)
  on a wrong answer; ``got`` arrives as plain data (arrays, tuples, a rebuilt Keras model, or
  ``handout.Unsupported`` for anything else), so a comparison must not trust methods of ``got``
  beyond those. A predict-or-explain item answered by one of a few words compares with
  ``_common.choice(*options, why=...)``: a wrong choice fails with the reasoning of the right
  one; a case whose answer is known when it is drawn carries it as ``held_out``;
* ``hint``, ``seed`` (the notebook's fixed seed), and where needed ``output(args, result)``
  (what of a call is judged, e.g. the model ``train`` was given) and ``time_budget`` (seconds).

Each module also keeps the three-line ``check_<name>(function)`` the check cell calls.
"""
import importlib

CHAPTERS = {
    "01_why_convolution": "ch01",
    "02_convolution": "ch02",
    "03_padding": "ch03",
    "04_stride": "ch04",
    "05_pooling": "ch05",
    "06_channels": "ch06",
    "07_lenet": "ch07",
    "08_fashion_mnist": "ch08",
    "09_improving": "ch09",
    "10_looking_inside": "ch10",
    "11_from_scratch": "ch11",
}


def exercises(chapter):
    """The EXERCISES registry of a chapter, e.g. exercises("02_convolution")["conv1d"]."""
    return importlib.import_module(f"cnncourse.checks.{CHAPTERS[chapter]}").EXERCISES
