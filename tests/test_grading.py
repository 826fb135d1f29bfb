"""`cnncourse grade` end to end on a small chapter-02 class built in a temp dir: each kind of
submission gets the status it deserves, the batch never stops, the files are left untouched.
(Hostile students: tests/test_grading_hostile.py.)"""
import copy
import csv
import hashlib
import json
from pathlib import Path

import nbformat
import pytest

from cnncourse import grading
from cnncourse.cli import main

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "02_convolution"
EXERCISES = ["conv1d", "cross_correlate2d", "sobel_magnitude"]
RIGHT_CONV1D = "return np.array([np.dot(x[i:i + len(w)], w) for i in range(n)]) + b"
FLIPPED_CONV1D = "return np.convolve(x, w, 'valid') + b"     # convolution, not cross-correlation


def cell(nb, cid):
    return next(c for c in nb.cells if c.id == cid)


def edit(nb, cid, old, new):
    c = cell(nb, cid)
    assert old in c.source
    c.source = c.source.replace(old, new)


def build_class(folder):
    """{file name: {exercise: expected status}} and the files in folder."""
    sol = nbformat.read(ROOT / "solutions" / f"{CHAPTER}.ipynb", as_version=4)
    ex = nbformat.read(ROOT / "exercises" / f"{CHAPTER}.ipynb", as_version=4)
    expected = {}

    def save(nb, name, statuses):
        nbformat.write(nb, folder / name)
        expected[name] = dict(zip(EXERCISES, statuses))

    save(sol, "correct.ipynb", ["passed"] * 3)
    save(ex, "empty.ipynb", ["error"] * 3)

    wrong = copy.deepcopy(sol)
    edit(wrong, "conv1d-answer", RIGHT_CONV1D, FLIPPED_CONV1D)
    save(wrong, "wrong.ipynb", ["failed", "passed", "passed"])

    disarmed = copy.deepcopy(wrong)           # wrong conv1d, empty cross_correlate2d, checks disarmed
    c = cell(disarmed, "conv1d-check")
    c.source = "# NBVAL_SKIP\n" + c.source
    cell(disarmed, "cross-correlate2d-check").metadata["tags"] = ["check", "raises-exception"]
    cell(disarmed, "cross-correlate2d-answer").source = cell(ex, "cross-correlate2d-answer").source
    cell(disarmed, "sobel-magnitude-check").source = "print('sobel_magnitude: OK (5 cases)')"
    extra = nbformat.v4.new_code_cell("# NBVAL_RAISES_EXCEPTION\nraise ValueError('mine')")
    disarmed.cells.insert(3, extra)
    save(disarmed, "disarmed.ipynb", ["failed", "error", "error"])

    redefined = copy.deepcopy(wrong)           # a local fake check, and a patched module: the
    edit(redefined, "conv1d-answer", FLIPPED_CONV1D, FLIPPED_CONV1D + (    # check hands out no
        "\n\n\ndef check_conv1d(f):\n    print('conv1d: OK (12 cases)')\n\n\n"    # results
        "import cnncourse.checks.ch02\n"
        "cnncourse.checks.ch02.check_conv1d = lambda f: print('conv1d: OK (12 cases)')"))
    save(redefined, "redefined.ipynb", ["error", "passed", "passed"])

    loop = copy.deepcopy(sol)
    edit(loop, "conv1d-answer", "    x, w = np.asarray(x, float), np.asarray(w, float)\n",
         "    while True:\n        pass\n")
    save(loop, "loop.ipynb", ["timeout", "passed", "passed"])

    dies = copy.deepcopy(sol)
    edit(dies, "cross-correlate2d-answer", "    x, k = np.asarray(x, float), np.asarray(k, float)\n",
         "    import os\n    os._exit(1)\n")
    save(dies, "dies.ipynb", ["passed", "error", "error"])

    (folder / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    expected["broken.ipynb"] = dict.fromkeys(EXERCISES, "invalid")
    nbformat.write(nbformat.read(ROOT / "solutions" / "03_padding.ipynb", as_version=4),
                   folder / "chapter03.ipynb")
    expected["chapter03.ipynb"] = dict.fromkeys(EXERCISES, "invalid")
    return expected


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    expected = build_class(folder)
    before = digest(folder)
    report = folder.parent / "grades.csv"
    files = [str(folder / name) for name in sorted(expected)]
    code = main(["grade", *files, "--chapter", CHAPTER, "--timeout", "5", "--jobs", "2",
                 "--report", str(report)])
    with open(report, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return dict(expected=expected, rows=rows, code=code, before=before, after=digest(folder),
                folder=folder)


def test_every_submission_gets_the_status_it_deserves(graded):
    got = {}
    for row in graded["rows"]:
        got.setdefault(Path(row["submission"]).name, {})[row["exercise"]] = row["status"]
    assert graded["code"] == 0
    assert got == graded["expected"]


def test_report_columns_and_messages(graded):
    rows = {(Path(r["submission"]).name, r["exercise"]): r for r in graded["rows"]}
    assert list(graded["rows"][0]) == ["submission", "exercise", "status", "message", "flags",
                                       "seed", "sandbox"]
    assert rows["correct.ipynb", "conv1d"]["message"] == "conv1d: OK (12 cases)"
    assert rows["empty.ipynb", "conv1d"]["message"] == "not implemented: conv1d: not implemented yet"
    wrong = rows["wrong.ipynb", "conv1d"]["message"]
    assert "conv1d: wrong values" in wrong and "hint:" in wrong and "expected:" in wrong
    assert "timeout" in rows["loop.ipynb", "conv1d"]["message"]
    assert "kernel died" in rows["dies.ipynb", "cross_correlate2d"]["message"]
    assert "kernel died" in rows["dies.ipynb", "sobel_magnitude"]["message"]
    assert "not valid JSON" in rows["broken.ipynb", "conv1d"]["message"]
    assert "03_padding" in rows["chapter03.ipynb", "conv1d"]["message"]
    assert "replaced" in rows["redefined.ipynb", "conv1d"]["message"]
    assert "reference: cnncourse.checks.ch02.check_conv1d" in rows["redefined.ipynb", "conv1d"]["flags"]
    assert rows["correct.ipynb", "conv1d"]["flags"] == ""


def test_submissions_are_byte_identical_afterwards(graded):
    assert graded["after"] == graded["before"]
    assert sorted(p.name for p in graded["folder"].iterdir()) == sorted(graded["expected"])


def test_summary_and_json_report(tmp_path):
    rows = [grading.Row("a.ipynb", "conv1d", "passed", "ok"),
            grading.Row("a.ipynb", "sobel", "failed", "no"),
            grading.Row("b.ipynb", "conv1d", "invalid", "x")]
    text = grading.summary(rows)
    assert "1/2" in text and "0/1" in text
    grading.write_report(rows, tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text())
    assert data[0] == {"submission": "a.ipynb", "exercise": "conv1d", "status": "passed",
                       "message": "ok", "flags": "", "seed": "", "sandbox": ""}
    with pytest.raises(ValueError, match=".csv or .json"):
        grading.write_report(rows, tmp_path / "r.txt")


def test_graded_copy_restores_checks_and_strips_markers():
    sol = nbformat.read(ROOT / "solutions" / f"{CHAPTER}.ipynb", as_version=4)
    original = nbformat.read(ROOT / "exercises" / f"{CHAPTER}.ipynb", as_version=4)
    student = copy.deepcopy(sol)
    cell(student, "conv1d-check").source = "pass"
    cell(student, "conv1d-answer").source = "# NBVAL_SKIP\n" + cell(student, "conv1d-answer").source
    cell(student, "conv1d-answer").metadata["tags"] = ["solution", "nbval-skip"]
    student.cells.insert(0, nbformat.v4.new_code_cell("helper = 1"))      # before the setup
    graded = grading.build_graded(student, original)
    assert cell(graded, "conv1d-check").source == cell(original, "conv1d-check").source
    answer = cell(graded, "conv1d-answer")
    assert "NBVAL" not in answer.source and answer.metadata["tags"] == ["solution"]
    sources = [c.source for c in graded.cells]
    assert sources.index("helper = 1") > sources.index(cell(original, "setup").source)
    assert not any("integrity" in c.metadata.get("tags", []) for c in graded.cells)
    assert "look-code" not in [c.id for c in graded.cells]       # demos are not graded


def test_a_missing_answer_cell_is_invalid():
    original = nbformat.read(ROOT / "exercises" / f"{CHAPTER}.ipynb", as_version=4)
    student = copy.deepcopy(original)
    student.cells = [c for c in student.cells if c.id != "sobel-magnitude-answer"]
    with pytest.raises(grading.Invalid, match="sobel_magnitude"):
        grading.build_graded(student, original)


def test_answer_cells_with_new_ids_are_matched_by_their_def_line():
    original = nbformat.read(ROOT / "exercises" / f"{CHAPTER}.ipynb", as_version=4)
    student = copy.deepcopy(nbformat.read(ROOT / "solutions" / f"{CHAPTER}.ipynb", as_version=4))
    for c in student.cells:
        c.id = "x" + c.id[:20]                        # e.g. cells copied into a new notebook
    graded = grading.build_graded(student, original)
    answer = cell(graded, "conv1d-answer")
    assert RIGHT_CONV1D in answer.source
    assert [c.id for c in graded.cells if "check" in c.metadata.get("tags", [])] == \
        [c.id for c in original.cells if "check" in c.metadata.get("tags", [])]
    sources = [c.source for c in graded.cells]
    assert len(sources) == len(set(sources)), "copies of pristine cells must not run twice"


def test_the_benchmarks_wrong_submission_is_wrong_whatever_the_solution_says(tmp_path):
    """bench/grading.py's wrong answer replaces the whole answer cell, and the benchmark checks
    the statuses it measures: a change in the solution cannot make it right unnoticed."""
    import numpy as np
    from cnncourse.bench import grading as bench_grading
    from cnncourse.checks import ch02
    namespace = {"np": np}
    exec(bench_grading.WRONG_CONV1D, namespace)
    with pytest.raises(AssertionError, match="conv1d: wrong values"):
        ch02.check_conv1d(namespace["conv1d"])
    made = bench_grading.make_class(tmp_path, 10)
    assert [kind for _, kind in made].count("wrong") == 3 and made[9][1] == "untouched"
    wrong = nbformat.read(next(path for path, kind in made if kind == "wrong"), as_version=4)
    assert cell(wrong, "conv1d-answer").source == bench_grading.WRONG_CONV1D
    rows = [grading.Row(path, ex, status) for path, kind in made
            for ex, status in zip(EXERCISES, bench_grading.EXPECTED[kind])]
    bench_grading.check_statuses(made, rows)
    rows[6] = grading.Row(rows[6].submission, rows[6].exercise, "passed")   # the wrong conv1d
    with pytest.raises(AssertionError, match="wrong"):
        bench_grading.check_statuses(made, rows)
