"""solutions/ -> exercises/: the exercise notebooks are generated, never edited by hand.

In a solution notebook, answers sit between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
lines in cells tagged ``solution``. In the exercise twin each region becomes

    raise NotImplementedError("<function>: not implemented yet")

at the region's indentation (``<function>`` is the enclosing ``def``, else the cell's exercise;
the text is in the notebook's language, ``metadata.cnncourse.lang``: the Korean exercises, made
from the Korean solutions, say ``"<function>: 아직 구현하지 않았습니다"``, from the package catalog),
or, for a region at the top level of a cell (an answer that is not a function, e.g. a model),
the placeholder in the cell's ``metadata.cnncourse.placeholder`` (e.g. ``model = None``), which
the check rejects. Outputs and execution counts are cleared; everything else is kept as is.

Cells carry ``metadata.cnncourse.exercise`` and the tags ``setup``, ``solution`` or ``check``;
the notebook carries ``metadata.cnncourse.chapter`` (e.g. "02_convolution") for the grader.
A cell tagged ``demo`` (an ungraded picture of the student's answer) also gets nbval's
``nbval-skip`` tag in the exercise: the self-check ``pytest --nbval-lax exercises/NN.ipynb``
then fails once per unfinished exercise, not once more for the picture. (The solutions keep
running it: CI sees that the demo works with right answers.)
"""
from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import nbformat

from . import i18n, paths
from .i18n import N_

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
NBVAL_SKIP = "nbval-skip"
_DEF = re.compile(r"^(\s*)def\s+([A-Za-z_]\w*)\s*\(")
STUB = N_("{function}: not implemented yet")      # in the notebook's language (see above)


class ExerciseError(ValueError):
    """A solution notebook breaks the BEGIN/END protocol; the message names cell and line."""


def _string_literal(text):
    """`text` as a double-quoted Python string literal (the stub's message)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def stub_source(source, exercise, placeholder=None, where="cell", lang="en"):
    """Replace each BEGIN/END SOLUTION region of one cell's source by its stub (its message in
    `lang`)."""
    lines, out, i = source.split("\n"), [], 0
    found = False
    while i < len(lines):
        line = lines[i]
        if line.strip() != BEGIN:
            if line.strip() == END:
                raise ExerciseError(f"{where}: line {i + 1} has {END} without {BEGIN}")
            out.append(line)
            i += 1
            continue
        found = True
        indent = line[:len(line) - len(line.lstrip())]
        try:
            end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == END)
        except StopIteration:
            raise ExerciseError(f"{where}: {BEGIN} on line {i + 1} has no {END}") from None
        if any(lines[j].strip() == BEGIN for j in range(i + 1, end)):
            raise ExerciseError(f"{where}: nested {BEGIN} after line {i + 1}")
        if indent:
            name = _enclosing_function(out, len(indent)) or exercise
            with i18n.language(lang):
                message = i18n._(STUB).format(function=name)
            out.append(f"{indent}raise NotImplementedError({_string_literal(message)})")
        else:
            if not placeholder:
                raise ExerciseError(
                    f"{where}: a top-level solution region (line {i + 1}) needs a placeholder in "
                    "the cell's metadata.cnncourse.placeholder, e.g. 'model = None'")
            out.extend(placeholder.split("\n"))
        i = end + 1
    if not found:
        raise ExerciseError(f"{where}: a cell tagged 'solution' has no {BEGIN} ... {END} region")
    return "\n".join(out)


def _enclosing_function(lines, indent):
    """Name of the innermost `def` above, indented less than the region."""
    for line in reversed(lines):
        match = _DEF.match(line)
        if match and len(match.group(1)) < indent:
            return match.group(2)
    return None


def make_exercise(solution):
    """The exercise twin of a solution notebook (a new NotebookNode; the input is unchanged)."""
    nb = copy.deepcopy(solution)
    lang = nb.metadata.get("cnncourse", {}).get("lang", "en")
    if lang not in i18n.LANGUAGES:
        raise ExerciseError(f"metadata.cnncourse.lang is {lang!r}; the course speaks "
                            f"{', '.join(i18n.LANGUAGES)}")
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        tags = cell.metadata.get("tags", [])
        if "demo" in tags and NBVAL_SKIP not in tags:
            cell.metadata["tags"] = [*tags, NBVAL_SKIP]
        if "solution" in cell.metadata.get("tags", []):
            meta = cell.metadata.get("cnncourse", {})
            cell.source = stub_source(cell.source, meta.get("exercise", "exercise"),
                                      meta.get("placeholder"), where=f"cell {index} ({cell.id})",
                                      lang=lang)
        elif BEGIN in cell.source or END in cell.source:
            raise ExerciseError(f"cell {index} ({cell.id}) has solution markers but no "
                                "'solution' tag")
    return nb


def render(nb):
    """The exact text written to disk (nbformat's JSON, one trailing newline)."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def generate(solutions=None, exercises=None, check=False):
    """Write (or, with check=True, only compare) exercises/NAME for every solutions/NAME.

    solutions defaults to the course's solutions/ (cnncourse.paths), exercises to the folder
    exercises/ beside it. Returns the list of exercise paths that differ from what the
    solutions give (before writing them, when check is False).
    """
    solutions = Path(solutions) if solutions else paths.solutions()
    exercises = Path(exercises) if exercises else solutions.parent / "exercises"
    sources = sorted(solutions.glob("*.ipynb"))
    if not sources:
        raise ExerciseError(f"no solution notebooks in {solutions}")
    stale = []
    for path in sources:
        text = render(make_exercise(nbformat.read(path, as_version=4)))
        target = exercises / path.name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(target)
            if not check:
                exercises.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    return stale


def configure_parser(parser):
    parser.add_argument("--solutions", type=Path, default=paths.solutions(),
                        help="folder of solution notebooks (default: %(default)s)")
    parser.add_argument("--exercises", type=Path, default=None,
                        help="folder to write the exercise notebooks to (default: next to "
                             "solutions/, i.e. exercises/)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if exercises/ is not what solutions/ gives")


def run(args):
    try:
        stale = generate(args.solutions, args.exercises, check=args.check)
    except ExerciseError as err:
        print(f"cnncourse exercises: {err}", file=sys.stderr)
        return 2
    if args.check:
        for path in stale:
            print(f"out of date: {path} (run `make exercises`)")
        return 1 if stale else 0
    for path in stale:
        print(f"wrote {path}")
    print(f"exercises up to date ({len(stale)} rewritten)")
    return 0
