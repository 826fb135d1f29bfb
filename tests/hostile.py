"""Hostile submissions for tests/test_grading_hostile.py: notebooks written the way a student
who wants a grade without the work would write them.

Two kinds of attack:

* **verdict attacks** keep wrong answers and try to make the grader report ``passed`` anyway
  (forged result files, IPython hooks, frame walking, rebinding the comparisons, ...);
* **capability probes** test one power the kernel must not have (a 127.0.0.1 listener, the
  grader's environment, a classmate's file, the solutions, writing the course, outliving the
  grading, unlimited memory/processes/files): each probe's exercise gets the *correct* answer
  only if the probe succeeds, so ``passed`` is exactly "the sandbox let it through". The same
  probes run without a sandbox show that they do succeed where nothing stops them.
"""
from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "02_convolution"
EXERCISES = ["conv1d", "cross_correlate2d", "sobel_magnitude"]
ANSWER = {"conv1d": "conv1d-answer", "cross_correlate2d": "cross-correlate2d-answer",
          "sobel_magnitude": "sobel-magnitude-answer"}
CHECK = {ex: cid.replace("-answer", "-check") for ex, cid in ANSWER.items()}
SOLUTION = nbformat.read(ROOT / "solutions" / f"{CHAPTER}.ipynb", as_version=4)
EXERCISE = nbformat.read(ROOT / "exercises" / f"{CHAPTER}.ipynb", as_version=4)
CORRECT = {ex: next(c.source for c in SOLUTION.cells if c.id == cid) for ex, cid in ANSWER.items()}
#: Wrong answers: convolution instead of cross-correlation, and a Sobel without gy.
WRONG = {
    "conv1d": "def conv1d(x, w, b=0.0):\n    return np.convolve(x, w, 'valid') + b\n",
    "cross_correlate2d": ("def cross_correlate2d(x, k):\n"
                          "    return cross_correlate2d_ok(x, np.asarray(k)[::-1, ::-1])\n"),
    "sobel_magnitude": ("SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])\n\n"
                        "def sobel_magnitude(image):\n"
                        "    return np.abs(cross_correlate2d(image, SOBEL_X))\n"),
}
#: a right cross_correlate2d under another name, for the wrong (flipped) one to call
HELPER = CORRECT["cross_correlate2d"].replace("def cross_correlate2d(", "def cross_correlate2d_ok(")


def notebook(answers=None, after=None, before_checks=None):
    """The chapter-02 exercise notebook with answers {exercise: source} (default: WRONG) and
    extra code cells: after={exercise: [source]} go right after that exercise's answer cell,
    before_checks={exercise: [source]} right before its check cell (after its answer)."""
    answers = {**WRONG, **(answers or {})}
    nb = copy.deepcopy(EXERCISE)
    cells = []
    for cell in nb.cells:
        ex = cell.metadata.get("cnncourse", {}).get("exercise")
        if cell.id in ANSWER.values():
            cell.source = answers[ex] if ex != "cross_correlate2d" else HELPER + "\n\n" + answers[ex]
            cells.append(cell)
            for src in (after or {}).get(ex, []) + (before_checks or {}).get(ex, []):
                cells.append(nbformat.v4.new_code_cell(src))
        else:
            cells.append(cell)
    nb.cells = cells
    return nb


def oracle(exercise, condition):
    """Source of a cell that swaps in the correct answer of exercise when condition (Python
    source, evaluated in the kernel) is true."""
    return f"if {condition}:\n    exec({CORRECT[exercise]!r}, globals())\n"


PROBES = r'''
import glob, json, os, socket, sys, time
from pathlib import Path

def can_connect(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
            s.sendall(b"hello from a sandbox")
        return True
    except OSError:
        return False

def proc_files(name):
    for path in glob.glob(f"/proc/*/{name}"):
        try:
            yield path, Path(path).read_bytes()
        except OSError:
            pass

def sees_secret(secret):
    if any(secret in v for v in os.environ.values()):
        return True
    return any(secret.encode() in data for _, data in proc_files("environ"))

def sees_text_in_processes(text):
    return any(text.encode() in data for _, data in proc_files("cmdline"))

def read_text(path):
    try:
        return Path(path).read_text()
    except (OSError, UnicodeDecodeError):
        return None

def append(path, text):
    try:
        with open(path, "a") as fh:
            fh.write(text)
        return True
    except OSError:
        return False

def answer_from(notebook_text, exercise):
    """the source of a classmate's answer cell for exercise"""
    nb = json.loads(notebook_text)
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("cnncourse", {}).get("exercise") == exercise \
                and "solution" in cell.get("metadata", {}).get("tags", []):
            return "".join(cell["source"])
'''


def probes_cell():
    return PROBES


def table_of_fixed_cases():
    """A lookup table {sha1 of the inputs: right output} of the notebook's own (fixed-seed)
    conv1d cases: what a student could record from the self-check and replay."""
    from cnncourse import ops
    table = {}
    cases = [(np.array([1., 2, 3, 4, 5]), np.array([1., 0, -1]), 0.0)]
    for seed in range(11):
        r = np.random.default_rng(200 + seed)
        k = int(r.integers(1, 6))
        n = int(r.integers(k, k + 10))
        b = 0.0 if seed < 3 else float(np.round(r.normal(), 2))
        cases.append((r.normal(size=n).round(2), r.normal(size=k).round(2), b))
    for x, w, b in cases:
        key = hashlib.sha1(np.asarray(x, float).tobytes() + np.asarray(w, float).tobytes()
                           + repr(float(b)).encode()).hexdigest()
        table[key] = ops.conv1d(x, w, b).tolist()
    return table


def lookup_answer():
    return ("import hashlib\n"
            f"TABLE = {json.dumps(table_of_fixed_cases())}\n\n"
            "def conv1d(x, w, b=0.0):\n"
            "    key = hashlib.sha1(np.asarray(x, float).tobytes() + np.asarray(w, float).tobytes()\n"
            "                       + repr(float(b)).encode()).hexdigest()\n"
            "    return np.array(TABLE.get(key, np.zeros(len(x) - len(w) + 1)))\n")
