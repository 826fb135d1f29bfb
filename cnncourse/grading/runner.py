"""Grading submissions: one private folder and one sandboxed kernel per submission, many at once
(local threads, or a Dask distributed cluster with ``--scheduler``).

``grade_one`` works on bytes and plain data only (the submission's content, the pristine
notebook as JSON, the options), so the same call runs in a thread here or on a Dask worker
elsewhere; it returns plain dicts (report rows).
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import itertools
import json
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from cnncourse.grading import protocol, sandbox, scan, verdict
from cnncourse.grading.notebook import (Invalid, build_graded, exercises_of, read_submission)
from cnncourse.grading.report import Row

DEFAULT_CELL_TIMEOUT = 120.0
#: pytest's main in the trusted process of one submission: its address space limited (a
#: handed-out model config that asks for absurd layers fails there, not on the machine), without
#: the costly rfc3987_syntax import (see cnncourse.grading)
PYTEST_MAIN = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY)); "
               "sys.modules.setdefault('rfc3987_syntax', None); import pytest; "
               "sys.exit(pytest.main(sys.argv[1:]))")


@dataclass
class Options:
    """Everything a grading run decides once, for every submission (plain data: it travels to
    Dask workers)."""
    chapter: str | None = None
    cell_timeout: float = DEFAULT_CELL_TIMEOUT
    total_timeout: float | None = None
    seed: int = field(default_factory=lambda: secrets.randbits(31))
    sandbox: str = "auto"              # "auto": bwrap where it runs; "none": never; "require"
    limits: dict = field(default_factory=dict)

    def total(self):
        return self.total_timeout or (120 + 4 * self.cell_timeout)


_slots = itertools.count()
_slots_lock = threading.Lock()


def _next_slot():
    with _slots_lock:
        return next(_slots) % 100


def resolve_sandbox(mode):
    """The Sandbox for a run: mode "auto", "none" or "require" (RuntimeError if unavailable)."""
    if mode == "none":
        return sandbox.probe("the grader was told not to use a sandbox (--sandbox none)")
    box = sandbox.probe()
    if mode == "require" and not box.isolated:
        raise RuntimeError(f"no sandbox: {box.reason}")
    return box


def grade_one(name, raw, pristine, options, box_kind=None):
    """Grade one submission. name: how the report names it; raw: its bytes; pristine:
    {chapter: pristine notebook as a JSON string}; options: Options (or its dict).
    Returns report rows as dicts."""
    if isinstance(options, dict):
        options = Options(**options)
    box_kind = box_kind or resolve_sandbox(options.sandbox)
    common = {"seed": str(options.seed), "sandbox": box_kind.describe()}
    expected = options.chapter
    try:
        if expected and expected not in pristine:
            raise Invalid(f"unknown chapter {expected!r}")
        student = read_submission(raw)
        own = student["chapter"]
        if expected and own != expected:
            raise Invalid(f"wrong notebook: this is chapter {own}, expected {expected}")
        if own not in pristine:
            raise Invalid(f"unknown chapter {own!r}: expected one of {', '.join(sorted(pristine))}")
        original = nbformat.reads(pristine[own], as_version=4)
        graded = build_graded(student, original)
    except Invalid as err:
        names = exercises_of(nbformat.reads(pristine[expected], as_version=4)) \
            if expected in pristine else ["*"]
        return [asdict(Row(name, ex, "invalid", str(err), **common)) for ex in names]
    names = exercises_of(original)
    flags = scan.flags(graded, own)
    slot = _next_slot()
    root = Path(tempfile.mkdtemp(prefix="cnncourse-grade-", dir=_temp_root()))
    try:
        records, info = _run(graded, own, names, root, options, box_kind, slot)
    finally:
        uid = sandbox.kernel_uid(box_kind, slot)
        if uid is not None:
            _kill_uid(uid)
        shutil.rmtree(root, ignore_errors=True)
    rows = []
    for ex in names:
        status, message = verdict.classify(ex, records, info, options.cell_timeout)
        rows.append(asdict(Row(name, ex, status, message, flags=flags.get(ex, ""), **common)))
    return rows


def _temp_root():
    """A short temporary folder (IPC socket paths must stay under 107 bytes)."""
    root = tempfile.gettempdir()
    return root if len(root) < 40 else "/tmp"


def _run(graded, chapter, names, root, options, box_kind, slot):
    """Run nbval + our plugin on the graded copy in root; returns (results, info)."""
    os.chmod(root, 0o700)
    box = sandbox.prepare_box(root / protocol.BOX, box_kind, slot)
    nbformat.write(graded, root / protocol.NOTEBOOK)
    (root / protocol.PYTEST_INI).write_text("[pytest]\n", encoding="utf-8")
    launch = sandbox.launch_config(box, box_kind, slot, options.limits)
    (root / protocol.LAUNCH_CONFIG).write_text(json.dumps(launch), encoding="utf-8")
    config = {"private": str(root), "box": str(box), "launch": str(root / protocol.LAUNCH_CONFIG),
              "chapter": chapter, "exercises": names, "seed": options.seed,
              "cell_timeout": options.cell_timeout, "isolated": box_kind.isolated,
              "uid": sandbox.kernel_uid(box_kind, slot),
              "judge": True}
    (root / protocol.RUN_CONFIG).write_text(json.dumps(config), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CNNCOURSE_GRAD", "PYTEST_"))}
    env.update({protocol.CONFIG_ENV: str(root / protocol.RUN_CONFIG),
                "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONDONTWRITEBYTECODE": "1",
                "TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg"})
    memory = max(protocol.GRADER_MEMORY, launch["limits"]["memory"])   # the kernel's is lower
    cmd = [sys.executable, "-c", PYTEST_MAIN.replace("MEMORY", str(memory)), "-q", "-p", "nbval.plugin", "-p",
           "cnncourse.grading.plugin", "-p", "no:cacheprovider", "-c", str(root / protocol.PYTEST_INI),
           "--rootdir", str(root), "--nbval-lax", "--nbval-cell-timeout",
           str(options.cell_timeout), str(root / protocol.NOTEBOOK)]
    info = {"overall_timeout": False, "returncode": None, "output": ""}
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    tail = _Tail(proc.stdout)
    try:
        proc.wait(timeout=options.total())
    except subprocess.TimeoutExpired:
        info["overall_timeout"] = True
    finally:
        try:
            if hasattr(os, "killpg"):
                os.killpg(proc.pid, signal.SIGKILL)  # pytest, and bwrap dies with its parent
            else:
                proc.kill()
        except ProcessLookupError:
            pass
        proc.wait()
        tail.join()
    info["returncode"], info["output"] = proc.returncode, tail.text()
    results = {}
    path = root / protocol.RESULTS
    if path.is_file() and not path.is_symlink():
        try:
            results = json.loads(path.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError):
            results = {}
    info["output_limit"] = bool(results.get("output_limit"))
    return results, info


class _Tail(threading.Thread):
    """Reads a pipe to its end, keeping only the last MAX_PROCESS_OUTPUT bytes."""

    def __init__(self, pipe):
        super().__init__(daemon=True)
        self.pipe, self.buf = pipe, bytearray()
        self.start()

    def run(self):
        while chunk := self.pipe.read1(65536):
            self.buf += chunk
            del self.buf[:-protocol.MAX_PROCESS_OUTPUT]

    def text(self):
        return self.buf.decode("utf-8", "replace")


def _kill_uid(uid):
    """Kill every process of a sandbox's uid (a run without bwrap has no PID namespace)."""
    for _ in range(3):
        found = False
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    if os.stat(f"/proc/{pid}").st_uid == uid:
                        os.kill(int(pid), signal.SIGKILL)
                        found = True
                except OSError:
                    pass
        if not found:
            return
        time.sleep(0.05)


