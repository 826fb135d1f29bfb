"""``cnncourse grade``: grade submitted exercise notebooks with nbval, a class at a time.

For each submission (in parallel, one nbval subprocess each):

1. read it (not JSON / not a notebook -> ``invalid``), find its chapter in
   ``metadata.cnncourse.chapter`` (or ``--chapter``: a notebook of another chapter -> ``invalid``);
2. build a graded copy in a temporary folder: the pristine ``exercises/`` notebook's cells, with
   the student's answer cells (matched by cell id) and extra cells put back; setup and check
   cells always come from the pristine notebook; nbval markers and tags the student added
   (``# NBVAL_SKIP``, ``raises-exception``, ...) are removed; outputs are cleared; after each
   check cell, an integrity cell verifies that ``cnncourse.checks`` / ``cnncourse.ops`` are intact;
3. run ``pytest --nbval-lax --nbval-current-env --nbval-cell-timeout S`` on the copy with an
   overall process timeout; the plugin ``cnncourse.grading_nbval`` records each cell's result,
   and every check that succeeds writes its name to an evidence file;
4. one row per exercise: ``passed`` (the check cell ran without exception, the real check
   confirmed it, and the integrity cell after it found the checks intact), ``failed``
   (AssertionError: a wrong answer), ``error`` (an unfilled stub, a crash, a dead kernel),
   ``timeout``, or ``invalid`` (not a notebook, another chapter, missing cells, tampering).

The submitted files are only read, never written.
"""
from __future__ import annotations

import concurrent.futures
import copy
import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from cnncourse import paths
from cnncourse.checks import CHAPTERS

