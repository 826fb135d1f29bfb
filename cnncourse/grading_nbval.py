"""pytest plugin used by ``cnncourse grade`` inside its nbval subprocess (never by students).

It does two things nbval does not:

* records every notebook cell's result as one JSON line in the file named by
  ``CNNCOURSE_GRADE_RESULTS``: cell number, exercise, outcome, and the exception's name and
  message taken from the kernel's own error output (not from stored outputs);
* notices a dead kernel (``os._exit``, a segfault, out of memory) within a second instead of
  waiting for the cell timeout: nbval's wait for the kernel's reply is sliced into 1-second
  polls that check that the kernel process is still alive.
"""
from __future__ import annotations

import json
import os
import time
from queue import Empty

import pytest

RESULTS_ENV = "CNNCOURSE_GRADE_RESULTS"
KERNEL_DIED = "the kernel died while running this cell"


class KernelDied(RuntimeError):
    """The kernel process exited in the middle of a cell."""


def _patch_await_reply():
    from nbval.kernel import RunningKernel
    original = RunningKernel.await_reply
    if getattr(original, "_cnncourse", False):
        return

    def await_reply(self, msg_id, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            step = 1.0 if deadline is None else max(0.0, min(1.0, deadline - time.monotonic()))
            try:
                return original(self, msg_id, timeout=step)
            except Empty:
                if not self.is_alive():
                    raise KernelDied(f"{KERNEL_DIED} (os._exit, a crash or out of memory)") from None
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    await_reply._cnncourse = True
    RunningKernel.await_reply = await_reply


def pytest_configure(config):
    _patch_await_reply()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    path = os.environ.get(RESULTS_ENV)
    cell = getattr(item, "cell", None)
    if not path or cell is None or call.when != "call":
        return
    report = outcome.get_result()
    record = {
        "cell": item.cell_num,
        "id": cell.get("id"),
        "exercise": cell.metadata.get("cnncourse", {}).get("exercise"),
        "tags": list(cell.metadata.get("tags", [])),
        "raised": call.excinfo is not None,
        "outcome": report.outcome,
        "skipped": bool(call.excinfo is not None and call.excinfo.errisinstance(
            pytest.skip.Exception)),
        "exc_type": call.excinfo.typename if call.excinfo else None,
        "message": str(call.excinfo.value)[:2000] if call.excinfo else "",
        "ename": None,
        "evalue": "",
        "stdout": "",
    }
    for out in getattr(item, "test_outputs", None) or []:
        if out.get("output_type") == "error":
            record["ename"], record["evalue"] = out.get("ename"), str(out.get("evalue", ""))[:4000]
        elif out.get("output_type") == "stream" and out.get("name") == "stdout":
            record["stdout"] += out.get("text", "")[-2000:]
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
