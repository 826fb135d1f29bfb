"""Hostile students against `cnncourse grade` (issue 11): one class graded once, in which every
hostile submission must come out `failed`, `error`, `timeout` or `invalid` -- never `passed` --
while the classmates graded beside them keep exactly their grades, the report stays what the
grader printed, no process of a submission outlives the grading, and the course, the exercises
folder and the submitted files are left as they were.

The attacks are built in tests/hostile.py (see there for the two kinds: verdict attacks and
capability probes). They need the bubblewrap sandbox; without it (no bwrap, no user
namespaces) the module is skipped, and `test_the_probes_work_without_a_sandbox` shows that the
probes are real: where nothing stops them, they pass.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import shutil
import socket
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from cnncourse.cli import main
from cnncourse.grading import sandbox
from tests import hostile
from tests.hostile import CORRECT, EXERCISES, notebook, oracle

ROOT = Path(__file__).resolve().parents[1]
SEED = 424242
SECRET_ENV = "CNNCOURSE_TEST_GRADER_SECRET"

needs_sandbox = pytest.mark.skipif(not sandbox.probe().isolated,
                                   reason=f"no sandbox here: {sandbox.probe().reason}")


class Listener(threading.Thread):
    """A TCP listener on this machine that records whatever reaches it."""

    def __init__(self, host="0.0.0.0"):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.received = []
        self.start()

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                self.received.append(conn.recv(1024))


def host_address():
    """This machine's address on its network (not loopback), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