STATUSES = ("passed", "failed", "error", "timeout", "invalid")
FIELDS = ("submission", "exercise", "status", "message")
INTEGRITY = "__integrity__"
DEFAULT_CELL_TIMEOUT = 120.0
_MARKER = re.compile(r"^\s*#+\s*(NBVAL_\w+|PYTEST_VALIDATE_IGNORE_OUTPUT)\s*$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

# Runs right after every check cell of the graded copy, in the student's kernel. It compares every function of the
# loaded cnncourse.checks.* and cnncourse.ops modules with a fresh compile of its source file,
# checks that the package attributes point at those modules, that `import` and IPython's error
# reporting are the stock ones, and only then writes its evidence line.
INTEGRITY_SOURCE = '''\
def _cnncourse_integrity(exercise):
    import builtins, os, sys, types
    problems = []
    if getattr(get_ipython(), "custom_exceptions", ()):
        problems.append("an IPython custom exception handler hides errors")
    if type(builtins.__import__) is not type(len):
        problems.append("builtins.__import__ was replaced")
    names = [n for n in list(sys.modules) if n == "cnncourse.ops" or n.startswith("cnncourse.checks")]
    if not any(n.startswith("cnncourse.checks.ch") for n in names):
        problems.append("no cnncourse.checks module is loaded")
    for name in names:
        module = sys.modules[name]
        parent, _, child = name.rpartition(".")
        if parent in sys.modules and getattr(sys.modules[parent], child, module) is not module:
            problems.append(f"{parent}.{child} is not the module {name}")
        path = getattr(module, "__file__", None)
        if not path or not os.path.isfile(path):
            problems.append(f"{name} is not the installed module")
            continue
        with open(path, encoding="utf-8") as fh:
            code = compile(fh.read(), path, "exec")
        for const in code.co_consts:
            if not isinstance(const, types.CodeType) or const.co_name.startswith("<"):
                continue
            obj = vars(module).get(const.co_name)
            got = getattr(obj, "__code__", None)
            if isinstance(obj, type):
                continue
            if got is None or got.co_code != const.co_code or \\
                    os.path.realpath(got.co_filename) != os.path.realpath(path):
                problems.append(f"{name}.{const.co_name} was replaced")
    if problems:
        raise AssertionError("the notebook tampers with the checks: " + "; ".join(problems))
    log = os.environ.get("CNNCOURSE_GRADE_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"__integrity__:{exercise}\\n")


_cnncourse_integrity(EXERCISE)'''


@dataclass
class Row:
    submission: str
    exercise: str
    status: str
    message: str = ""


class Invalid(Exception):
    """The submission cannot be graded as given; the message says why."""


# ----------------------------------------------------------------------------- notebooks
def pristine(chapter, exercises_dir=None):
    """The pristine exercise notebook of a chapter (e.g. "02_convolution"), from exercises_dir
    (default: the course's, see cnncourse.paths.exercises)."""
    path = Path(exercises_dir or paths.exercises()) / f"{chapter}.ipynb"
    if chapter not in CHAPTERS or not path.is_file():
        raise Invalid(f"unknown chapter {chapter!r}: expected one of {', '.join(CHAPTERS)}")
    return nbformat.read(path, as_version=4)


def exercises_of(nb):
    """Exercise names in notebook order, from the check cells."""
    names = []
    for cell in nb.cells:
        name = cell.metadata.get("cnncourse", {}).get("exercise")
        if "check" in cell.metadata.get("tags", []) and name and name not in names:
            names.append(name)
    return names


def read_submission(path):
    """Parse a submission; Invalid if it is not a readable notebook."""
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise Invalid(f"cannot read the file: {err.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise Invalid(f"not a notebook: the file is not valid JSON ({err})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list) \
            or data.get("nbformat") != 4:
        raise Invalid("not a notebook: no nbformat 4 'cells' list (save it from Jupyter as .ipynb)")
    try:
        return nbformat.reads(json.dumps(data), as_version=4)
    except Exception as err:  # nbformat raises a variety of errors for malformed cells
        raise Invalid(f"not a notebook: {type(err).__name__}: {err}") from None


def chapter_of(nb):
    chapter = nb.metadata.get("cnncourse", {}).get("chapter")
    if not chapter:
        raise Invalid("not a course exercise notebook (no metadata.cnncourse.chapter): submit the "
                      "notebook from exercises/ with your answers filled in")
    return chapter


def strip_markers(source):
    """Remove nbval comment markers (# NBVAL_SKIP, # NBVAL_RAISES_EXCEPTION, ...) from source."""
    return "\n".join(line for line in source.split("\n") if not _MARKER.match(line))


def _student_cell(cell, like=None):
    """A clean code copy of a student's cell: no tags, no markers, no outputs."""
    new = nbformat.v4.new_code_cell(strip_markers(cell.source))
    new.id = cell.get("id") or new.id
    if like is not None:                       # a solution cell keeps the pristine metadata
        new.metadata = copy.deepcopy(like.metadata)
    return new


def match_cells(student, original):
    """For each student cell, the id of the pristine cell it stands for (or None for an extra).

    Cells are matched by id; an answer cell whose id changed (copied, re-created, saved by an
    old Jupyter) is matched by its first ``def name(`` line instead.
    """
    pristine_ids = {cell.id for cell in original.cells}
    matched = [cell.get("id") if cell.get("id") in pristine_ids else None for cell in student.cells]
    for answer in original.cells:
        if "solution" not in answer.metadata.get("tags", []) or answer.id in matched:
            continue
        header = next((line for line in answer.source.splitlines() if line.startswith("def ")), None)
        for i, cell in enumerate(student.cells):
            if header and matched[i] is None and cell.cell_type == "code" \
                    and any(line.rstrip() == header.rstrip() for line in cell.source.splitlines()):
                matched[i] = answer.id
                break
    return matched


def build_graded(student, original):
    """The notebook that is run: pristine cells, the student's answers and extra code cells."""
    pristine_ids = {cell.id: cell for cell in original.cells}
    solutions = {cell.id for cell in original.cells if "solution" in cell.metadata.get("tags", [])}
    try:
        matched = match_cells(student, original)
    except (AttributeError, KeyError, TypeError) as err:
        raise Invalid(f"malformed notebook ({type(err).__name__}: {err})") from None
    missing = [pristine_ids[i].metadata.get("cnncourse", {}).get("exercise", i)
               for i in solutions if i not in matched]
    if missing:
        raise Invalid("missing answer cells for " + ", ".join(sorted(missing)) + ": keep the "
                      "cells of the exercise notebook and write your answers inside them")
    answers, extras, anchor = {}, {}, None   # extra cells follow the pristine cell before them
    known = {cell.source for cell in original.cells}   # copies of pristine cells are not extras
    for cell, cid in zip(student.cells, matched):
        if cid is not None:
            anchor = cid
            if cid in solutions and cid not in answers:
                answers[cid] = _student_cell(cell, like=pristine_ids[cid])
                answers[cid].id = cid
        elif cell.cell_type == "code" and cell.source.strip() and cell.source not in known:
            extras.setdefault(anchor, []).append(_student_cell(cell))
    first_code = next(c.id for c in original.cells if c.cell_type == "code")
    extras.setdefault(first_code, [])[:0] = extras.pop(None, [])   # never before the setup
    graded = copy.deepcopy(original)
    graded.cells = []
    for cell in original.cells:
        cell = answers.get(cell.id) or copy.deepcopy(cell)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        graded.cells.append(cell)
        if "check" in cell.metadata.get("tags", []):
            graded.cells.append(integrity_cell(cell.metadata["cnncourse"]["exercise"]))
        graded.cells.extend(extras.get(cell.id, []))
    return graded


def integrity_cell(exercise):
    """The grader's cell that follows the check cell of exercise (see INTEGRITY_SOURCE)."""
    cell = nbformat.v4.new_code_cell(INTEGRITY_SOURCE.replace("EXERCISE", repr(exercise)))
    cell.id = "cnncourse-integrity-" + re.sub(r"[^A-Za-z0-9_-]", "-", exercise)[:40]
    cell.metadata = {"tags": ["integrity"], "cnncourse": {"exercise": exercise}}
    return cell


# ----------------------------------------------------------------------------- running nbval
def run_nbval(notebook, workdir, cell_timeout, total_timeout):
    """Run nbval on notebook (a path in workdir). Returns (records, evidence, info)."""
    workdir = Path(workdir)
    results, evidence = workdir / "cells.jsonl", workdir / "evidence.txt"
    (workdir / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    env = dict(os.environ, CNNCOURSE_GRADE_RESULTS=str(results), CNNCOURSE_GRADE_LOG=str(evidence),
               MPLBACKEND="Agg", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONDONTWRITEBYTECODE="1")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "nbval.plugin", "-p",
           "cnncourse.grading_nbval", "-p", "no:cacheprovider", "-c", str(workdir / "pytest.ini"),
           "--rootdir", str(workdir), "--nbval-lax", "--nbval-current-env",
           "--nbval-cell-timeout", str(cell_timeout), str(notebook)]
    info = {"overall_timeout": False, "returncode": None, "output": ""}
    proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=total_timeout)
    except subprocess.TimeoutExpired:
        info["overall_timeout"] = True
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    info["returncode"], info["output"] = proc.returncode, out.decode("utf-8", "replace")[-4000:]
    records = []
    if results.is_file():
        records = [json.loads(line) for line in results.read_text("utf-8").splitlines() if line]
    done = set(evidence.read_text("utf-8").split()) if evidence.is_file() else set()
    return records, done, info


