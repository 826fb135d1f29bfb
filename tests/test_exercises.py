"""solutions/ -> exercises/: the committed exercises are exactly what the generator gives, every
solution notebook passes under nbval, and every check cell fails on the unfilled stubs."""
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cnncourse import exercises as gen
from cnncourse.checks import CHAPTERS

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


def tagged(nb, tag):
    return [c for c in nb.cells if tag in c.metadata.get("tags", [])]


def test_committed_exercises_are_what_the_solutions_generate(tmp_path):
    assert gen.generate(check=True) == [], "exercises/ is out of date: run `make exercises`"
    written = gen.generate(ROOT / "solutions", tmp_path)   # and into an empty folder, the same
    assert sorted(p.name for p in written) == [p.name for p in EXERCISES]
    for path in written:
        assert path.read_text() == (ROOT / "exercises" / path.name).read_text()


def test_the_cli_check_mode(capsys):
    from cnncourse.cli import main
    assert main(["exercises", "--check"]) == 0


def test_one_notebook_per_chapter_with_its_metadata():
    assert [p.stem for p in SOLUTIONS] == [p.stem for p in EXERCISES] == list(CHAPTERS)
    for path in SOLUTIONS + EXERCISES:
        assert nbformat.read(path, as_version=4).metadata["cnncourse"]["chapter"] == path.stem


@pytest.mark.parametrize("path", EXERCISES, ids=[p.name for p in EXERCISES])
def test_exercise_notebook_shape(path):
    nb = nbformat.read(path, as_version=4)
    answers, checks = tagged(nb, "solution"), tagged(nb, "check")
    assert len(tagged(nb, "setup")) == 1 and nb.cells[1] is tagged(nb, "setup")[0]
    names = [c.metadata["cnncourse"]["exercise"] for c in checks]
    assert 3 <= len(names) <= 5 and len(set(names)) == len(names)
    assert [c.metadata["cnncourse"]["exercise"] for c in answers] == names
    module = CHAPTERS[path.stem]
    for answer, check in zip(answers, checks):
        assert gen.BEGIN not in answer.source and gen.END not in answer.source
        assert 'raise NotImplementedError("' in answer.source
        # the check re-imports the real check right before calling it
        first, second = check.source.splitlines()
        assert first == f"from cnncourse.checks import {module}"
        assert second.startswith(f"{module}.check_{check.metadata['cnncourse']['exercise']}(")


@pytest.mark.parametrize("path", EXERCISES, ids=[p.name for p in EXERCISES])
def test_the_self_check_instructions_work_in_the_lab_terminal_and_in_a_cell(path):
    """Each exercise says how to check it in both places a student can type (issue 15): the
    terminal of `make lab` (the course's pytest first on PATH) and a notebook cell, where only
    `!{sys.executable} -m pytest` is sure to be the kernel's own pytest."""
    intro = nbformat.read(path, as_version=4).cells[0].source
    assert f"pytest --nbval-lax exercises/{path.name}" in intro
    assert f"!{{sys.executable}} -m pytest --nbval-lax {path.name}" in intro


def test_stub_source_names_the_function_and_keeps_the_signature():
    source = ('def f(x):\n    """doc"""\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION'
              '\n\n\ndef g(y):\n    if y:\n        ### BEGIN SOLUTION\n        pass\n'
              '        ### END SOLUTION\n    return y')
    out = gen.stub_source(source, "ex")
    assert out == ('def f(x):\n    """doc"""\n    raise NotImplementedError("f: not implemented '
                   'yet")\n\n\ndef g(y):\n    if y:\n        raise NotImplementedError("g: not '
                   'implemented yet")\n    return y')


def test_the_stub_speaks_the_notebooks_language():
    """A Korean solution (metadata.cnncourse.lang = "ko", from cnncourse.translation) gets a
    Korean stub, worded by the package catalog; English stays byte for byte what it was."""
    source = 'def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION'
    assert gen.stub_source(source, "ex", lang="ko") == (
        'def f(x):\n    raise NotImplementedError("f: 아직 구현하지 않았습니다")')
    nb = nbformat.v4.new_notebook(metadata={"cnncourse": {"chapter": "02_x", "lang": "ko"}})
    nb.cells = [nbformat.v4.new_code_cell(source, metadata={
        "tags": ["solution"], "cnncourse": {"exercise": "f"}})]
    assert "아직 구현하지 않았습니다" in gen.make_exercise(nb).cells[0].source
    from cnncourse import i18n
    with i18n.language("ko"):          # the grader's or the author's language does not matter
        assert gen.stub_source(source, "ex") == (
            'def f(x):\n    raise NotImplementedError("f: not implemented yet")')
    nb.metadata["cnncourse"]["lang"] = "fr"
    with pytest.raises(gen.ExerciseError, match="'fr'"):
        gen.make_exercise(nb)
    korean = sorted((ROOT / "exercises" / "ko").glob("*.ipynb"))
    assert [p.name for p in korean] == [p.name for p in EXERCISES]
    for path in korean:
        for cell in tagged(nbformat.read(path, as_version=4), "solution"):
            if "NotImplementedError" in cell.source:
                assert ': 아직 구현하지 않았습니다")' in cell.source, path.name
                assert "not implemented yet" not in cell.source, path.name


