"""The wheel: built from the tracked files with `pip wheel`, installed in a fresh virtual
environment, it grades a submission from a folder outside the checkout, finding the pristine
exercise notebooks it ships as package data (cnncourse.paths)."""
import csv
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from cnncourse import paths

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def source_copy(target):
    """The files git tracks (and untracked ones it does not ignore), copied to target: the
    wheel is built from what a fresh clone holds, not from this checkout's build/ leftovers."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


def run(cmd, **kwargs):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python, cnncourse script, environment) of a fresh venv with only the wheel's cnncourse:
    the course venv's other packages are reached through a .pth line (no .pth files of that
    folder are run, so its editable cnncourse stays out), PYTHONPATH is unset."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to list the tracked files")
    tmp = tmp_path_factory.mktemp("wheel")
    src = source_copy(tmp / "src")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp / "dist"), str(src)])
    (wheel,) = (tmp / "dist").glob("cnncourse-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        shipped = sorted(n for n in zf.namelist() if n.startswith("cnncourse/_exercises/"))
        assert [n[len("cnncourse/_exercises/"):] for n in shipped] == sorted(
            p.relative_to(ROOT / "exercises").as_posix()
            for p in (ROOT / "exercises").rglob("*.ipynb"))
        assert "cnncourse/_exercises/ko/02_convolution.ipynb" in shipped   # the Korean edition
        assert zf.read("cnncourse/_exercises/02_convolution.ipynb") == \
            (ROOT / "exercises" / "02_convolution.ipynb").read_bytes()
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                           "['purelib'])"]).stdout.strip())
    (purelib / "course_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "-q", str(wheel)])
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return python, venv / "bin" / "cnncourse", env


def test_the_installed_package_is_the_wheel_and_finds_its_exercises(installed, tmp_path):
    python, _, env = installed
    out = run([str(python), "-c", "import cnncourse, cnncourse.paths as p; "
                                  "print(cnncourse.__file__); print(p.checkout()); "
                                  "print(p.exercises())"], cwd=tmp_path, env=env).stdout.split()
    package, checkout, exercises = out
    venv = python.parent.parent
    assert Path(package).is_relative_to(venv) and checkout == "None"
    assert Path(exercises) == Path(package).parent / "_exercises"
    assert (Path(exercises) / "02_convolution.ipynb").is_file()
    assert not Path(package).is_relative_to(paths.PACKAGE.parent)


def test_the_installed_grader_grades_a_submission_from_any_folder(installed, tmp_path):
    python, script, env = installed
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(ROOT / "solutions" / "02_convolution.ipynb", work / "right.ipynb")
    shutil.copy(ROOT / "exercises" / "02_convolution.ipynb", work / "empty.ipynb")
    for command in ([str(script)], [str(python), "-m", "cnncourse"]):
        report = work / "grades.csv"
        run([*command, "grade", "right.ipynb", "empty.ipynb", "--report", str(report),
             "--jobs", "2"], cwd=work, env=env, timeout=600)
        rows = list(csv.DictReader(report.open(encoding="utf-8")))
        statuses = {(Path(r["submission"]).name, r["exercise"]): r["status"] for r in rows}
        assert statuses == {
            **{("right.ipynb", ex): "passed"
               for ex in ("conv1d", "cross_correlate2d", "sobel_magnitude")},
            **{("empty.ipynb", ex): "error"
               for ex in ("conv1d", "cross_correlate2d", "sobel_magnitude")}}
        report.unlink()