def _first_line(text, limit=300):
    text = _ANSI.sub("", text or "").strip()
    return text.splitlines()[0][:limit] if text else ""


def classify(exercise, check, answer, evidence, info, cell_timeout, died_in):
    """(status, message) of one exercise from its check cell's and answer cell's records."""
    if check is None:
        if info["overall_timeout"]:
            return "timeout", "not run: the notebook did not finish within the overall time limit"
        if died_in is not None:
            return "error", f"not run: {died_in}"
        return "error", ("not run: nbval stopped early: "
                         + (_first_line(info["output"].strip().splitlines()[-1])
                            if info["output"].strip() else "no output"))
    message = _ANSI.sub("", check["evalue"] or check["message"]).strip()
    answer_timed_out = bool(answer and answer["raised"] and "Timeout" in answer["message"])
    if not check["raised"]:
        if exercise in evidence:
            return "passed", _first_line(check["stdout"])
        return "invalid", ("the check cell ran but the real check never confirmed success: "
                           "was the check function replaced?")
    if "Timeout" in check["message"] or answer_timed_out:
        return "timeout", (f"a cell ran longer than the {cell_timeout:g} s cell timeout "
                           "(an infinite loop?)")
    if check["exc_type"] == "KernelDied" or "Kernel dead" in check["message"]:
        return "error", (f"{check['message'].rstrip('.')}" if check["exc_type"] == "KernelDied"
                         else f"not run: {died_in or 'the kernel died in an earlier cell'}")
    if check["ename"] == "AssertionError":
        return "failed", message
    if check["ename"] == "NotImplementedError":
        return "error", f"not implemented: {message}"
    prefix = ""
    if answer and answer["raised"] and answer["ename"]:
        prefix = f"your answer cell raised {answer['ename']}: {_first_line(answer['evalue'])}; "
    return "error", f"{prefix}{check['ename'] or check['exc_type']}: {message}"


