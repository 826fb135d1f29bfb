"""cnncourse.deck_record: an nbval run, with the plugin, leaves the executed notebook the deck
build would have made itself (compared here with cnncourse.slides.execute_notebook, i.e. nbclient's
ExecutePreprocessor, on one notebook with every kind of output the lectures have), and the deck
build then takes it from the cache instead of executing again. A notebook with a failing or a
skipped cell is not recorded."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cnncourse import slides

ROOT = Path(__file__).resolve().parents[1]

CELLS = [
    "import matplotlib.pyplot as plt\nprint('hello')",
    "plt.plot([1, 2, 3])\nplt.title('a figure');",                        # inline PNG
    "from IPython.display import clear_output\nprint('gone')\nclear_output()\nprint('kept')",
    "from IPython.display import display\nh = display('first', display_id=True)\nh.update('second')",
    "import numpy as np\nfrom cnncourse.widgets import ConvStepper\n"
    "ConvStepper(np.arange(9.0).reshape(3, 3), np.ones((2, 2)))",          # frames for the deck
    "import ipywidgets as w\nw.interact(lambda k: print('k is', k), k=(0, 4))",   # Output widget
    "6 * 7",
]


def make_notebook(path: Path, cells=CELLS, tags=None) -> Path:
    nb = new_notebook(cells=[new_markdown_cell("# Recorder")] + [
        new_code_cell(source) for source in cells])
    for cell in nb.cells:
        cell.metadata["slideshow"] = {"slide_type": "slide"}
    for index, tag in (tags or {}).items():
        nb.cells[index].metadata["tags"] = [tag]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def run_nbval(path: Path, cache: Path):
    from tests.test_notebooks import nbval_command, nbval_env
    return subprocess.run(nbval_command(path, record=cache), cwd=path.parent, env=nbval_env(),
                          capture_output=True, text=True, timeout=600)


def summary(nb):
    """What a deck shows of each code cell: output types, texts, which cells have pictures.
    Consecutive pieces of one stream are joined (where a stream is cut depends on timing)."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outs = []
        for out in cell.outputs:
            data = out.get("data", {})
            if out.output_type == "stream" and outs and outs[-1][:2] == ("stream", out.name):
                outs[-1] = outs[-1][:2] + (outs[-1][2] + out.text,) + outs[-1][3:]
                continue
            outs.append((out.output_type, out.get("name"), out.get("text"),
                         data.get("text/plain"), "image/png" in data,
                         "application/vnd.jupyter.widget-view+json" in data))
        cells.append((cell.execution_count, outs))
    return cells


def widget_models(nb):
    state = nb.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    return sorted(m["model_name"] for m in state.values())


def output_widget_texts(nb):
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    return [o.get("text") for m in state.values() if m["model_name"] == "OutputModel"
            for o in m["state"].get("outputs", [])]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("record")
    path = make_notebook(tmp / "recorded.ipynb")
    proc = run_nbval(path, tmp / "cache")
    assert proc.returncode == 0, proc.stdout[-3000:]
    recorded = nbformat.read(slides.cached_copy(path, tmp / "cache"), as_version=4)
    reference = slides.execute_notebook(path, cache_dir=None)
    return {"tmp": tmp, "path": path, "recorded": recorded, "reference": reference}


def test_the_recorded_run_is_what_the_deck_build_executes(runs):
    recorded, reference = runs["recorded"], runs["reference"]
    assert summary(recorded) == summary(reference)
    cells = summary(recorded)
    assert cells[0][1][0][2] == "hello\n" and cells[1][1][-1][4]          # text, then a PNG
    assert [o[2] for o in cells[2][1]] == ["kept\n"]                    # clear_output honoured
    assert cells[3][1][0][3] == "'second'"                              # display updated
    assert cells[6] == (7, [("execute_result", None, None, "42", False, False)])
    assert widget_models(recorded) == widget_models(reference)
    assert output_widget_texts(recorded) == output_widget_texts(reference) == ["k is 2\n"]


def test_the_recorded_run_has_the_deck_builds_frames_and_keys(runs):
    meta, ref = runs["recorded"].metadata["cnncourse"], runs["reference"].metadata["cnncourse"]
    assert meta["modules"] == ref["modules"] and any(
        f.endswith("conv_stepper.py") for f in meta["modules"])
    frames, ref_frames = meta["widget_frames"], ref["widget_frames"]
    assert len(frames) == len(ref_frames) == 1
    (mine,), (theirs,) = frames.values(), ref_frames.values()
    assert mine["total"] == theirs["total"] == 4 and len(mine["frames"]) == 4
    assert [f["before"] + f["after"] for f in mine["frames"]] == \
        [f["before"] + f["after"] for f in theirs["frames"]]
    assert meta["build_key"] == ref["build_key"]


def test_the_deck_build_takes_the_recorded_run(runs, monkeypatch):
    def no_second_run(*args, **kwargs):
        raise AssertionError("executed again although nbval recorded the run")
    monkeypatch.setattr(slides, "_run", no_second_run)
    nb = slides.execute_notebook(runs["path"], cache_dir=runs["tmp"] / "cache")
    assert summary(nb) == summary(runs["recorded"])


@pytest.mark.parametrize("cells, tags, why", [
    (["print(1)", "1 / 0", "print(2)"], {}, "a cell fails"),
    (["print(1)", "print(2)"], {2: "nbval-skip"}, "a cell is skipped"),
])
def test_an_incomplete_run_is_not_recorded(tmp_path, cells, tags, why):
    path = make_notebook(tmp_path / "partial.ipynb", cells, tags)
    proc = run_nbval(path, tmp_path / "cache")
    assert proc.returncode == (1 if "fails" in why else 0), proc.stdout[-2000:]
    assert not slides.cached_copy(path, tmp_path / "cache").exists(), why


def test_without_the_option_nothing_is_written(tmp_path):
    path = make_notebook(tmp_path / "plain.ipynb", ["print(1)"])
    from tests.test_notebooks import nbval_command, nbval_env
    proc = subprocess.run(nbval_command(path) + ["-p", "cnncourse.deck_record"],
                          cwd=tmp_path, env=nbval_env(), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.ipynb"]
