"""The pytest plugin of ``cnncourse grade``: the trusted side, in the nbval (pytest) process.

The grader runs ``pytest -p nbval.plugin -p cnncourse.grading.plugin ... graded.ipynb`` with
``CNNCOURSE_GRADE_CONFIG`` naming the run's configuration in the submission's private folder
(never visible to the kernel). The plugin

* starts the kernel through ``launch.py`` (in the bubblewrap sandbox when there is one), talking
  to it over IPC sockets in the box (the sandbox has no network);
* notices a dead kernel within a second (nbval's wait for a reply is sliced into 1-second polls
  that check the kernel process) and caps what the kernel can send: one message (ZeroMQ), the
  output kept per cell, and the output of the notebook, beyond which the kernel is stopped;
* records what nbval observed of every cell (timeout by nbval's clock, dead kernel, the
  exception the kernel reported, the time taken) and, at the end, judges the exercises from the
  outputs the kernel handed out (``cnncourse.grading.judge``), comparing them with references it
  computes itself; it writes everything to ``results.json`` in the private folder.

Nothing the kernel prints or writes is taken as a verdict: a check passes only when the outputs
it handed out equal the grader's references on the grader's inputs.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from queue import Empty

import pytest

from cnncourse.grading import protocol
from cnncourse.grading.sandbox import LAUNCHER

KERNEL_DIED = "the kernel died while running this cell"


class KernelDied(RuntimeError):
    """The kernel process exited in the middle of a cell."""


class OutputLimit(RuntimeError):
    """The kernel sent more output than a notebook may, or filled its box beyond the limit."""


def box_usage(box, max_files=protocol.MAX_BOX_FILES):
    """(bytes on disk, entries) of the box, without following links; stops counting at
    max_files entries."""
    total, count, stack = 0, 0, [str(box)]
    while stack and count <= max_files:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    count += 1
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    total += info.st_blocks * 512
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            continue
    return total, count


class _State:
    config = None
    records = []
    output_bytes = 0
    output_limit_hit = False
    last_box_check = 0.0


STATE = _State()


def _message_size(content):
    """Approximate bytes of the output a message carries."""
    size = len(str(content.get("text", "")))
    for value in (content.get("data") or {}).values():
        size += len(value) if isinstance(value, str) else len(str(value))
    size += len(str(content.get("evalue", ""))) + sum(len(str(t)) for t in content.get("traceback") or [])
    return size


def _truncate(content, limit):
    if isinstance(content.get("text"), str) and len(content["text"]) > limit:
        content["text"] = content["text"][:limit] + "\n[output truncated by the grader]\n"
    data = content.get("data")
    if isinstance(data, dict):
        for key, value in list(data.items()):
            if len(str(value)) > limit:
                data[key] = "[output too large, dropped by the grader]"
    if isinstance(content.get("traceback"), list):
        content["traceback"] = [str(t)[:limit] for t in content["traceback"][:50]]


def _start_new_kernel(startup_timeout=60, kernel_name="python", **kwargs):
    """nbval's kernel start, in the sandbox: our kernel command, IPC transport in the box."""
    import zmq
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    config = STATE.config
    box = Path(config["box"])
    if os.name == "posix":        # launch.py: limits, uid, environment, then bwrap or the kernel
        argv, env = [sys.executable, str(LAUNCHER), config["launch"], "{connection_file}"], {}
        where = {"transport": "ipc", "ip": str(box / protocol.IPC_PREFIX)}
    else:                         # Windows: no sandbox, no IPC sockets, no limits
        from cnncourse.grading import sandbox
        argv, env = sandbox.kernel_argv(), sandbox.kernel_env(box)
        where = {"transport": "tcp", "ip": "127.0.0.1"}
    spec = KernelSpec(argv=argv, display_name="cnncourse grading", language="python",
                      interrupt_mode="message", env=env, resource_dir=str(box))

    class Specs(KernelSpecManager):
        def get_kernel_spec(self, name):
            return spec

    km = KernelManager(kernel_spec_manager=Specs(), kernel_name="cnncourse-grading",
                       connection_file=str(box / protocol.CONNECTION_FILE), **where)
    log = open(Path(config["private"]) / "kernel.log", "ab")
    km.start_kernel(stdout=log, stderr=log, stdin=None, cwd=str(box))
    context = zmq.Context()                       # a larger message drops the connection
    context.setsockopt(zmq.MAXMSGSIZE, protocol.MAX_ZMQ_MESSAGE)
    kc = km.client(context=context)
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=startup_timeout)
    except RuntimeError:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise
    return km, kc


def _check_box(kernel, every=2.0):
    """Every 2 s while a cell runs, and after each cell: stop a kernel that fills its box
    beyond the limits."""
    if STATE.config is None or time.monotonic() - STATE.last_box_check < every:
        return
    STATE.last_box_check = time.monotonic()
    size, count = box_usage(STATE.config["box"])
    if size > protocol.MAX_BOX_BYTES or count > protocol.MAX_BOX_FILES:
        STATE.output_limit_hit = True
        kernel.stop()
        raise OutputLimit(f"the notebook wrote more than {protocol.MAX_BOX_BYTES >> 20} MiB or "
                          f"{protocol.MAX_BOX_FILES} files into its folder")


