"""Benchmark of the grader: python -m cnncourse.bench grading [--class-size N] [--jobs J]

Seconds to grade one chapter-02 submission, then a class of N (default 30) with the default
jobs (the number of CPUs). The class mixes what a teacher receives: correct notebooks, wrong
answers and untouched stubs. Targets (issue 4): one submission under 15 s, a class of 30 under
3 minutes on 2 cores. Timings are printed, not asserted.
"""
from __future__ import annotations

import argparse
import copy
import os
import tempfile
import time
from pathlib import Path

import nbformat

from cnncourse import grading
from cnncourse.exercises import EXERCISES, SOLUTIONS

CHAPTER = "02_convolution"
TARGET_ONE, TARGET_CLASS = 15.0, 180.0


def make_class(folder, size):
    """size submissions: 2 of 3 correct, every 3rd with a flipped-kernel conv1d, some untouched."""
    solution = nbformat.read(SOLUTIONS / f"{CHAPTER}.ipynb", as_version=4)
    stub = nbformat.read(EXERCISES / f"{CHAPTER}.ipynb", as_version=4)
    wrong = copy.deepcopy(solution)
    for cell in wrong.cells:
        if cell.id == "conv1d-answer":
            cell.source = cell.source.replace(
                "return np.array([np.dot(x[i:i + len(w)], w) for i in range(n)]) + b",
                "return np.convolve(x, w, 'valid') + b")
    paths = []
    for i in range(size):
        nb = (solution, solution, wrong)[i % 3] if i % 10 != 9 else stub
        path = Path(folder) / f"student{i + 1:02d}.ipynb"
        nbformat.write(nb, path)
        paths.append(str(path))
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cnncourse.bench grading")
    parser.add_argument("--class-size", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=None, help="default: the number of CPUs")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with tempfile.TemporaryDirectory(prefix="cnncourse-bench-grading-") as tmp:
        paths = make_class(tmp, max(args.class_size, 1))
        start = time.perf_counter()
        one = grading.grade(paths[:1], CHAPTER, jobs=1)
        t_one = time.perf_counter() - start
        start = time.perf_counter()
        rows = grading.grade(paths, CHAPTER, jobs=args.jobs)
        t_class = time.perf_counter() - start
    jobs = args.jobs or os.cpu_count()
    counts = {s: sum(r.status == s for r in rows) for s in grading.STATUSES}
    print(f"grading benchmark ({os.cpu_count()} CPUs, chapter {CHAPTER})")
    print(f"  one submission:            {t_one:6.1f} s   (target < {TARGET_ONE:.0f} s)   "
          f"{[r.status for r in one]}")
    print(f"  class of {len(paths)} with {jobs} jobs:  {t_class:6.1f} s   "
          f"(target < {TARGET_CLASS:.0f} s for 30)   {t_class / len(paths):.1f} s per submission")
    print("  statuses: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0