def grade_one(path, chapter=None, cell_timeout=DEFAULT_CELL_TIMEOUT, total_timeout=None,
              exercises_dir=None):
    """Grade one submission; returns its rows (one per exercise, or one 'invalid' row)."""
    name = str(path)
    expected = None
    try:
        if chapter:
            expected = pristine(chapter, exercises_dir)
        nb = read_submission(path)
        own = chapter_of(nb)
        if chapter and own != chapter:
            raise Invalid(f"wrong notebook: this is chapter {own}, expected {chapter}")
        original = expected or pristine(own, exercises_dir)
        graded = build_graded(nb, original)
    except Invalid as err:
        names = exercises_of(expected) if expected is not None else ["*"]
        return [Row(name, ex, "invalid", str(err)) for ex in names]
    names = exercises_of(original)
    total = total_timeout or (120 + 4 * cell_timeout)
    with tempfile.TemporaryDirectory(prefix="cnncourse-grade-") as tmp:
        target = Path(tmp) / (re.sub(r"[^\w.-]", "_", Path(path).stem) + ".ipynb")
        nbformat.write(graded, target)
        records, evidence, info = run_nbval(target, tmp, cell_timeout, total)
    by_exercise = {}
    died_in = None
    for rec in records:
        role = next((r for t, r in (("check", "check"), ("solution", "answer"),
                                    ("integrity", "integrity")) if t in rec["tags"]), None)
        if role and rec["exercise"]:
            by_exercise.setdefault(rec["exercise"], {})[role] = rec
        where = f"cell {rec['cell']}" + (f" ({rec['exercise']})" if rec["exercise"] else "")
        if died_in is None and rec["exc_type"] == "KernelDied":
            died_in = f"the kernel died in {where}"
        elif died_in is None and "Failed to interrupt kernel" in rec["message"]:
            died_in = f"the kernel was stopped after {where} timed out and ignored the interrupt"
    rows = []
    for ex in names:
        got = by_exercise.get(ex, {})
        status, message = classify(ex, got.get("check"), got.get("answer"), evidence, info,
                                   cell_timeout, died_in)
        rows.append(Row(name, ex, status, message))
        integrity = got.get("integrity")
        if status == "passed" and f"{INTEGRITY}:{ex}" not in evidence:
            why = (_ANSI.sub("", integrity["evalue"] or integrity["message"]).strip()
                   if integrity and integrity["raised"]
                   else "the integrity check did not confirm that the checks are intact")
            rows[-1] = Row(name, ex, "invalid", f"not confirmed: {why}")
    return rows


