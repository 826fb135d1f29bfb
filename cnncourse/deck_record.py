"""A pytest plugin for nbval runs: each notebook nbval runs is also recorded as the deck build's
executed copy, so a test run that executes every lecture once gives the decks their outputs too.

    python -m pytest --nbval-lax -p cnncourse.deck_record --deck-record build/executed NB.ipynb

Cells run as JupyterLab runs them (with history: a trailing `;` hides the value). Every
iopub message nbval reads from the kernel is also handed to an nbclient ``NotebookClient``
(the executor :func:`cnncourse.slides.execute_notebook` uses), so outputs, ``clear_output``,
display updates, widget state and ``Output`` widgets come out exactly as that executor writes
them. After the last cell, the deck build's probe (:data:`cnncourse.deck_widgets.KERNEL_SNIPPET`:
the course widgets' frames, the cnncourse modules the run imported) runs in the same kernel, and
the notebook is written where :func:`cnncourse.slides.cached_copy` looks for it, with the same
keys. A notebook with a failed, skipped or timed-out cell is not recorded (a deck needs every
output); nbval's own verdicts are untouched.
"""
from __future__ import annotations

from pathlib import Path

import pytest

_PROBE_TIMEOUT = 120        # seconds the probe may take (it draws one figure per stepper frame)


def pytest_addoption(parser):
    parser.addoption("--deck-record", metavar="DIR", default=None,
                     help="also write each notebook nbval runs, with its outputs and widget "
                          "frames, into DIR (the execution cache of `cnncourse slides`)")


class Recorder:
    """Follows one notebook's nbval run (one kernel) and writes the executed notebook."""

    def __init__(self, nbfile, cache_dir: Path):
        import nbformat
        from nbclient import NotebookClient

        from . import slides

        self.path = Path(str(nbfile.fspath))
        self.key = slides._digest(self.path.read_bytes())
        self.target = slides.cached_copy(self.path, cache_dir)
        self.source = nbfile.nb                       # nbval's copy: its cells are the items'
        self.nb = nbformat.read(self.path, as_version=4)
        for cell in self.nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        self.client = NotebookClient(self.nb, store_widget_state=True, record_timing=False)
        self.client.reset_execution_trackers()
        self.client.clear_before_next_output = False     # as NotebookClient.execute_cell sets it
        self.kernel = nbfile.kernel
        self.client.kc = self.kernel.kc              # Output widgets answer the kernel through it
        self.owner: dict[str, tuple] = {}            # request msg_id -> (cell, index)
        self.current = None
        self.ran = 0
        self.ok = True
        get = self.kernel.get_message

        def execute_cell_input(source, allow_stdin=None):
            # as JupyterLab (and nbclient) run a cell: with history, so that a trailing ';'
            # hides the value and cells are numbered 1, 2, ... (nbval alone stores no history)
            msg_id = self.kernel.kc.execute(source, store_history=True, allow_stdin=allow_stdin,
                                            stop_on_error=False)
            if self.current is not None:
                self.owner[msg_id] = self.current
            return msg_id

        def get_message(stream, timeout=None):
            msg = get(stream, timeout)
            if stream == "iopub":
                self.feed(msg)
            return msg

        self.kernel.execute_cell_input, self.kernel.get_message = execute_cell_input, get_message

    def start(self, item):
        """The cell ``item`` (an nbval IPyNbCell) is about to run."""
        index = next(i for i, c in enumerate(self.source.cells) if c is item.cell)
        self.current = (self.nb.cells[index], index)
        self.ran += 1

    def feed(self, msg):
        from nbclient.exceptions import CellExecutionComplete

        owner = self.owner.get(msg.get("parent_header", {}).get("msg_id"))
        if owner is None:
            return
        cell, index = owner
        try:
            self.client.process_message(msg, cell, index)
        except CellExecutionComplete:
            pass
        except Exception:               # never nbval's problem: this notebook is just not recorded
            self.ok = False

    def finish(self):
        """Run the probe in the still-running kernel, then write the notebook (if complete)."""
        import nbformat

        from . import deck_widgets, slides

        code = [c for c in self.nb.cells if c.cell_type == "code"]
        if not self.ok or self.ran != len(code) or not self.kernel.is_alive():
            return None
        probe = nbformat.v4.new_code_cell(deck_widgets.KERNEL_SNIPPET)
        self.current = (probe, len(self.nb.cells))
        msg_id = self.kernel.execute_cell_input(probe.source, allow_stdin=False)
        while True:                       # feed() files the messages under the probe cell
            msg = self.kernel.get_message("iopub", timeout=_PROBE_TIMEOUT)
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"]["execution_state"] == "idle"):
                break
        self.client.set_widgets_metadata()
        slides.finish_run(self.nb, probe.outputs, self.key)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(self.nb, self.target)
        return self.target


def _recorder(item):
    """The file's Recorder; None before the first cell, False when it could not start."""
    return getattr(item.parent, "_cnncourse_recorder", None)


def _is_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell" and item.config.getoption("deck_record")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    yield                                           # nbval's file setup has started the kernel
    if _is_cell(item) and _recorder(item) is None and getattr(item.parent, "kernel", None):
        try:
            item.parent._cnncourse_recorder = Recorder(
                item.parent, Path(item.config.getoption("deck_record")))
        except Exception as exc:
            item.parent._cnncourse_recorder = False
            _warn(f"{item.parent.name} not recorded for the decks: {exc!r}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    if _is_cell(item) and _recorder(item):
        _recorder(item).start(item)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if _is_cell(item) and _recorder(item) and (
            report.failed or report.skipped or getattr(item.parent, "timed_out", False)):
        _recorder(item).ok = False


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """Before nbval's teardown stops the kernel of the file's last cell."""
    if not _is_cell(item) or (nextitem is not None and nextitem.parent is item.parent):
        return
    recorder = _recorder(item)
    if recorder:
        item.parent._cnncourse_recorder = None
        try:
            recorder.finish()
        except Exception as exc:        # the test's verdict stays nbval's; the deck will execute
            _warn(f"{recorder.path.name} not recorded for the decks: {exc!r}")


def _warn(message):
    import sys
    print(f"cnncourse.deck_record: {message}", file=sys.stderr)