def _patch_nbval():
    import nbval.kernel
    from nbval.kernel import RunningKernel
    if getattr(RunningKernel.await_reply, "_cnncourse", False):
        return
    original_await, original_get = RunningKernel.await_reply, RunningKernel.get_message

    def await_reply(self, msg_id, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            step = 1.0 if deadline is None else max(0.0, min(1.0, deadline - time.monotonic()))
            try:
                return original_await(self, msg_id, timeout=step)
            except Empty:
                if not self.is_alive():
                    raise KernelDied(f"{KERNEL_DIED} (os._exit, a crash, a limit or out of "
                                     "memory)") from None
                _check_box(self)
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    def get_message(self, stream, timeout=None):
        msg = original_get(self, stream, timeout=timeout)
        if stream == "iopub" and isinstance(msg.get("content"), dict):
            STATE.output_bytes += _message_size(msg["content"])
            _truncate(msg["content"], protocol.MAX_CELL_OUTPUT)
            if STATE.output_bytes > protocol.MAX_KERNEL_OUTPUT and not STATE.output_limit_hit:
                STATE.output_limit_hit = True
                self.stop()
                raise OutputLimit(f"the notebook printed more than "
                                  f"{protocol.MAX_KERNEL_OUTPUT >> 20} MiB")
        return msg

    await_reply._cnncourse = True
    RunningKernel.await_reply = await_reply
    RunningKernel.get_message = get_message
    if STATE.config is not None:
        nbval.kernel.start_new_kernel = _start_new_kernel


def pytest_configure(config):
    path = os.environ.get(protocol.CONFIG_ENV)
    if path:
        STATE.config = json.loads(Path(path).read_text(encoding="utf-8"))
        if not STATE.config.get("isolated"):
            _become_subreaper()
        if STATE.config.get("judge"):
            from cnncourse.grading import judge
            judge.prepare(STATE.config)
    _patch_nbval()


PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper():
    """Without a sandbox (no PID namespace), make the processes the kernel leaves behind
    (double forks, new sessions) our children, so that the end of the session can kill them."""
    if sys.platform.startswith("linux"):
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _kill_descendants():
    """SIGKILL every descendant of this process (Linux /proc), repeatedly until none is left."""
    import signal
    me = os.getpid()
    for _ in range(5):
        parents = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                parents[int(stat.parent.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                pass
        mine = {me}
        grew = True
        while grew:
            new = {pid for pid, ppid in parents.items() if ppid in mine and pid not in mine}
            mine |= new
            grew = bool(new)
        mine.discard(me)
        if not mine:
            return
        for pid in mine:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in mine:
            try:
                os.waitpid(pid, os.WNOHANG)
            except OSError:
                pass
        time.sleep(0.05)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    if STATE.config is not None and STATE.config.get("judge"):
        from cnncourse.grading import judge
        judge.wait_prepared()                  # the inputs are in the box before any cell runs
    parent = getattr(item, "parent", None)
    item._cnncourse_timed_out_before = bool(getattr(parent, "timed_out", False))
    item._cnncourse_start = time.monotonic()
    yield


def _role(cell):
    tags = cell.metadata.get("tags", [])
    for tag, role in (("setup", "setup"), ("solution", "answer"), ("check", "check")):
        if tag in tags:
            return role
    return cell.metadata.get("cnncourse", {}).get("role")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    cell = getattr(item, "cell", None)
    if cell is None or call.when != "call":
        return
    report = outcome.get_result()
    exc = call.excinfo
    message = str(exc.value) if exc else ""
    timed_out_now = bool(getattr(item.parent, "timed_out", False)) and \
        not getattr(item, "_cnncourse_timed_out_before", False)
    record = dict(protocol.CELL_RECORD)
    record.update({
        "cell": item.cell_num,
        "id": cell.get("id"),
        "exercise": cell.metadata.get("cnncourse", {}).get("exercise"),
        "role": _role(cell),
        "raised": exc is not None and report.outcome != "passed",
        "timeout": timed_out_now,
        "kernel_died": bool(exc and (exc.errisinstance(KernelDied)
                                     or "Kernel dead on test start" in message)),
        "output_limit": bool(exc and exc.errisinstance(OutputLimit)),
        "exc_type": exc.typename if exc else None,
        "message": message[:protocol.MAX_MESSAGE],
        "seconds": round(time.monotonic() - getattr(item, "_cnncourse_start", time.monotonic()), 3),
    })
    for out in getattr(item, "test_outputs", None) or []:
        if out.get("output_type") == "error":
            record["ename"] = str(out.get("ename"))[:200]
            record["evalue"] = str(out.get("evalue", ""))[:protocol.MAX_MESSAGE]
        elif out.get("output_type") == "stream" and out.get("name") == "stdout":
            record["stdout"] = (record["stdout"] + str(out.get("text", "")))[-protocol.MAX_MESSAGE:]
    STATE.records.append(record)
    kernel = getattr(item.parent, "kernel", None)
    if kernel is not None and not STATE.output_limit_hit and kernel.is_alive():
        try:
            _check_box(kernel, every=0.0)
        except OutputLimit as err:
            record.update(output_limit=True, raised=True, message=str(err))


def pytest_sessionfinish(session, exitstatus):
    if STATE.config is None:
        return
    if not STATE.config.get("isolated") and sys.platform.startswith("linux"):
        _kill_descendants()
    results = {"cells": STATE.records, "output_limit": STATE.output_limit_hit}
    judge = STATE.config.get("judge")
    if judge:
        from cnncourse.grading import judge as judging
        results["verdicts"] = judging.judge_run(STATE.config, STATE.records)
    target = Path(STATE.config["private"]) / protocol.RESULTS
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(results), encoding="utf-8")
    os.replace(tmp, target)