# ----------------------------------------------------------------------------- a class
def grade(paths, chapter=None, cell_timeout=DEFAULT_CELL_TIMEOUT, jobs=None,
          total_timeout=None, exercises_dir=None, progress=None):
    """Grade many submissions in parallel; rows come back in the order of paths."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    results = [None] * len(paths)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(grade_one, p, chapter, cell_timeout, total_timeout, exercises_dir): i
                   for i, p in enumerate(paths)}
        for future in concurrent.futures.as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as err:   # a grader bug on one file must not stop the batch
                results[i] = [Row(str(paths[i]), "*", "error",
                                  f"grader error: {type(err).__name__}: {err}")]
            if progress:
                progress(paths[i], results[i])
    return [row for rows in results for row in rows]


def write_report(rows, path):
    """CSV (for a spreadsheet / LMS import) or JSON, chosen by the file's extension."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps([asdict(r) for r in rows], indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    elif path.suffix.lower() == ".csv":
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=FIELDS)
            writer.writeheader()
            writer.writerows(asdict(r) for r in rows)
    else:
        raise ValueError(f"report {path} must end in .csv or .json")


def scores(rows):
    """{submission: (passed, total)} in first-seen order."""
    out = {}
    for row in rows:
        passed, total = out.get(row.submission, (0, 0))
        out[row.submission] = (passed + (row.status == "passed"), total + 1)
    return out


def summary(rows):
    """A plain-text table: one line per submission, a count per status, and the score."""
    buf = io.StringIO()
    width = max([len("submission")] + [len(r.submission) for r in rows])
    buf.write(f"{'submission':<{width}}  " + " ".join(f"{s:>7}" for s in STATUSES) + "   score\n")
    for sub, (passed, total) in scores(rows).items():
        counts = [sum(r.submission == sub and r.status == s for r in rows) for s in STATUSES]
        buf.write(f"{sub:<{width}}  " + " ".join(f"{c:>7}" for c in counts)
                  + f"   {passed}/{total}\n")
    return buf.getvalue()


def configure_parser(parser):
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                        help="submitted exercise notebooks (.ipynb)")
    parser.add_argument("--report", metavar="PATH.csv|PATH.json",
                        help="write one row per submission x exercise: submission, exercise, "
                             "status, message")
    parser.add_argument("--timeout", type=float, default=DEFAULT_CELL_TIMEOUT, metavar="S",
                        help="seconds one cell may run (default: %(default)s)")
    parser.add_argument("--total-timeout", type=float, default=None, metavar="S",
                        help="seconds a whole notebook may run (default: 120 + 4 x --timeout)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="notebooks graded at once (default: the number of CPUs)")
    parser.add_argument("--chapter", choices=sorted(CHAPTERS), default=None,
                        help="the chapter every submission must be (default: each notebook's own)")
    parser.add_argument("--exercises-dir", type=Path, default=paths.exercises(),
                        help="folder of the pristine exercise notebooks (default: %(default)s)")


def run(args):
    if args.report and Path(args.report).suffix.lower() not in (".csv", ".json"):
        print(f"cnncourse grade: --report {args.report} must end in .csv or .json",
              file=sys.stderr)
        return 2
    start = time.perf_counter()

    def progress(path, rows):
        passed, total = scores(rows)[str(path)]
        print(f"graded {path}: {passed}/{total}", file=sys.stderr, flush=True)

    rows = grade(args.submissions, args.chapter, args.timeout, args.jobs, args.total_timeout,
                 args.exercises_dir, progress=progress)
    print(summary(rows), end="")
    for row in rows:
        if row.status != "passed":
            print(f"  {row.submission} {row.exercise}: {row.status}: {_first_line(row.message, 160)}")
    if args.report:
        write_report(rows, args.report)
        print(f"report: {args.report} ({len(rows)} rows)")
    print(f"graded {len(args.submissions)} submission(s) in {time.perf_counter() - start:.1f} s")
    return 0
