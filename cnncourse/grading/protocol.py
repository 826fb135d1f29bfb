"""The grading protocol, defined once: statuses, report columns, environment variables, file
names, limits and the record format shared by the grader, its pytest plugin and the kernel.

Who runs where (see ``cnncourse.grading``):

* the **grader** (``cnncourse grade``, trusted) builds the graded copy and a private folder per
  submission, then runs pytest + nbval + our plugin on it in a subprocess;
* the **plugin** (trusted, in that pytest process) starts the kernel in the sandbox, records
  what nbval saw of each cell, judges the exercises and writes ``RESULTS`` in the private folder;
* the **kernel** (untrusted: the student's code) runs in the sandbox and can write only in its
  ``BOX`` folder; it never sees the private folder, the seed or the grader's environment.

Private folder of one submission (mode 0700, the grader's)::

    graded.ipynb   the notebook nbval runs        pytest.ini   an empty pytest configuration
    run.json       RunConfig for the plugin       launch.json  what the kernel launcher executes
    results.json   the plugin's record (below)    box/         the sandbox's only writable folder

The box holds the kernel's connection file and IPC sockets, its ``home/`` and ``handout/``
(``KERNEL_DIR_ENV``): ``handout/inputs/<exercise>/`` from the grader, ``handout/outputs/<exercise>/``
from the kernel (plain data only; see ``cnncourse.grading.plaindata``).
"""
from __future__ import annotations

import os

#: Statuses, from best to worst. ``error``: an unfilled stub or a crash; ``invalid``: not a
#: notebook, the wrong notebook, missing cells, output that breaks the protocol.
STATUSES = ("passed", "failed", "error", "timeout", "invalid")

#: Report columns. ``flags``: answers that call the reference (``cnncourse.ops``, ``scipy.signal``,
#: ...), for the instructor to look at; ``seed``: the secret seed of the run (``--seed`` reproduces
#: it); ``sandbox``: ``bwrap`` or why the run was not isolated.
FIELDS = ("submission", "exercise", "status", "message", "flags", "seed", "sandbox")

#: pytest process: path of the RunConfig JSON in the private folder.
CONFIG_ENV = "CNNCOURSE_GRADE_CONFIG"
#: kernel: the handout folder; set only when grading (the check cells then hand out outputs).
KERNEL_DIR_ENV = "CNNCOURSE_GRADING"

NOTEBOOK, PYTEST_INI, RUN_CONFIG = "graded.ipynb", "pytest.ini", "run.json"
LAUNCH_CONFIG, RESULTS, BOX = "launch.json", "results.json", "box"
CONNECTION_FILE, IPC_PREFIX, HOME, HANDOUT = "kernel.json", "k", "home", "handout"
INPUTS, OUTPUTS = "inputs", "outputs"

# ----------------------------------------------------------------------------- limits
MiB = 1 << 20
#: Defaults of the per-kernel limits (``cnncourse grade --memory ...`` changes some of them).
DEFAULT_LIMITS = {
    "memory": 8192 * MiB,       # address space of each sandbox process (TensorFlow maps ~3 GiB)
    "processes": 64 + 4 * (os.cpu_count() or 1),   # processes + threads (TensorFlow: ~2/CPU)
    "file_size": 64 * MiB,      # largest file the kernel may write
    "cpu_seconds": 900,         # CPU time of each sandbox process
    "open_files": 1024,
    "tmp_size": 64 * MiB,       # the private /tmp and /dev/shm (tmpfs: counted in RAM)
}
GRADER_MEMORY = 12288 * MiB       # address space of the trusted pytest process of a submission
MAX_SUBMISSION_BYTES = 20 * MiB   # a notebook larger than this is invalid
MAX_JSON_DEPTH = 64               # nesting of a submission's JSON
MAX_CELL_OUTPUT = 64 * 1024       # bytes of one cell's output kept for messages
MAX_KERNEL_OUTPUT = 32 * MiB      # output of one notebook beyond which the kernel is stopped
MAX_ZMQ_MESSAGE = 64 * MiB        # a larger message from the kernel closes the connection
MAX_MESSAGE = 2000                # characters of one report message
MAX_PROCESS_OUTPUT = 64 * 1024    # tail of the pytest process' output kept for diagnostics
MAX_BOX_BYTES = 1024 * MiB        # disk the kernel may fill in its box (checked every 2 s)
MAX_BOX_FILES = 20_000

# ----------------------------------------------------------------------------- records
#: One code cell as the plugin saw it (results.json "cells"): written by the trusted plugin from
#: what nbval observed, never from files the kernel wrote.
CELL_RECORD = {
    "cell": 0,            # code cell number
    "id": "",             # cell id
    "exercise": None,     # metadata.cnncourse.exercise
    "role": None,         # "setup", "answer", "check" or None (an extra or a pristine cell)
    "raised": False,      # nbval reported a failure of the cell
    "timeout": False,     # nbval's cell timeout expired (nbval's own clock)
    "kernel_died": False, # the kernel process was gone (checked by the plugin)
    "ename": None,        # the exception the kernel reported (untrusted: for messages only)
    "evalue": "",
    "stdout": "",         # capped
    "seconds": 0.0,       # wall time of the cell, measured by the plugin
}
