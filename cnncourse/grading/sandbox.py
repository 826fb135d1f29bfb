"""One sandbox per submission: the kernel runs inside bubblewrap (``bwrap``, what Flatpak uses).

What the kernel of a graded notebook gets (``launch_config``):

* its own user, PID, network, IPC, UTS and cgroup namespaces (``--unshare-all``): no network at
  all (a loopback of its own: a 127.0.0.1 listener of the machine is out of reach), no view of
  the grader or of other submissions' processes (its own ``/proc``), and ``--die-with-parent``:
  when the kernel goes, every process it started goes with it (the PID namespace ends);
* a filesystem made of read-only binds of what Python needs -- ``/usr``, ``/etc``, the Python
  installation, the virtual environment and the ``cnncourse`` package (not the rest of the
  course checkout: no solutions, no exercises folder) -- with the datasets hidden (the grader's
  held-out images stay outside), a private ``/tmp`` and ``/dev/shm`` of limited size, and one
  writable folder, the submission's box (its working copy: connection file, IPC sockets,
  ``home/``, ``handout/``);
* an unprivileged user: run as root, the grader gives each sandbox a uid of its own; otherwise the
  sandbox maps to the grader's uid, whose other files it cannot see (they are not bound);
* hard resource limits set by ``launch.py`` (address space, processes, file size, CPU time, open
  files) and a small environment (nothing of the grader's).

Where bwrap is missing or cannot create namespaces (macOS, Windows, containers without user
namespaces) ``probe`` says why; the kernel then runs without isolation (same limits and
environment, and as another uid when the grader is root), and the summary and every report row
say that the run was not isolated.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from cnncourse.grading import protocol
from cnncourse.i18n import N_

LAUNCHER = Path(__file__).with_name("launch.py")
INSIDE_UID = 1000                  # the student's uid as the kernel sees it
_UID_BASE = 1_500_000_000          # uids given to sandboxes when the grader is root


@dataclass(frozen=True)
class Sandbox:
    """How kernels run in this grading run: ``kind`` is "bwrap" or "none"; ``reason`` says
    why a run is not isolated."""
    kind: str
    reason: str = ""

    @property
    def isolated(self):
        return self.kind == "bwrap"

    def describe(self):
        return "bwrap" if self.isolated else f"none ({self.reason})"


def course_package():
    """The folder of the imported ``cnncourse`` package (bound read-only, alone)."""
    import cnncourse
    return Path(cnncourse.__file__).resolve().parent


def python_dirs():
    """Folders the kernel's Python needs, bound read-only: its installation, the virtual
    environment, and every folder on the grader's sys.path (.pth files add some) -- except the
    course checkout the package comes from (that would show the solutions) and the current
    folder."""
    course_root = str(course_package().parent)
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
            os.path.dirname(os.path.realpath(sys.executable)),
            sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
            *site.getsitepackages(), *(p for p in sys.path if p and os.path.isabs(p))}
    real = sorted({os.path.realpath(d) for d in dirs if d and os.path.isdir(d)})
    keep = []
    for d in real:                     # the outermost folders only; /usr is bound already
        if d == "/" or any(d == k or d.startswith(k + os.sep) for k in keep):
            continue
        if d == "/usr" or d.startswith("/usr" + os.sep) or d == os.path.realpath(os.getcwd()):
            continue
        if course_root == d or course_root.startswith(d + os.sep):
            continue                   # the checkout (or a folder above it): solutions inside
        keep.append(d)
    return keep


def hidden_dirs():
    """Folders the kernel must not read even where they sit inside a bound folder: the
    datasets (the grader's held-out test images come from there)."""
    from cnncourse import data
    dirs = [str(data.DEBIAN_DIR.parent), data.keras_cache_dir()]
    if os.environ.get("CNNCOURSE_DATA"):
        dirs.append(os.environ["CNNCOURSE_DATA"])
    return sorted({os.path.realpath(d) for d in dirs if os.path.isdir(d)})


def kernel_env(box):
    """The kernel's whole environment."""
    course = course_package()
    env = {
        "HOME": str(Path(box) / protocol.HOME),
        "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin",
                                 "/bin"]),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(course.parent),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "MPLBACKEND": "Agg",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "TMPDIR": "/tmp",
        protocol.KERNEL_DIR_ENV: str(Path(box) / protocol.HANDOUT),
    }
    for name in ("CNNCOURSE_LANG", "KERAS_BACKEND", "TF_ENABLE_ONEDNN_OPTS"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def kernel_argv():
    return [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]


def bwrap_argv(box, limits=None, uid=None):
    """The bwrap command that runs the kernel with box as its only writable folder.

    uid None (the grader is not root): bwrap makes a user namespace, the kernel is uid 1000
    inside and the grader's uid outside. uid given (the grader is root): bwrap builds the
    sandbox with root's rights and no user namespace, and launch.py --inside then becomes uid
    for good before it starts the kernel.
    """
    limits = {**protocol.DEFAULT_LIMITS, **(limits or {})}
    box = os.path.realpath(box)
    argv = [shutil.which("bwrap") or "bwrap"]
    if uid is None:
        argv += ["--unshare-all", "--uid", str(INSIDE_UID), "--gid", str(INSIDE_UID)]
    else:
        argv += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                 "--unshare-cgroup-try", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    argv += ["--die-with-parent", "--new-session", "--clearenv", "--hostname", "grading"]
    made = {"/"}

    def parents(path):             # mount points' parents: 0755, not bwrap's default 0700
        out = []
        for parent in reversed(Path(path).parents):
            if str(parent) not in made:
                made.add(str(parent))
                out += ["--perms", "0755", "--dir", str(parent)]
        made.add(str(path))
        return out

    # the private /tmp first: a course or venv that lives under /tmp (a CI clone) is bound on
    # top of it below, instead of being hidden by it
    size = str(int(limits["tmp_size"]))
    argv += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", size, "--tmpfs",
             "/dev/shm", "--remount-ro", "/dev", "--perms", "1777", "--size", size, "--tmpfs",
             "/tmp"]
    made.update(["/proc", "/dev", "/tmp"])
    bound = ["/usr", "/etc", *python_dirs(), str(course_package())]
    for d in bound:
        argv += parents(d) + ["--ro-bind", d, d]
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(name):
            argv += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            argv += ["--ro-bind", name, name]
    for d in hidden_dirs():
        if any(d == b or d.startswith(b + os.sep) for b in bound):
            argv += ["--tmpfs", d, "--remount-ro", d]
    argv += parents(box) + ["--bind", box, box, "--remount-ro", "/", "--chdir", box]
    for key, value in kernel_env(box).items():
        argv += ["--setenv", key, value]
    argv.append("--")
    if uid is not None:
        argv += [sys.executable, str(LAUNCHER), "--inside", str(uid),
                 json.dumps(_rlimits(limits)), "--"]
    return argv + kernel_argv()


