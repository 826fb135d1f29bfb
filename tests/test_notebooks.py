"""Every lecture notebook runs top to bottom under nbval-lax, as a student's `pytest` would run it.

Each notebook runs in its own pytest process (a fresh kernel, like a student's); the time it took
is printed, and the lecture-notebook budget (DESIGN.md: under a minute on 2 cores) is reported in
the summary, not asserted: timings on a shared machine are not a test.

The runs draw figures inline, as JupyterLab does, and are recorded (cnncourse.deck_record) into
the decks' execution cache (build/executed/ of the checkout): tests/test_decks.py, which runs
after them, builds the decks from these runs instead of executing every lecture a second time.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cnncourse import slides

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TIMES = {}
INLINE = "module://matplotlib_inline.backend_inline"


def nbval_env():
    return dict(os.environ, MPLBACKEND=INLINE, TF_CPP_MIN_LOG_LEVEL="2", PYTHONHASHSEED="0")


def nbval_command(path, record=None):
    """pytest --nbval-lax on one notebook; with ``record`` (a folder) the run is also written
    there as the deck build's executed copy."""
    cmd = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-q",
           "-p", "no:cacheprovider", "--nbval-cell-timeout=900", str(path)]
    if record is not None:
        cmd += ["-p", "cnncourse.deck_record", f"--deck-record={record}"]
    return cmd


def run_nbval(path, timeout=1800, record=True):
    """Run ``path`` under nbval-lax (recorded into the decks' cache unless ``record`` is False)."""
    cache = slides.executed_cache() if record is True else (record or None)
    start = time.perf_counter()
    proc = subprocess.run(nbval_command(path, cache), cwd=path.parent, env=nbval_env(),
                          capture_output=True, text=True, timeout=timeout)
    return proc, time.perf_counter() - start


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path):
    proc, seconds = run_nbval(path)
    TIMES[path.name] = seconds
    print(f"{path.name}: {seconds:.1f} s")
    assert proc.returncode == 0, f"{path.name} failed under nbval-lax:\n{proc.stdout[-6000:]}"