# ----------------------------------------------------------------------------- the attacks
def attacks(ctx):
    """{file name: (notebook, {exercise: allowed statuses} or None for "never passed")}"""
    P = hostile.PROBES
    out = {}

    forge = f'''
import glob, json, os
from pathlib import Path
forged = {{"cells": [], "output_limit": False,
          "verdicts": {{ex: {{"status": "passed", "message": ex + ": OK (12 cases)"}} for ex in {EXERCISES!r}}}}}
def forge_everything():
    targets = [os.environ.get(v) for v in ("CNNCOURSE_GRADE_RESULTS", "CNNCOURSE_GRADE_LOG", "CNNCOURSE_GRADE_CONFIG")]
    here = Path.cwd()
    targets += [str(p / n) for p in (here, here.parent, here.parent.parent)
                for n in ("results.json", "cells.jsonl", "evidence.txt", "run.json")]
    targets += glob.glob("/tmp/**/results.json", recursive=True)
    for t in filter(None, targets):
        try:
            Path(t).write_text(json.dumps(forged) + "\\nconv1d\\ncross_correlate2d\\nsobel_magnitude\\n")
        except OSError:
            pass
forge_everything()
get_ipython().events.register("post_run_cell", lambda *a: forge_everything())
'''
    out["forged_results.ipynb"] = (notebook(after={"conv1d": [forge]}), None)

    transformers = {
        "conv1d": ['''
def cleanup(lines):
    if any("check_conv1d" in line for line in lines):
        return ["print('conv1d: OK (12 cases)')\\n"]
    return lines
get_ipython().input_transformers_cleanup.append(cleanup)
'''],
        "cross_correlate2d": ['''
import ast
class Silence(ast.NodeTransformer):
    def visit_Call(self, node):
        if isinstance(node.func, ast.Attribute) and node.func.attr == "check_cross_correlate2d":
            return ast.parse("print('cross_correlate2d: OK (12 cases)')").body[0].value
        return self.generic_visit(node)
get_ipython().ast_transformers.append(Silence())
'''],
        "sobel_magnitude": ['''
from cnncourse.checks import ch02 as _ch02
def before(info):
    if "check_sobel_magnitude" in (info.raw_cell or ""):
        _ch02.check_sobel_magnitude = lambda f: print("sobel_magnitude: OK (5 cases)")
get_ipython().events.register("pre_run_cell", before)
'''],
    }
    out["ipython_transformers.ipynb"] = (notebook(after=transformers), None)

    hooks = {
        "conv1d": ['''
import sys
def tracer(frame, event, arg):
    if event == "call" and frame.f_code.co_name in ("hand_out", "check", "run_cases", "check_conv1d"):
        raise KeyboardInterrupt("skip the check")
    return None
sys.settrace(tracer)
get_ipython().showtraceback = lambda *a, **k: None
get_ipython().showsyntaxerror = lambda *a, **k: None
''', "import sys\nsys.settrace(None)\n"],
        "cross_correlate2d": ['''
ip = get_ipython()
_original_async, _original = ip.run_cell_async, ip.run_cell
async def run_cell_async(raw_cell, *args, **kwargs):
    if "check_cross_correlate2d" in raw_cell:
        raw_cell = "print('cross_correlate2d: OK (12 cases)')"
    return await _original_async(raw_cell, *args, **kwargs)
def run_cell(raw_cell, *args, **kwargs):
    if "check_cross_correlate2d" in raw_cell:
        raw_cell = "print('cross_correlate2d: OK (12 cases)')"
    return _original(raw_cell, *args, **kwargs)
ip.run_cell_async, ip.run_cell = run_cell_async, run_cell
'''],
        "sobel_magnitude": ['''
import json, os
import numpy as np
from pathlib import Path
def forge_outputs(*args):
    """after the check, rewrite its results: each output is the (cropped) input"""
    folder = Path(os.environ.get("CNNCOURSE_GRADING", "."))
    try:
        cases = json.loads((folder / "inputs/sobel_magnitude/cases.json").read_text())["cases"]
    except OSError:
        return
    out = folder / "outputs/sobel_magnitude"
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for i, case in enumerate(cases):
        image = np.load(folder / "inputs/sobel_magnitude" / case["args"][0]["array"])
        np.save(out / f"forged{i}.npy", np.abs(image[1:-1, 1:-1]))
        results.append({"value": {"array": f"forged{i}.npy"}})
    (out / "outputs.json").write_text(json.dumps({"outputs": results}))
get_ipython().events.register("post_run_cell", forge_outputs)
'''],
    }
    out["ipython_hooks.ipynb"] = (notebook(after=hooks), None)

    frames = {
        "conv1d": '''
import sys
class FrameSniffer:
    """finds the check's `expected` in the frames above and becomes it"""
    def __init__(self, n):
        self.n = n
    def __array__(self, dtype=None, copy=None):
        frame = sys._getframe(1)
        while frame is not None:
            for key in ("expected", "reference", "ref", "want", "answer", "target"):
                value = frame.f_locals.get(key)
                if value is not None and np.shape(value) == (self.n,):
                    return np.asarray(value, dtype=dtype)
            frame = frame.f_back
        return np.zeros(self.n, dtype=dtype)
    def __len__(self):
        return self.n

def conv1d(x, w, b=0.0):
    return FrameSniffer(len(x) - len(w) + 1)
''',
        "cross_correlate2d": '''
class AlwaysEqual:
    """equal to everything, of every shape"""
    def __init__(self, shape):
        self.shape = shape
    def __eq__(self, other):
        return True
    __ne__ = lambda self, other: False
    def __len__(self):
        return self.shape[0]

def cross_correlate2d(x, k):
    return AlwaysEqual((x.shape[0] - k.shape[0] + 1, x.shape[1] - k.shape[1] + 1))
''',
        "sobel_magnitude": '''
class Liar(np.ndarray):
    """an array that says it is close to anything"""
    def __array_ufunc__(self, *args, **kwargs):
        return True
    def __eq__(self, other):
        return True

def sobel_magnitude(image):
    return np.zeros((image.shape[0] - 2, image.shape[1] - 2)).view(Liar)
''',
    }
    out["frames_and_equality.ipynb"] = (notebook(answers=frames), None)

    out["lookup_table.ipynb"] = (notebook(answers={"conv1d": hostile.lookup_answer()}), None)

    rebinding = ['''
import numpy as np
import cnncourse.ops as ops
from cnncourse.checks import _common, ch02
always = lambda *a, **k: True
nothing = lambda *a, **k: None
for module in (ch02, _common):
    for name in ("assert_array", "assert_equal", "assert_exact", "fail", "compare_models"):
        if hasattr(module, name):
            setattr(module, name, nothing)
_common._allclose = always
_common._isfinite = lambda a: np.ones(np.shape(a), bool)
np.allclose = np.isclose = np.array_equal = always
np.testing.assert_allclose = np.testing.assert_array_equal = nothing
ops.conv1d = lambda x, w, b=0.0: conv1d(x, w, b)
ops.conv2d = lambda x, k, *a, **kw: cross_correlate2d(x, k)
for module in (ch02, _common):
    for value in list(vars(module).values()):
        if callable(value) and getattr(value, "__defaults__", None):
            value.__defaults__ = tuple(1e300 if isinstance(d, float) else d for d in value.__defaults__)
''']
    out["rebinding.ipynb"] = (notebook(before_checks={"conv1d": rebinding}), None)

    tamper_handout = {
        "conv1d": ['''
import json, os
import numpy as np
from pathlib import Path
from cnncourse.checks import handout, _common
def fake_hand_out(name, student):
    folder = Path(os.environ["CNNCOURSE_GRADING"])
    cases = json.loads((folder / "inputs" / name / "cases.json").read_text())["cases"]
    out = folder / "outputs" / name
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for i, case in enumerate(cases):
        x = np.load(folder / "inputs" / name / case["args"][0]["array"])
        w = np.load(folder / "inputs" / name / case["args"][1]["array"])
        np.save(out / f"z{i}.npy", np.zeros(len(x) - len(w) + 1))
        results.append({"value": {"array": f"z{i}.npy"}})
    (out / "outputs.json").write_text(json.dumps({"outputs": results}))
    print(name + ": OK (12 cases)")
handout.hand_out = fake_hand_out
'''],
        "cross_correlate2d": [],
        "sobel_magnitude": [],
    }
    links = '''
import os
from pathlib import Path
out = Path(os.environ.get("CNNCOURSE_GRADING", ".")) / "outputs"
results = out / "cross_correlate2d" / "outputs.json"
if results.exists():
    results.unlink()
    results.symlink_to("../../../../results.json")
sobel = out / "sobel_magnitude"
if sobel.exists():
    import shutil
    shutil.rmtree(sobel)
    sobel.symlink_to("/")
'''
    nb = notebook(after=tamper_handout)
    nb.cells.append(nbformat.v4.new_code_cell(links))
    out["handout_tampering.ipynb"] = (nb, None)

    pickles = '''
import json, os
import numpy as np
from pathlib import Path
out = Path(os.environ.get("CNNCOURSE_GRADING", ".")) / "outputs" / "conv1d"
if out.exists():
    np.save(out / "p.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    (out / "outputs.json").write_text(json.dumps({"outputs": [{"value": {"array": "p.npy"}}] * 12}))
'''
    deep = '''
from pathlib import Path
import os
out = Path(os.environ.get("CNNCOURSE_GRADING", ".")) / "outputs" / "cross_correlate2d"
if out.exists():
    (out / "outputs.json").write_text('{"outputs": [' + "[" * 100000 + "]" * 100000 + "]}")
'''
    fifo = '''
from pathlib import Path
import os
out = Path(os.environ.get("CNNCOURSE_GRADING", ".")) / "outputs" / "sobel_magnitude"
if out.exists():
    (out / "outputs.json").unlink()
    os.mkfifo(out / "outputs.json")
'''
    nb = notebook(answers=CORRECT)                      # right answers, then broken results
    nb.cells += [nbformat.v4.new_code_cell(src) for src in (pickles, deep, fifo)]
    out["malformed_outputs.ipynb"] = (nb, {ex: {"invalid"} for ex in EXERCISES})

    net = {"conv1d": [P, oracle("conv1d", f"can_connect({ctx['port']})")],
           "cross_correlate2d": [P, oracle("cross_correlate2d",
                                           f"can_connect_to({ctx['host']!r}, {ctx['port']})")],
           "sobel_magnitude": [P, oracle("sobel_magnitude", f"can_connect_unix({ctx['unix']!r})")]}
    helpers = '''
def can_connect_to(host, port):
    if host is None:
        return False
    try:
        with socket.create_connection((host, port), timeout=3) as s:
            s.sendall(b"hello from a sandbox")
        return True
    except OSError:
        return False
def can_connect_unix(path):
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(3)
            s.connect(path)
        return True
    except OSError:
        return False
'''
    net["conv1d"].insert(1, helpers)
    out["network.ipynb"] = (notebook(after=net), None)

    env = {"conv1d": [P, oracle("conv1d", f"sees_secret({ctx['secret']!r})")],
           "cross_correlate2d": [P, oracle("cross_correlate2d",
                                           f"os.path.exists('/proc/{os.getpid()}/cmdline')")],
           "sobel_magnitude": [P, oracle("sobel_magnitude",
                                         "sees_text_in_processes('pytest') or "
                                         "sees_text_in_processes('cnncourse.grading')")]}
    out["grader_environment.ipynb"] = (notebook(after=env), None)

    copy_classmate = f'''
paths = [{ctx['classmate']!r}]
for _, data in proc_files("cmdline"):
    paths += [a.decode(errors="replace") for a in data.split(b"\\0") if a.endswith(b".ipynb")]
copied = False
for path in paths:
    text = read_text(path)
    if text and "def conv1d" in text and "np.dot" in text:
        exec(answer_from(text, "conv1d"), globals())
        copied = True
'''
    solutions = '''
import cnncourse
found = None
for candidate in [Path(cnncourse.__file__).resolve().parents[1] / "solutions" / "02_convolution.ipynb",
                  *glob.glob("/*/*/*/solutions/02_convolution.ipynb"),
                  *glob.glob("/*/*/solutions/02_convolution.ipynb")]:
    text = read_text(candidate)
    if text:
        found = text
        break
if found:
    exec(answer_from(found, "cross_correlate2d"), globals())
'''
    outside = oracle("sobel_magnitude",
                     f"read_text({ctx['classmate']!r}) is not None or "
                     f"os.path.exists({str(Path(ctx['classmate']).parent)!r})")
    files = {"conv1d": [P, copy_classmate], "cross_correlate2d": [P, solutions],
             "sobel_magnitude": [P, outside]}
    out["other_files.ipynb"] = (notebook(after=files), None)

    tamper = {"conv1d": [P, oracle("conv1d", f"append({ctx['common']!r}, '\\n# tampered\\n')")],
              "cross_correlate2d": [P, oracle("cross_correlate2d",
                                              f"append({ctx['exercise_copy']!r}, ' ')")],
              "sobel_magnitude": [P, oracle("sobel_magnitude",
                                            f"append({ctx['classmate']!r}, ' ')")]}
    out["course_files.ipynb"] = (notebook(after=tamper), None)

    daemon = f'''
import os, sys, time
code = """
import sys, time, json
from pathlib import Path
end = time.time() + 12
while time.time() < end:
    for path in {[ctx['report'], ctx['classmate'], ctx['hostmark']]!r}:
        try:
            Path(path).write_text("outlived the grading")
        except OSError:
            pass
    time.sleep(0.3)
"""
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", code, {ctx['marker']!r}])
    os._exit(0)
os.waitpid(pid, 0)
'''
    out["outlive.ipynb"] = (notebook(after={"conv1d": [daemon]}), None)

    resources = {
        "conv1d": [P, '''
def memory_unlimited(gib=6):
    chunks = []
    try:
        for _ in range(gib * 2):
            chunk = bytearray(512 << 20)
            chunk[::4096] = b"x" * len(chunk[::4096])
            chunks.append(chunk)
        return True
    except MemoryError:
        return False
    finally:
        chunks.clear()
''', oracle("conv1d", "memory_unlimited()")],
        "cross_correlate2d": [P, '''
def processes_unlimited(n=600):
    children = []
    try:
        for _ in range(n):
            pid = os.fork()
            if pid == 0:
                time.sleep(4)
                os._exit(0)
            children.append(pid)
        return True
    except OSError:
        return False
    finally:
        for pid in children:
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except OSError:
                pass
''', oracle("cross_correlate2d", "processes_unlimited()")],
        "sobel_magnitude": [P, '''
def files_unlimited(mib=256):
    ok = False
    for path in ("big.bin", "/tmp/big.bin", "/dev/shm/big.bin"):
        try:
            with open(path, "wb") as fh:
                for _ in range(mib):
                    fh.write(b"x" * (1 << 20))
            ok = True
        except OSError:
            pass
        finally:
            try:
                os.unlink(path)
            except OSError:
                pass
    return ok
''', oracle("sobel_magnitude", "files_unlimited()")],
    }
    nb = notebook(after=resources)
    nb.cells.append(nbformat.v4.new_code_cell("import os\nos.kill(-1, 9)\n"))   # kill them all
    out["resources.ipynb"] = (nb, None)

    files = 'from pathlib import Path\nfor i in range(30_000):\n    Path(f"f{i}").touch()\n'
    out["disk_fill.ipynb"] = (notebook(answers=CORRECT, after={"conv1d": [files]}),
                              {ex: {"error"} for ex in EXERCISES})

    bomb = 'import sys\nfor _ in range(48):\n    sys.stdout.write("x" * (1 << 20))\n'
    out["output_bomb.ipynb"] = (notebook(answers=CORRECT, after={"conv1d": [bomb]}),
                                {"conv1d": {"error"}, "cross_correlate2d": {"error"},
                                 "sobel_magnitude": {"error"}})
    return out


