"""Building the graded copy of a submission.

A submission is untrusted JSON. ``read_submission`` checks it strictly (size, nesting, the type
of every field the grader reads) and keeps only the cells' type, id and source: anything else a
student put in the file (outputs, tags, nbval markers, metadata) never reaches the graded copy.
``build_graded`` then takes the pristine exercise notebook (read by the grader before any
submission runs) and puts the student's answer cells (matched by cell id, or by their ``def``
line) and extra code cells into it; setup and check cells always come from the pristine notebook;
the pristine cells tagged ``demo`` (plots that illustrate an answer) are left out.
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import nbformat

from cnncourse.grading import protocol

_MARKER = re.compile(r"^\s*#+\s*(NBVAL_\w+|PYTEST_VALIDATE_IGNORE_OUTPUT)\s*$")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_CELLS = 2000


class Invalid(Exception):
    """The submission cannot be graded as given; the message says why."""


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def exercise_of(cell):
    return cell.get("metadata", {}).get("cnncourse", {}).get("exercise")


def exercises_of(nb):
    """Exercise names in notebook order, from the check cells of a (pristine) notebook."""
    names = []
    for cell in nb.cells:
        name = exercise_of(cell)
        if "check" in tags(cell) and name and name not in names:
            names.append(name)
    return names


def load_pristine(exercises_dir, chapters):
    """{chapter: pristine exercise notebook} for the chapters that exist in exercises_dir."""
    out = {}
    for chapter in chapters:
        path = Path(exercises_dir) / f"{chapter}.ipynb"
        if path.is_file():
            out[chapter] = nbformat.read(path, as_version=4)
    return out


def _depth(value, limit):
    """Nesting depth of parsed JSON, without recursion (raises Invalid beyond limit)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise Invalid(f"not a notebook: the JSON is nested more than {limit} levels deep")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _text(value, what):
    """A notebook string field: a str, or a list of str (nbformat's multiline form)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    raise Invalid(f"not a notebook: {what} must be text, not {type(value).__name__}")


def read_submission(raw):
    """Parse a submission (bytes) into a plain notebook: {chapter, cells: [{cell_type, id,
    source}]}. Invalid with a message for anything that is not a well-formed notebook."""
    if len(raw) > protocol.MAX_SUBMISSION_BYTES:
        raise Invalid(f"the file is larger than {protocol.MAX_SUBMISSION_BYTES >> 20} MiB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise Invalid(f"not a notebook: the file is not UTF-8 text ({err.reason})") from None
    except json.JSONDecodeError as err:
        raise Invalid(f"not a notebook: the file is not valid JSON ({err})") from None
    except RecursionError:
        raise Invalid("not a notebook: the JSON is nested too deeply") from None
    _depth(data, protocol.MAX_JSON_DEPTH)
    if not isinstance(data, dict) or data.get("nbformat") != 4 \
            or not isinstance(data.get("cells"), list):
        raise Invalid("not a notebook: no nbformat 4 'cells' list (save it from Jupyter as .ipynb)")
    meta = data.get("metadata", {})
    course = meta.get("cnncourse", {}) if isinstance(meta, dict) else None
    if not isinstance(course, dict) or not isinstance(course.get("chapter"), str):
        raise Invalid("not a course exercise notebook (no metadata.cnncourse.chapter): submit the "
                      "notebook from exercises/ with your answers filled in")
    if len(data["cells"]) > MAX_CELLS:
        raise Invalid(f"not a notebook: more than {MAX_CELLS} cells")
    cells = []
    for i, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise Invalid(f"not a notebook: cell {i} is not a code, markdown or raw cell")
        cid = cell.get("id")
        cells.append({"cell_type": cell["cell_type"],
                      "id": cid if isinstance(cid, str) and _ID.match(cid) else None,
                      "source": _text(cell.get("source", ""), f"the source of cell {i}")})
    return {"chapter": course["chapter"], "cells": cells}


def strip_markers(source):
    """Remove nbval comment markers (# NBVAL_SKIP, # NBVAL_RAISES_EXCEPTION, ...) from source."""
    return "\n".join(line for line in source.split("\n") if not _MARKER.match(line))


def match_cells(student, original):
    """For each student cell, the id of the pristine cell it stands for (or None for an extra).

    Cells are matched by id; an answer cell whose id changed (copied, re-created, saved by an
    old Jupyter) is matched by its first ``def name(`` line instead.
    """
    pristine_ids = {cell.id for cell in original.cells}
    matched = [c["id"] if c["id"] in pristine_ids else None for c in student["cells"]]
    for answer in original.cells:
        if "solution" not in tags(answer) or answer.id in matched:
            continue
        header = next((line for line in answer.source.splitlines() if line.startswith("def ")), None)
        for i, cell in enumerate(student["cells"]):
            if header and matched[i] is None and cell["cell_type"] == "code" \
                    and any(line.rstrip() == header.rstrip() for line in cell["source"].splitlines()):
                matched[i] = answer.id
                break
    return matched


def build_graded(student, original):
    """The notebook that is run: pristine cells, the student's answers and extra code cells.

    student: what read_submission returned (or a NotebookNode); original: the pristine notebook.
    Extra cells are tagged ``metadata.cnncourse.role = "extra"`` (for the static scan).
    """
    if not isinstance(student, dict) or "chapter" not in student:      # a NotebookNode
        student = read_submission(json.dumps(student).encode("utf-8"))
    by_id = {cell.id: cell for cell in original.cells}
    solutions = [cell.id for cell in original.cells if "solution" in tags(cell)]
    matched = match_cells(student, original)
    missing = [exercise_of(by_id[i]) or i for i in solutions if i not in matched]
    if missing:
        raise Invalid("missing answer cells for " + ", ".join(sorted(missing)) + ": keep the "
                      "cells of the exercise notebook and write your answers inside them")
    answers, extras, anchor = {}, {}, None   # extra cells follow the pristine cell before them
    known = {cell.source for cell in original.cells}   # copies of pristine cells are not extras
    for cell, cid in zip(student["cells"], matched):
        if cid is not None:
            anchor = cid
            if cid in solutions and cid not in answers:
                new = nbformat.v4.new_code_cell(strip_markers(cell["source"]))
                new.id, new.metadata = cid, copy.deepcopy(by_id[cid].metadata)
                answers[cid] = new
        elif cell["cell_type"] == "code" and cell["source"].strip() \
                and cell["source"] not in known:
            extras.setdefault(anchor, []).append(strip_markers(cell["source"]))
    first_code = next(c.id for c in original.cells if c.cell_type == "code")
    extras.setdefault(first_code, [])[:0] = extras.pop(None, [])   # never before the setup
    graded = copy.deepcopy(original)
    graded.cells = []
    n_extra = 0
    for cell in original.cells:
        cid = cell.id
        if "demo" not in tags(cell):             # illustrations (plots) are not graded: skipped
            cell = answers.get(cid) or copy.deepcopy(cell)
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            graded.cells.append(cell)
        for source in extras.get(cid, []):
            n_extra += 1
            extra = nbformat.v4.new_code_cell(source)
            extra.id = f"student-extra-{n_extra}"
            extra.metadata = {"cnncourse": {"role": "extra"}}
            graded.cells.append(extra)
    return graded


def student_code(graded):
    """[(exercise or None, cell id, source)] of the cells that hold the student's code."""
    return [(exercise_of(c), c.id, c.source) for c in graded.cells
            if c.cell_type == "code" and ("solution" in tags(c)
                                          or c.metadata.get("cnncourse", {}).get("role") == "extra")]
