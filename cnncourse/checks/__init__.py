"""Checks of the exercise notebooks: one module per chapter (ch02 ... ch08).

A check cell calls e.g. ``ch02.check_conv1d(conv1d)``. The check runs the student's function on
randomized cases with fixed, printed seeds (plus the documents' worked examples) and compares
each result with ``cnncourse.ops``. On success it prints one line, ``conv1d: OK (12 cases)``;
a wrong answer raises AssertionError (exercise, case, expected vs got, hint); an unfilled stub
raises NotImplementedError naming the exercise. Grading depends on those exceptions only.

Each chapter module declares its exercises as data in ``EXERCISES`` ({name: Exercise}, see
``_common``): cases for any seed, the reference, the comparison, the hint. ``exercises(chapter)``
returns that registry; a chapter's ``CUSTOM`` names the checks that are code instead (training).
"""
import importlib

CHAPTERS = {
    "02_convolution": "ch02",
    "03_padding": "ch03",
    "04_stride": "ch04",
    "05_pooling": "ch05",
    "06_channels": "ch06",
    "07_lenet": "ch07",
    "08_fashion_mnist": "ch08",
}


def exercises(chapter):
    """The EXERCISES registry of a chapter, e.g. exercises("02_convolution")["conv1d"]."""
    return importlib.import_module(f"cnncourse.checks.{CHAPTERS[chapter]}").EXERCISES