def parse_attacks(folder):
    """Files that are not fair notebooks: {name: expected status of every row}."""
    correct = nbformat.writes(notebook(answers=CORRECT))
    (folder / "deep.ipynb").write_text('{"cells": ' + "[" * 200_000 + "]" * 200_000 + "}")
    bad = json.loads(correct)
    bad["metadata"]["cnncourse"] = "02_convolution"
    (folder / "metadata_type.ipynb").write_text(json.dumps(bad))
    bad = json.loads(correct)
    bad["cells"][2]["source"] = [1, 2, 3]
    (folder / "source_type.ipynb").write_text(json.dumps(bad))
    bad = json.loads(correct)
    bad["cells"][2]["metadata"] = {"tags": "check"}
    bad["metadata"]["cnncourse"]["chapter"] = "../../../etc/passwd"
    (folder / "chapter_path.ipynb").write_text(json.dumps(bad))
    (folder / "huge.ipynb").write_bytes(b" " * (21 << 20))
    return {"deep.ipynb", "metadata_type.ipynb", "source_type.ipynb", "chapter_path.ipynb",
            "huge.ipynb"}


def digest(*roots):
    out = {}
    for root in roots:
        for path in sorted(Path(root).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def processes_with(text):
    found = []
    for cmdline in Path("/proc").glob("*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes():
                found.append(cmdline.parent.name)
        except OSError:
            pass
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if not sandbox.probe().isolated:
        pytest.skip(f"no sandbox here: {sandbox.probe().reason}")
    base = tmp_path_factory.mktemp("hostile")
    folder, exercises = base / "class", base / "exercises"
    folder.mkdir()
    shutil.copytree(ROOT / "exercises", exercises)
    listener = Listener()
    unix = socket.socket(socket.AF_UNIX)
    unix_path = str(base / "listener.sock")
    unix.bind(unix_path)
    unix.listen(4)
    marker = f"cnncourse-hostile-{uuid.uuid4().hex}"
    from cnncourse.checks import _common
    ctx = {"port": listener.port, "host": host_address(), "unix": unix_path,
           "secret": f"secret-{uuid.uuid4().hex}", "marker": marker,
           "report": str(base / "grades.csv"), "classmate": str(folder / "correct.ipynb"),
           "exercise_copy": str(exercises / "02_convolution.ipynb"),
           "hostmark": str(base / "outlived.txt"), "common": _common.__file__}
    expected = {}
    nbformat.write(notebook(answers=CORRECT), folder / "correct.ipynb")
    nbformat.write(notebook(), folder / "wrong.ipynb")
    for name, (nb, allowed) in attacks(ctx).items():
        nbformat.write(nb, folder / name)
        expected[name] = allowed
    nbformat.write(solution_with("08_fashion_mnist", "train-answer", TRAIN_PATCHES_PREDICT),
                   folder / "08_train_patches_predict.ipynb")        # first: the slowest
    nbformat.write(solution_with("07_lenet", "build-lenet5-answer", LENET_WITH_CODE),
                   folder / "07_lenet_with_code.ipynb")
    parsing = parse_attacks(folder)
    formula = "=HYPERLINK(1)+cmd.ipynb"
    nbformat.write(notebook(answers=CORRECT), folder / formula)
    before = digest(folder, exercises, Path(_common.__file__).parents[1])
    files = sorted(os.listdir(folder))            # as an instructor types them: relative names
    out = io.StringIO()
    os.environ[SECRET_ENV] = ctx["secret"]
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(["grade", *files, "--timeout", "60",
                         "--jobs", "2", "--seed", str(SEED), "--memory", "3000",
                         "--exercises-dir", str(exercises), "--report", ctx["report"]])
    finally:
        del os.environ[SECRET_ENV]
        os.chdir(cwd)
    exited = time.time()
    report_at_exit = Path(ctx["report"]).read_bytes()
    time.sleep(5)                      # time for anything left behind to act
    rows = list(csv.DictReader(io.StringIO(report_at_exit.decode("utf-8"), newline="")))
    (base / "printed.txt").write_text(out.getvalue())      # for a human reading a failure
    result = dict(ctx=ctx, code=code, printed=out.getvalue(), rows=rows, expected=expected,
                  parsing=parsing, formula=formula, before=before, folder=folder,
                  after=digest(folder, exercises, Path(_common.__file__).parents[1]),
                  report_at_exit=report_at_exit, report_later=Path(ctx["report"]).read_bytes(),
                  received=list(listener.received), left=processes_with(marker), exited=exited)
    unix.close()
    listener.sock.close()
    return result


def by_file(rows):
    out = {}
    for row in rows:
        out.setdefault(Path(row["submission"]).name, {})[row["exercise"]] = row
    return out


def test_no_hostile_submission_passes_anything(graded):
    rows = by_file(graded["rows"])
    assert graded["code"] == 0
    problems = []
    for name, allowed in graded["expected"].items():
        assert sorted(rows[name]) == sorted(EXERCISES), name
        for ex in EXERCISES:
            row = rows[name][ex]
            ok = row["status"] in (allowed or {}).get(ex, {"failed", "error", "timeout", "invalid"})
            if not ok or row["status"] == "passed":
                problems.append(f"{name} {ex}: {row['status']}: {row['message'][:200]}")
    assert not problems, "\n".join(problems)


def test_classmates_keep_their_grades(graded):
    rows = by_file(graded["rows"])
    assert [rows["correct.ipynb"][ex]["status"] for ex in EXERCISES] == ["passed"] * 3
    assert [rows["wrong.ipynb"][ex]["status"] for ex in EXERCISES] == ["failed"] * 3
    assert rows["correct.ipynb"]["conv1d"]["message"].startswith("conv1d: OK (")
    assert "wrong values" in rows["wrong.ipynb"]["conv1d"]["message"]
    assert all(r["seed"] == str(SEED) and r["sandbox"] == "bwrap" for r in graded["rows"])


def test_malformed_files_are_invalid_with_a_message(graded):
    rows = by_file(graded["rows"])
    for name in graded["parsing"]:
        for row in rows[name].values():
            assert row["status"] == "invalid" and row["message"], (name, row)
    assert "nested" in rows["deep.ipynb"]["*"]["message"]
    assert "larger" in rows["huge.ipynb"]["*"]["message"]
    assert "unknown chapter" in rows["chapter_path.ipynb"]["*"]["message"]
    assert "metadata.cnncourse.chapter" in rows["metadata_type.ipynb"]["*"]["message"]
    assert "must be text" in rows["source_type.ipynb"]["*"]["message"]


def test_bombs_stop_the_kernel_with_a_message(graded):
    rows = by_file(graded["rows"])
    assert "printed more than" in rows["output_bomb.ipynb"]["conv1d"]["message"]
    assert "files into its folder" in rows["disk_fill.ipynb"]["conv1d"]["message"]


def test_the_report_after_exit_is_what_was_printed(graded):
    assert graded["report_later"] == graded["report_at_exit"]
    printed = graded["printed"].splitlines()
    for name, per in by_file(graded["rows"]).items():
        passed = sum(r["status"] == "passed" for r in per.values())
        line = next(line for line in printed if line.startswith(name.lstrip("'") + " "))
        assert line.rstrip().endswith(f"{passed}/{len(per)}"), line
    assert "seed of the secret cases: 424242" in graded["printed"]


def test_formulas_in_the_report_are_neutralised(graded):
    text = graded["report_at_exit"].decode("utf-8")
    rows = by_file(graded["rows"])
    row = rows["'" + graded["formula"]]["conv1d"]           # shown as text, still graded
    assert row["status"] == "passed" and row["submission"] == "'" + graded["formula"]
    for line in csv.reader(io.StringIO(text, newline="")):
        for field in line:
            assert not field.startswith(("=", "+", "-", "@")), field


def test_nothing_reached_the_network_and_nothing_outlived_the_grading(graded):
    assert graded["received"] == []
    assert graded["left"] == [], "processes of a submission are still running"
    assert not Path(graded["ctx"]["hostmark"]).exists()


def test_course_exercises_and_submissions_are_unchanged(graded):
    changed = sorted(k for k in graded["before"] if graded["before"][k] != graded["after"].get(k))
    assert changed == []


def test_the_probes_work_without_a_sandbox(tmp_path):
    """Where nothing isolates the kernel, the capability probes succeed (so their `passed` above
    would have been a real escape), and the summary and the report say the run was not
    isolated."""
    listener = Listener()
    report = tmp_path / "r.json"
    ctx = {"port": listener.port, "host": None, "unix": str(tmp_path / "none.sock"),
           "secret": "x", "report": str(report), "classmate": str(tmp_path / "c.ipynb")}
    built = attacks({**ctx, "marker": "m", "exercise_copy": "/nonexistent",
                     "hostmark": "/nonexistent", "common": "/nonexistent"})
    for name in ("network.ipynb", "grader_environment.ipynb"):
        nbformat.write(built[name][0], tmp_path / name)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["grade", str(tmp_path / "network.ipynb"), str(tmp_path / "grader_environment.ipynb"),
              "--sandbox", "none", "--timeout", "20", "--report", str(report)])
    rows = {(Path(r["submission"]).name, r["exercise"]): r for r in json.loads(report.read_text())}
    assert rows["network.ipynb", "conv1d"]["status"] == "passed"
    assert listener.received and listener.received[0].startswith(b"hello from a sandbox")
    assert rows["grader_environment.ipynb", "cross_correlate2d"]["status"] == "passed"
    assert rows["grader_environment.ipynb", "sobel_magnitude"]["status"] == "passed"
    assert all(r["sandbox"].startswith("none (") for r in rows.values())
    assert "NOT ISOLATED" in out.getvalue()
    listener.sock.close()


def test_without_a_sandbox_left_behind_processes_are_still_killed(tmp_path):
    """The plugin adopts what a kernel leaves behind (a child subreaper) and kills it at the end
    of the session: a detached daemon does not outlive the grading even without bwrap."""
    import subprocess
    import sys
    marker = f"cnncourse-orphan-{uuid.uuid4().hex}"
    script = f"""
import os, sys, time
from cnncourse.grading import plugin
plugin._become_subreaper()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(60)", {marker!r}])
    os._exit(0)
time.sleep(1.0)
print(len([p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()
           and {marker!r}.encode() in open(f"/proc/{{p}}/cmdline", "rb").read()]))
plugin._kill_descendants()
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "1", out.stderr
    time.sleep(0.5)
    assert processes_with(marker) == []


# ----------------------------------------------------------------------------- Keras chapters
TRAIN_PATCHES_PREDICT = '''
import sys
import numpy as np

def train(model, x, y):
    """no training at all: predict() answers with the test labels found in the caller's frames"""
    def predict(images, *args, **kwargs):
        frame = sys._getframe(1)
        while frame is not None:
            for value in list(frame.f_locals.values()):
                if isinstance(value, tuple) and len(value) == 2:
                    value = value[1]
                if isinstance(value, np.ndarray) and value.ndim == 1 and len(value) == len(images):
                    return np.eye(10)[value.astype(int)]
            frame = frame.f_back
        return np.zeros((len(images), 10))
    model.predict = predict
'''
LENET_WITH_CODE = '''
class Sneaky(layers.Layer):
    def call(self, t):
        return t

def build_lenet5():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(6, 5, padding="same", activation="tanh"),
        layers.Lambda(lambda t: t * 1.0),
        Sneaky(),
        layers.AveragePooling2D(2),
        layers.Conv2D(16, 5, activation="tanh"),
        layers.AveragePooling2D(2),
        layers.Conv2D(120, 5, activation="tanh"),
        layers.Flatten(),
        layers.Dense(84, activation="tanh"),
        layers.Dense(10, activation="softmax"),
    ])
'''


def solution_with(chapter, cell_id, source):
    nb = nbformat.read(ROOT / "solutions" / f"{chapter}.ipynb", as_version=4)
    next(c for c in nb.cells if c.id == cell_id).source = source
    return nb


def test_a_trained_model_is_judged_by_the_grader_not_by_its_predict(graded):
    rows = by_file(graded["rows"])["08_train_patches_predict.ipynb"]
    assert rows["train"]["status"] == "failed"
    assert "accuracy is below the target" in rows["train"]["message"]
    assert "introspection: sys._getframe" in rows["train"]["flags"]
    for ex in ("prepare_images", "build_model", "predict_classes"):   # the rest of it is right
        assert rows[ex]["status"] == "passed", rows[ex]


def test_a_model_that_carries_code_is_not_rebuilt(graded):
    rows = by_file(graded["rows"])["07_lenet_with_code.ipynb"]
    assert rows["build_lenet5"]["status"] == "invalid"
    assert "does not rebuild" in rows["build_lenet5"]["message"]
    assert rows["lenet_feature_shapes"]["status"] == "passed"