def _rlimits(limits):
    return {k: int(limits[k]) for k in ("memory", "file_size", "cpu_seconds", "open_files",
                                        "processes")}


def is_root():
    return getattr(os, "geteuid", lambda: -1)() == 0       # Windows has no uids


def sandbox_uid(slot):
    """The uid of a sandbox when the grader is root: one per concurrent sandbox of this grader."""
    return _UID_BASE + (os.getpid() % 100_000) * 100 + slot % 100


@functools.lru_cache(maxsize=None)
def others_can_run_python():
    """Whether a user other than the grader can reach the Python and the course (every folder
    on the way world-searchable): if not, a run without bwrap cannot change its uid."""
    for target in [os.path.realpath(sys.executable), *python_dirs(), str(course_package())]:
        path = Path(target)
        for folder in [path, *path.parents]:
            try:
                if folder.is_dir() and not folder.stat().st_mode & 0o001:
                    return False
            except OSError:
                return False
    return True


def kernel_uid(sandbox, slot):
    """The uid the kernel of a sandbox slot runs as (outside any namespace), or None for the
    grader's own uid (the grader is not root, or the Python is out of reach of other users)."""
    if not is_root() or not (sandbox.isolated or others_can_run_python()):
        return None
    return sandbox_uid(slot)


def launch_config(box, sandbox, slot=0, limits=None):
    """What launch.py does for one kernel (see there): written to the private folder."""
    limits = {**protocol.DEFAULT_LIMITS, **(limits or {})}
    root = is_root()
    uid = kernel_uid(sandbox, slot)
    if sandbox.isolated:
        return {"argv": bwrap_argv(box, limits, uid), "env": {}, "cwd": str(box), "uid": uid,
                "limits": _rlimits(limits), "limits_outside": not root, "drop_outside": False}
    return {"argv": kernel_argv(), "env": kernel_env(box), "cwd": str(box), "uid": uid,
            "limits": _rlimits(limits), "limits_outside": True, "drop_outside": uid is not None}


def prepare_box(box, sandbox, slot=0):
    """Create the box folder (and its home and handout) owned by the sandbox's user."""
    box = Path(box)
    for sub in ("", protocol.HOME, protocol.HANDOUT):
        (box / sub).mkdir(mode=0o700, exist_ok=True)
    uid = kernel_uid(sandbox, slot)
    if uid is not None:
        for sub in ("", protocol.HOME, protocol.HANDOUT):
            os.chown(box / sub, uid, uid)
    return box


@functools.lru_cache(maxsize=None)
def probe(force_none_reason=None):
    """The Sandbox this machine gives: bwrap if a Python that imports ipykernel runs in it."""
    if force_none_reason:
        return Sandbox("none", force_none_reason)
    if not sys.platform.startswith("linux"):
        return Sandbox("none", f"bubblewrap needs Linux, this is {sys.platform}")
    if not shutil.which("bwrap"):
        return Sandbox("none", N_("bwrap is not installed (Debian/Ubuntu: apt-get install "
                                  "bubblewrap)"))
    import tempfile
    with tempfile.TemporaryDirectory(prefix="cnncourse-probe-") as tmp:
        box = prepare_box(Path(tmp) / "box", Sandbox("bwrap"), slot=99)
        config = launch_config(box, Sandbox("bwrap"), slot=99)
        argv = config["argv"]
        config["argv"] = argv[:len(argv) - len(kernel_argv())] + [
            sys.executable, "-c", "import importlib.util as u; print(u.find_spec('ipykernel') and 'ok')"]
        (Path(tmp) / "launch.json").write_text(json.dumps(config), encoding="utf-8")
        (box / "conn").write_text("", encoding="utf-8")
        try:
            proc = subprocess.run([sys.executable, str(LAUNCHER), str(Path(tmp) / "launch.json"),
                                   str(box / "conn")], capture_output=True, text=True,
                                  timeout=60, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as err:
            return Sandbox("none", f"bwrap could not start: {err}")
    if proc.returncode != 0 or proc.stdout.strip() != "ok":
        why = (proc.stderr.strip().splitlines() or ["no message"])[-1][:200]
        return Sandbox("none", f"bwrap cannot run here: {why}")
    return Sandbox("bwrap")