def test_top_level_answers_need_a_placeholder():
    source = "### BEGIN SOLUTION\nmodel = build()\n### END SOLUTION\nprint(model)"
    assert gen.stub_source(source, "model", "model = None") == "model = None\nprint(model)"
    with pytest.raises(gen.ExerciseError, match="placeholder"):
        gen.stub_source(source, "model")


@pytest.mark.parametrize("source,problem", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1", "no ### END"),
    ("def f():\n    return 1\n    ### END SOLUTION", "without"),
    ("def f():\n    return 1", "no ### BEGIN"),
])
def test_broken_markers_are_reported(source, problem):
    with pytest.raises(gen.ExerciseError, match=problem):
        gen.stub_source(source, "f")


def test_make_exercise_clears_outputs_and_leaves_the_solution_alone():
    nb = nbformat.read(SOLUTIONS[0], as_version=4)
    cell = tagged(nb, "solution")[0]
    cell.outputs = [nbformat.v4.new_output("stream", text="hi")]
    cell.execution_count = 3
    before = nbformat.writes(nb)
    ex = gen.make_exercise(nb)
    assert nbformat.writes(nb) == before
    assert all(c.outputs == [] and c.execution_count is None
               for c in ex.cells if c.cell_type == "code")


def _run_cells(nb):
    """Run the setup cell, then each stub and its check; return {exercise: exception}."""
    namespace = {}
    exec(tagged(nb, "setup")[0].source, namespace)
    raised = {}
    for answer, check in zip(tagged(nb, "solution"), tagged(nb, "check")):
        exec(answer.source, namespace)
        try:
            exec(check.source, namespace)
        except Exception as err:  # noqa: BLE001 - we record what the check raised
            raised[check.metadata["cnncourse"]["exercise"]] = err
    return raised


@pytest.mark.parametrize("path", EXERCISES, ids=[p.name for p in EXERCISES])
def test_every_check_fails_on_the_unfilled_stubs(path):
    nb = nbformat.read(path, as_version=4)
    names = [c.metadata["cnncourse"]["exercise"] for c in tagged(nb, "check")]
    raised = _run_cells(nb)
    assert sorted(raised) == sorted(names), f"checks that passed on stubs: {set(names) - set(raised)}"
    for name, err in raised.items():
        assert isinstance(err, NotImplementedError), (name, err)
        assert "not implemented yet" in str(err)


@pytest.mark.slow
def test_every_solution_notebook_passes_under_nbval():
    """What a student runs: pytest --nbval-lax on the notebook; the solutions must pass."""
    env = dict(os.environ, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-current-env", "--nbval-cell-timeout=300", *map(str, SOLUTIONS)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert " passed" in proc.stdout and "failed" not in proc.stdout


@pytest.mark.slow
def test_student_path_fails_on_the_exercise_notebook():
    """`pytest --nbval-lax exercises/02_convolution.ipynb` fails while anything is unfilled."""
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-current-env", str(ROOT / "exercises" / "02_convolution.ipynb")],
        cwd=ROOT, env=dict(os.environ, MPLBACKEND="Agg"), capture_output=True, text=True,
        timeout=600)
    assert proc.returncode == 1
    assert "conv1d: not implemented yet" in proc.stdout
    # one failure per unfinished exercise: the ungraded demo cell (tagged nbval-skip in the
    # exercise) does not count as one more
    nb = nbformat.read(ROOT / "exercises" / "02_convolution.ipynb", as_version=4)
    assert tagged(nb, "demo") and all("nbval-skip" in c.metadata["tags"] for c in tagged(nb, "demo"))
    assert re.search(rf"\b{len(tagged(nb, 'check'))} failed\b", proc.stdout), proc.stdout[-2000:]


def test_bare_pytest_does_not_collect_notebooks():
    """A bare `pytest` uses pyproject's testpaths = ["tests"]: no notebook is collected."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                           "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.stdout.strip(), proc.stderr
    assert "::Cell " not in proc.stdout, "nbval collected notebook cells in a bare `pytest`"
    assert not any(line.startswith(("exercises/", "solutions/", "notebooks/"))
                   for line in proc.stdout.splitlines())
