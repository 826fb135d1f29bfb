"""Every committed notebook follows the course conventions (DESIGN.md, "Notebooks")."""
import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
ALL = sorted(p for folder in ("notebooks", "solutions", "exercises")
             for p in (ROOT / folder).glob("*.ipynb"))
LECTURES = sorted((ROOT / "notebooks").glob("*.ipynb"))
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}


def ids(paths):
    return [p.relative_to(ROOT).as_posix() for p in paths]


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_valid_nbformat_45_with_cell_ids_and_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5), "save as nbformat 4.5 (cell ids)"
    assert all("id" in cell for cell in nb.cells)
    with_outputs = [i for i, c in enumerate(nb.cells)
                    if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not with_outputs, (f"cells {with_outputs} have outputs or execution counts; "
                              "clear them before committing")


AS_PRINTED = "as-printed"     # a cell running a document's code exactly as printed


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_keras3_style(path):
    """Keras 3 takes shapes from keras.Input; `input_shape=` on a layer is the old API. Only a
    cell tagged "as-printed" (a document's code quoted as printed, to show what Keras 3 says
    about it) may keep it."""
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and AS_PRINTED not in cell["metadata"].get("tags", []):
            source = "".join(cell["source"])
            assert not re.search(r"\binput_shape\s*=", source), (
                f"cell {i} passes input_shape= to a layer; use keras.Input(shape=...) instead")


@pytest.mark.parametrize("path", LECTURES, ids=ids(LECTURES))
def test_lecture_notebooks_are_slide_ready(path):
    nb = nbformat.read(path, as_version=4)
    missing = [i for i, c in enumerate(nb.cells)
               if c.metadata.get("slideshow", {}).get("slide_type") not in SLIDE_TYPES]
    assert not missing, f"cells {missing} lack metadata.slideshow.slide_type"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), \
        "a lecture starts with a markdown title cell '# ...'"


def test_lecture_notebooks_are_numbered_in_order():
    numbers = [p.name[:2] for p in LECTURES]
    assert numbers == [f"{i:02d}" for i in range(len(numbers))], numbers


@pytest.mark.parametrize("path", LECTURES, ids=ids(LECTURES))
def test_remarks_for_the_teacher_are_not_shown_to_students(path):
    """Speaker notes ("notes" cells: speaker notes in a deck) are collapsed in JupyterLab, in a
    <details> element (JupyterLab still shows a Markdown cell whose source is hidden); no other
    cell speaks to the instructor or carries a developer's remark."""
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        notes = cell.metadata.get("slideshow", {}).get("slide_type") == "notes"
        if notes:
            assert re.match(r"<details><summary>[^<]+</summary>\n\n", cell.source) and \
                cell.source.rstrip().endswith("</details>"), \
                f"cell {i} (notes) is not collapsed: wrap it in <details><summary>...</summary>"
        elif "instructor" not in cell.metadata.get("tags", []):
            assert not re.match(r"\s*(#+\s*)?(for instructors|instructor:|speaker notes)",
                                cell.source, re.I), f"cell {i} talks to the instructor"
        assert not re.search(r"style test|\bTODO\b|\bFIXME\b", cell.source), \
            f"cell {i} has a developer's remark"
        if AS_PRINTED in cell.metadata.get("tags", []):
            assert cell.cell_type == "code", f"cell {i}: only code cells are tagged {AS_PRINTED}"