# ----------------------------------------------------------------------------- a class
def grade(paths, options=None, jobs=None, exercises_dir=None, progress=None, scheduler=None):
    """Grade many submissions in parallel; rows (dicts) come back in the order of paths.

    scheduler: the address of a Dask distributed scheduler ("tcp://host:8786"), or a
    distributed.Client; None grades on this machine with `jobs` threads (default: the CPUs).
    """
    from cnncourse.checks import CHAPTERS
    from cnncourse import paths as course_paths
    options = options or Options()
    pristine = {ch: nbformat.writes(nb) for ch, nb in
                _load_pristine(exercises_dir or course_paths.exercises(), CHAPTERS).items()}
    box_kind = resolve_sandbox(options.sandbox)
    results = [None] * len(paths)

    def failed(i, status, message):
        return [asdict(Row(str(paths[i]), "*", status, message, seed=str(options.seed),
                           sandbox=box_kind.describe()))]

    if scheduler is None:
        executor = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1))
        remote, client = False, None
    else:
        (executor, client), remote = _dask_executor(scheduler), True
    with contextlib.ExitStack() as stack:
        if client is not None:
            stack.callback(client.close)          # last: after the executor's shutdown
        stack.enter_context(executor)
        futures = {}
        for i, path in enumerate(paths):
            try:
                raw = read_file(path)
            except Invalid as err:
                results[i] = failed(i, "invalid", str(err))
                continue
            futures[executor.submit(grade_one, str(path), raw, pristine, asdict(options),
                                    None if remote else box_kind)] = i
        for future in concurrent.futures.as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as err:   # a grader bug on one file must not stop the batch
                results[i] = failed(i, "error", f"grader error: {type(err).__name__}: {err}")
            if progress:
                progress(paths[i], results[i])
    return [Row(**row) for rows in results for row in rows]


def read_file(path):
    """The bytes of a submitted file; Invalid if it is not a readable regular file of at most
    MAX_SUBMISSION_BYTES."""
    try:
        with open(path, "rb", opener=lambda p, f: os.open(p, f | os.O_NONBLOCK)) as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise Invalid("not a file")
            if info.st_size > protocol.MAX_SUBMISSION_BYTES:
                raise Invalid(f"the file is larger than {protocol.MAX_SUBMISSION_BYTES >> 20} MiB")
            return fh.read(protocol.MAX_SUBMISSION_BYTES + 1)
    except OSError as err:
        raise Invalid(f"cannot read the file: {err.strerror}") from None


def _load_pristine(exercises_dir, chapters):
    from cnncourse.grading.notebook import load_pristine
    return load_pristine(exercises_dir, chapters)


def _dask_executor(scheduler):
    """(a concurrent.futures executor on a Dask cluster, the client to close or None): each
    worker grades its submissions in its own sandboxes."""
    import distributed
    if isinstance(scheduler, distributed.Client):
        return scheduler.get_executor(pure=False), None
    client = distributed.Client(scheduler)
    return client.get_executor(pure=False), client
