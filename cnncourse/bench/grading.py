"""Benchmark of the grader: cnncourse bench grading [--class-size N] [--jobs J]

Seconds to grade one chapter-02 submission, then a class of N (default 30) with the default
jobs (the number of CPUs). The class mixes what a teacher receives: correct notebooks, wrong
answers and untouched stubs; the benchmark fails unless each gets the statuses it deserves.
Targets (issue 4): one submission under 15 s, a class of 30 under 3 minutes on 2 cores.
Timings are printed, not asserted.
"""
from __future__ import annotations

import argparse
import copy
import os
import tempfile
import time
from pathlib import Path

import nbformat

from cnncourse import grading, paths

CHAPTER = "02_convolution"
TARGET_ONE, TARGET_CLASS = 15.0, 180.0
# The wrong submission's whole conv1d answer cell: a convolution (the kernel flipped), not the
# cross-correlation the check asks for. Written out in full, so that no edit of the solution's
# text can turn it back into a right answer.
WRONG_CONV1D = '''def conv1d(x, w, b=0.0):
    return np.convolve(x, w, "valid") + b'''
# What each kind of submission must get, exercise by exercise (conv1d, cross_correlate2d, sobel).
EXPECTED = {"correct": ["passed"] * 3, "wrong": ["failed", "passed", "passed"],
            "untouched": ["error"] * 3}


def make_class(folder, size):
    """size submissions: 2 of 3 correct, every 3rd with a flipped-kernel conv1d, every 10th the
    untouched exercise. Returns [(path, kind)]."""
    solution = nbformat.read(paths.solutions() / f"{CHAPTER}.ipynb", as_version=4)
    stub = nbformat.read(paths.exercises() / f"{CHAPTER}.ipynb", as_version=4)
    wrong = copy.deepcopy(solution)
    answer = next(cell for cell in wrong.cells if cell.id == "conv1d-answer")
    answer.source = WRONG_CONV1D
    notebooks = {"correct": solution, "wrong": wrong, "untouched": stub}
    made = []
    for i in range(size):
        kind = ("correct", "correct", "wrong")[i % 3] if i % 10 != 9 else "untouched"
        path = Path(folder) / f"student{i + 1:02d}.ipynb"
        nbformat.write(notebooks[kind], path)
        made.append((str(path), kind))
    return made


def check_statuses(made, rows):
    """Raise AssertionError unless every submission got the statuses its kind deserves: a
    benchmark of a grader that grades wrongly measures nothing."""
    got = {}
    for row in rows:
        got.setdefault(row.submission, []).append(row.status)
    for path, kind in made:
        assert got.get(path) == EXPECTED[kind], (
            f"{path} ({kind}): graded {got.get(path)}, expected {EXPECTED[kind]}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="cnncourse bench grading")
    parser.add_argument("--class-size", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=None, help="default: the number of CPUs")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with tempfile.TemporaryDirectory(prefix="cnncourse-bench-grading-") as tmp:
        made = make_class(tmp, max(args.class_size, 1))
        files = [path for path, _ in made]
        start = time.perf_counter()
        one = grading.grade(files[:1], CHAPTER, jobs=1)
        t_one = time.perf_counter() - start
        start = time.perf_counter()
        rows = grading.grade(files, CHAPTER, jobs=args.jobs)
        t_class = time.perf_counter() - start
    check_statuses(made[:1], one)
    check_statuses(made, rows)
    jobs = args.jobs or os.cpu_count()
    counts = {s: sum(r.status == s for r in rows) for s in grading.STATUSES}
    print(f"grading benchmark ({os.cpu_count()} CPUs, chapter {CHAPTER})")
    print(f"  one submission:            {t_one:6.1f} s   (target < {TARGET_ONE:.0f} s)   "
          f"{[r.status for r in one]}")
    print(f"  class of {len(files)} with {jobs} jobs:  {t_class:6.1f} s   "
          f"(target < {TARGET_CLASS:.0f} s for 30)   {t_class / len(files):.1f} s per submission")
    print("  statuses: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0
