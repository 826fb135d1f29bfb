"""The sandbox of one submission (cnncourse.grading.sandbox + launch.py), checked from inside:
an unprivileged user, nothing of the grader's environment, no network, its own processes,
the course read-only and alone (no solutions), its box the only writable folder, the datasets
hidden, hard limits -- and when its launcher goes, every process in it goes too."""
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from cnncourse.grading import protocol, sandbox
from cnncourse.grading.sandbox import LAUNCHER, Sandbox

BOX = sandbox.probe()
pytestmark = pytest.mark.skipif(not BOX.isolated, reason=f"no sandbox here: {BOX.reason}")
ROOT = Path(__file__).resolve().parents[1]


def run_inside(tmp_path, code, limits=None, timeout=60):
    """Run python code in a fresh sandbox through launch.py; returns (returncode, stdout)."""
    box = sandbox.prepare_box(tmp_path / "box", BOX, slot=97)
    config = sandbox.launch_config(box, BOX, slot=97, limits=limits)
    n = len(sandbox.kernel_argv())
    config["argv"] = config["argv"][:-n] + [sys.executable, "-c", textwrap.dedent(code)]
    (tmp_path / "launch.json").write_text(json.dumps(config))
    (box / "conn").write_text("")
    proc = subprocess.run([sys.executable, str(LAUNCHER), str(tmp_path / "launch.json"),
                           str(box / "conn")], capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


FACTS = r'''
import json, os, resource, socket, sys
from pathlib import Path
import cnncourse
def tries(f):
    try:
        f()
        return True
    except OSError:
        return False
port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
course = Path(cnncourse.__file__).resolve().parent
facts = {
    "uid": os.getuid(), "euid": os.geteuid(), "env": sorted(os.environ),
    "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "connect": tries(lambda: socket.create_connection(("127.0.0.1", PORT), timeout=2)),
    "write_course": tries(lambda: open(course / "checks" / "_common.py", "a")),
    "write_venv": tries(lambda: open(Path(sys.prefix) / "x", "w")),
    "course_root": sorted(os.listdir(course.parent)),
    "write_box": tries(lambda: open("box-file", "w").write("x")),
    "write_tmp": tries(lambda: open("/tmp/x", "w").write("x")),
    "root_home": tries(lambda: os.listdir("/root/.cache")),
    "grader_tmp": sorted(os.listdir(Path.cwd().parent)),
    "datasets": os.listdir("/usr/share/datasets") if os.path.isdir("/usr/share/datasets") else None,
    "limits": {n: resource.getrlimit(getattr(resource, n)) for n in
               ("RLIMIT_AS", "RLIMIT_FSIZE", "RLIMIT_CPU", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_CORE")},
    "home": os.environ.get("HOME"), "cwd": os.getcwd(),
    "hostname": socket.gethostname(),
}
print(json.dumps(facts))
'''


@pytest.fixture(scope="module")
def facts(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("facts")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    os.environ["CNNCOURSE_TEST_GRADER_SECRET"] = "secret"
    try:
        code, out, err = run_inside(tmp, FACTS.replace("PORT", str(listener.getsockname()[1])))
    finally:
        del os.environ["CNNCOURSE_TEST_GRADER_SECRET"]
        listener.close()
    assert code == 0, err
    return json.loads(out), tmp


def test_an_unprivileged_user_with_a_small_environment(facts):
    got, tmp = facts
    assert got["uid"] != 0 and got["euid"] != 0
    assert set(got["env"]) <= set(sandbox.kernel_env(tmp / "box")) | {"PWD"}
    assert "CNNCOURSE_TEST_GRADER_SECRET" not in got["env"]
    assert got["home"] == str(tmp / "box" / protocol.HOME) and got["cwd"] == str(tmp / "box")


def test_no_network_and_no_other_processes(facts):
    got, _ = facts
    assert not got["connect"]
    assert os.getpid() not in got["pids"] and len(got["pids"]) <= 3
    assert got["hostname"] == "grading"


def test_the_course_alone_and_read_only(facts):
    got, tmp = facts
    # no solutions/, no exercises/: the package alone, and the venv when it lives in the
    # checkout (make's .venv; bound read-only, it holds no answers)
    root = sandbox.course_package().parent
    venv = Path(sys.prefix).resolve()
    inside = [venv.relative_to(root).parts[0]] if venv.is_relative_to(root) else []
    assert got["course_root"] == sorted(["cnncourse", *inside])
    assert not got["write_course"] and not got["write_venv"]
    assert got["write_box"] and got["write_tmp"]
    assert not got["root_home"]
    assert got["grader_tmp"] == ["box"]                     # not the grader's private files
    assert got["datasets"] in (None, [])


def test_hard_limits(facts):
    got, _ = facts
    limits = protocol.DEFAULT_LIMITS
    assert got["limits"]["RLIMIT_AS"] == [limits["memory"]] * 2
    assert got["limits"]["RLIMIT_FSIZE"] == [limits["file_size"]] * 2
    assert got["limits"]["RLIMIT_CPU"] == [limits["cpu_seconds"]] * 2
    assert got["limits"]["RLIMIT_NOFILE"] == [limits["open_files"]] * 2
    assert got["limits"]["RLIMIT_CORE"] == [0, 0]
    soft, hard = got["limits"]["RLIMIT_NPROC"]
    assert soft == hard and limits["processes"] <= hard < 100_000


def test_limits_bite(tmp_path):
    code, out, err = run_inside(tmp_path, """
        import os
        try:
            bytearray(600 << 20)
            print("memory: allowed")
        except MemoryError:
            print("memory: refused")
        try:
            with open("big", "wb") as fh:
                fh.write(b"x" * (20 << 20))
            print("file: allowed")
        except OSError:
            print("file: refused")
        try:
            with open("/tmp/big", "wb") as fh:
                for _ in range(40):
                    fh.write(b"x" * (1 << 20))
            print("tmp: allowed")
        except OSError:
            print("tmp: refused")
        pids = []
        try:
            for _ in range(200):
                pid = os.fork()
                if pid == 0:
                    import time; time.sleep(2); os._exit(0)
                pids.append(pid)
            print("fork: allowed")
        except OSError:
            print("fork: refused")
        """, limits={"memory": 400 << 20, "file_size": 10 << 20, "tmp_size": 16 << 20,
                     "processes": 50})
    assert code == 0, err
    assert out.split("\n")[:4] == ["memory: refused", "file: refused", "tmp: refused",
                                   "fork: refused"], out


def test_every_process_goes_with_the_launcher(tmp_path):
    """A detached grandchild (new session) dies when the kernel's launcher is killed."""
    marker = f"cnncourse-test-{uuid.uuid4().hex}"
    box = sandbox.prepare_box(tmp_path / "box", BOX, slot=96)
    config = sandbox.launch_config(box, BOX, slot=96)
    n = len(sandbox.kernel_argv())
    code = ("import os, sys, time\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            f"        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(60)', {marker!r}])\n"
            "    os._exit(0)\n"
            "time.sleep(60)\n")
    config["argv"] = config["argv"][:-n] + [sys.executable, "-c", code]
    (tmp_path / "launch.json").write_text(json.dumps(config))
    (box / "conn").write_text("")
    proc = subprocess.Popen([sys.executable, str(LAUNCHER), str(tmp_path / "launch.json"),
                             str(box / "conn")])

    def alive():           # bwrap, the sandbox's init, the Python and its detached grandchild
        return [p for p in Path("/proc").glob("*/cmdline")
                if p.exists() and marker.encode() in _read(p)]

    def grandchild():
        return [p for p in alive() if b"os.setsid" not in _read(p)]
    deadline = time.time() + 60                   # a loaded machine starts Python slowly
    while not grandchild() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert grandchild(), f"the detached grandchild did not start: {alive()}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 30
    while alive() and time.time() < deadline:
        time.sleep(0.1)
    assert not alive()


def _read(path):
    try:
        return path.read_bytes()
    except OSError:
        return b""


def test_without_bwrap_the_run_says_why():
    assert not sandbox.probe("told so").isolated
    assert sandbox.probe("told so").describe() == "none (told so)"
    assert Sandbox("bwrap").describe() == "bwrap"


def test_a_course_under_tmp_is_bound_over_the_private_tmp(monkeypatch, tmp_path):
    """A CI clone lives under /tmp: its venv and package must be bound after the sandbox's own
    /tmp is mounted, or the kernel's python is hidden ("execvp ... No such file")."""
    venv = "/tmp/some-clone/.venv/lib/python3/site-packages"
    monkeypatch.setattr(sandbox, "python_dirs", lambda: [venv])
    argv = sandbox.bwrap_argv(tmp_path, uid=None)
    tmp_mount = max(i for i, a in enumerate(argv) if a == "/tmp" and argv[i - 1] == "--tmpfs")
    binds = [i for i, a in enumerate(argv) if a == "--ro-bind" and argv[i + 1] == venv]
    assert binds and min(binds) > tmp_mount, argv
