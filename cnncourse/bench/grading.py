"""Benchmark of the grader: cnncourse bench grading [--class-size N] [--jobs J] [--old CHECKOUT]
[--dask]

Seconds to grade one chapter-02 submission, then a class of N (default 30) with J jobs (default:
the number of CPUs), each kernel in its sandbox. The class mixes what a teacher receives: correct
notebooks, wrong answers and untouched stubs. ``--dask`` also grades the class through a Dask
LocalCluster (one worker per job). ``--old CHECKOUT`` runs the grader of another checkout (e.g.
``git worktree add /tmp/old <commit>``) on the same class in the same run, for a side-by-side
comparison; without it the numbers recorded for the old grader are printed beside ours. The
benchmark fails unless every submission gets the statuses it deserves.
Targets (issue 11): one submission under 10 s, a class of 30 under 2 minutes on 2 cores.
Timings are printed, not asserted.
"""
from __future__ import annotations

import argparse
import copy
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

CHAPTER = "02_convolution"
TARGET_ONE, TARGET_CLASS = 10.0, 120.0
#: The grader before issue 11 (in-kernel checks, no sandbox), commit 490c95e, measured on the
#: 2-core development machine with 6 other engineers' jobs running (load ~10):
RECORDED_OLD = {"one": 9.0, "class": 315.4, "note": "490c95e, 2 CPUs, load ~10"}


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
    from cnncourse import paths
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


def _grade(paths, jobs, scheduler=None):
    from cnncourse import grading
    return grading.grade(paths, grading.Options(chapter=CHAPTER), jobs=jobs, scheduler=scheduler)


def measure(made, jobs, dask=False):
    """{"one": s, "class": s, "statuses": {...}, "dask": s or None}"""
    from cnncourse.grading import STATUSES
    paths = [path for path, _ in made]
    start = time.perf_counter()
    one = _grade(paths[:1], 1)
    t_one = time.perf_counter() - start
    start = time.perf_counter()
    rows = _grade(paths, jobs)
    t_class = time.perf_counter() - start
    check_statuses(made[:1], one)
    check_statuses(made, rows)
    out = {"one": t_one, "class": t_class, "one_statuses": [r.status for r in one],
           "statuses": {s: sum(r.status == s for r in rows) for s in STATUSES},
           "sandbox": rows[0].sandbox if rows else "?", "dask": None}
    if dask:
        import distributed
        with distributed.LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster:
            start = time.perf_counter()
            dask_rows = _grade(paths, jobs, scheduler=cluster.scheduler_address)
            out["dask"] = time.perf_counter() - start
            check_statuses(made, dask_rows)
    return out


def old_grader(checkout, paths, jobs):
    """Time the grader of another checkout on the same files (its own process)."""
    code = (
        "import sys, time, json\n"
        "from cnncourse import grading\n"
        "paths, jobs = json.loads(sys.argv[1]), int(sys.argv[2])\n"
        "t = time.perf_counter(); grading.grade(paths[:1], '02_convolution', jobs=1)\n"
        "one = time.perf_counter() - t\n"
        "t = time.perf_counter(); rows = grading.grade(paths, '02_convolution', jobs=jobs)\n"
        "print(json.dumps({'one': one, 'class': time.perf_counter() - t}))\n")
    import json
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(paths), str(jobs)],
                          capture_output=True, text=True, env=env, cwd=checkout)
    if proc.returncode != 0:
        raise RuntimeError(f"the old grader failed: {proc.stderr[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(prog="cnncourse bench grading")
    parser.add_argument("--class-size", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=None, help="default: the number of CPUs")
    parser.add_argument("--old", type=Path, default=None, metavar="CHECKOUT",
                        help="also time the grader of this checkout, same class, same run")
    parser.add_argument("--dask", action="store_true", help="also grade through a LocalCluster")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    jobs = args.jobs or os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="cnncourse-bench-grading-") as tmp:
        made = make_class(tmp, max(args.class_size, 1))
        paths = [path for path, _ in made]
        new = measure(made, jobs, args.dask)
        old = old_grader(args.old, paths, jobs) if args.old else None
    print(f"grading benchmark ({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, chapter "
          f"{CHAPTER}, sandbox: {new['sandbox']})")
    ref = old or RECORDED_OLD
    label = f"old ({args.old})" if old else f"old, recorded ({RECORDED_OLD['note']})"
    print(f"  one submission:            {new['one']:6.1f} s   (target < {TARGET_ONE:.0f} s)   "
          f"{label}: {ref['one']:.1f} s   {new['one_statuses']}")
    print(f"  class of {len(paths)} with {jobs} jobs:  {new['class']:6.1f} s   (target < "
          f"{TARGET_CLASS:.0f} s for 30)   {label}: {ref['class']:.1f} s   "
          f"{new['class'] / len(paths):.1f} s per submission")
    if new["dask"] is not None:
        print(f"  class through a Dask LocalCluster ({jobs} workers): {new['dask']:6.1f} s")
    print("  statuses: " + ", ".join(f"{k} {v}" for k, v in new["statuses"].items()))
    return 0
