"""Every lecture notebook runs top to bottom under nbval-lax, as a student's `pytest` would run it.

Each notebook runs in its own pytest process (a fresh kernel, like a student's); the time it took
is printed, and the lecture-notebook budget (DESIGN.md: under a minute on 2 cores) is reported in
the summary, not asserted: timings on a shared machine are not a test.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TIMES = {}


def run_nbval(path, timeout=1800):
    env = dict(os.environ, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2", PYTHONHASHSEED="0")
    cmd = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-q",
           "-p", "no:cacheprovider", "--nbval-cell-timeout=900", str(path)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=path.parent, env=env, capture_output=True, text=True,
                          timeout=timeout)
    return proc, time.perf_counter() - start


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path):
    proc, seconds = run_nbval(path)
    TIMES[path.name] = seconds
    print(f"{path.name}: {seconds:.1f} s")
    assert proc.returncode == 0, f"{path.name} failed under nbval-lax:\n{proc.stdout[-6000:]}"
