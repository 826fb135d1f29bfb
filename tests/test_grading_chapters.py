"""`cnncourse grade` on every chapter: each solution notebook gets `passed` on every exercise and
each untouched exercise notebook `error` (its stubs raise NotImplementedError). Chapters and
exercises are declared in `cnncourse.checks` only (issue 13 added 01, 09, 10 and a predict item
in every chapter with no change of the grader): this is where a new one is seen to grade."""
import csv
import shutil
from pathlib import Path

import nbformat
import pytest

from cnncourse import grading
from cnncourse.checks import CHAPTERS, exercises
from cnncourse.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEED = 20240613          # fixed: the trained exercises (08, 09) are measured on a fixed subset


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chapters")
    files = []
    for chapter in CHAPTERS:                     # the trained ones first: the slowest
        for kind, source in (("solution", "solutions"), ("stub", "exercises")):
            path = folder / f"{chapter}-{kind}.ipynb"
            shutil.copy(ROOT / source / f"{chapter}.ipynb", path)
            files.append(path)
    files.sort(key=lambda p: p.name[:2] not in ("08", "09"))
    report = folder.parent / "grades.csv"
    code = main(["grade", *map(str, files), "--seed", str(SEED), "--timeout", "300",
                 "--jobs", "2", "--report", str(report)])
    with open(report, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {"code": code, "rows": rows}


def statuses(graded, chapter, kind):
    return {row["exercise"]: (row["status"], row["message"]) for row in graded["rows"]
            if Path(row["submission"]).name == f"{chapter}-{kind}.ipynb"}


@pytest.mark.slow
@pytest.mark.parametrize("chapter", list(CHAPTERS))
def test_the_solution_passes_and_the_stubs_are_errors(graded, chapter):
    assert graded["code"] == 0
    names = list(exercises(chapter))
    notebook = nbformat.read(ROOT / "exercises" / f"{chapter}.ipynb", as_version=4)
    assert sorted(grading.exercises_of(notebook)) == sorted(names)
    solution = statuses(graded, chapter, "solution")
    assert sorted(solution) == sorted(names)
    failing = {ex: msg for ex, (status, msg) in solution.items() if status != "passed"}
    assert not failing, failing
    assert all(msg.startswith(f"{ex}: OK (") for ex, (_, msg) in solution.items())
    stub = statuses(graded, chapter, "stub")
    assert sorted(stub) == sorted(names)
    for ex, (status, message) in stub.items():          # (06's layouts names its function)
        assert status == "error" and message.startswith("not implemented: ") \
            and message.endswith(": not implemented yet"), (ex, status, message)
