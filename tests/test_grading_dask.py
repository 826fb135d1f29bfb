"""`cnncourse grade --scheduler ADDRESS`: a class graded on a Dask distributed cluster (here a
LocalCluster of two worker processes) gets the rows local grading gives, each submission in
its own sandbox on the worker that took it."""
import json
from pathlib import Path

import nbformat
import pytest

from cnncourse.cli import main
from tests.hostile import CORRECT, EXERCISES, notebook

distributed = pytest.importorskip("distributed")


def test_a_class_on_a_dask_cluster(tmp_path):
    nbformat.write(notebook(answers=CORRECT), tmp_path / "right.ipynb")
    nbformat.write(notebook(), tmp_path / "wrong.ipynb")
    (tmp_path / "broken.ipynb").write_text("{")
    files = [str(tmp_path / n) for n in ("right.ipynb", "wrong.ipynb", "broken.ipynb")]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        assert main(["grade", *files, "--scheduler", cluster.scheduler_address, "--seed", "7",
                     "--timeout", "30", "--report", str(tmp_path / "dask.json")]) == 0
    rows = json.loads((tmp_path / "dask.json").read_text())
    got = {(Path(r["submission"]).name, r["exercise"]): r["status"] for r in rows}
    assert got == {**{("right.ipynb", ex): "passed" for ex in EXERCISES},
                   **{("wrong.ipynb", ex): "failed" for ex in EXERCISES},
                   ("broken.ipynb", "*"): "invalid"}     # no chapter: one row
    assert {r["seed"] for r in rows} == {"7"}
