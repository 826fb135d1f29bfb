"""The trusted comparison: the grader's secret cases in, the kernel's outputs judged outside it.

Runs in the pytest process (the plugin), never in the kernel. For every exercise of the
notebook, declared in its chapter's registry (``cnncourse.checks``: cases for any seed, the
reference, the comparison, the hint):

* ``write_inputs`` (before the kernel starts) draws the cases from the exercise's secret seed,
  derived from the run's seed, and writes their inputs to the box as plain data; the cases stay
  in this process;
* ``judge_run`` (after the notebook ran and the sandbox is gone) reads what the check cell handed
  out, recomputes every reference itself and compares with the exercise's own comparison: the
  first wrong case fails the exercise with the message a student would read.

A new chapter's declarative exercises are judged with no change here.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from cnncourse.checks import handout
from cnncourse.grading import protocol

#: Seconds a check cell may take beyond an exercise's time budget: the cell also loads the
#: inputs and writes the outputs (a trained model) around the timed call.
HANDOUT_ALLOWANCE = 10.0

_CASES = {}       # exercise -> the cases written for it (this process only)
_PREPARED = {"thread": None, "error": None}


def secret_seed(run_seed, exercise):
    """The seed of one exercise's cases in a run: stable for (run seed, exercise), secret while
    the run seed is."""
    digest = hashlib.sha256(f"{int(run_seed)}:{exercise}".encode()).digest()
    return 10_000 + int.from_bytes(digest[:4], "big") % 900_000_000


def registry(chapter):
    from cnncourse.checks import exercises
    return exercises(chapter)


def write_inputs(config):
    """Draw every exercise's cases and write their inputs to the box's handout folder (readable
    by the sandbox's user, not writable); create the outputs folders it may write."""
    folder = Path(config["box"]) / protocol.HANDOUT
    declared = registry(config["chapter"])
    uid = config.get("uid")
    for name in config["exercises"]:
        exercise = declared.get(name)
        if exercise is None:
            continue
        cases = exercise.cases(secret_seed(config["seed"], name))
        handout.write_cases(folder / handout.INPUTS / name, cases)
        _CASES[name] = cases
        for out in (folder / handout.OUTPUTS, folder / handout.OUTPUTS / name):
            out.mkdir(exist_ok=True)
            if uid is not None:
                os.chown(out, uid, uid)
    for path in [folder / handout.INPUTS, *(folder / handout.INPUTS).rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def prepare(config):
    """Start write_inputs in the background (TensorFlow's import, the datasets, the models take
    seconds, while the kernel starts); wait_prepared() before the first check cell runs."""
    def work():
        try:
            write_inputs(config)
        except Exception as err:                                      # noqa: BLE001
            _PREPARED["error"] = f"{type(err).__name__}: {err}"
    _PREPARED["thread"] = threading.Thread(target=work, daemon=True)
    _PREPARED["thread"].start()


def wait_prepared():
    if _PREPARED["thread"] is not None:
        _PREPARED["thread"].join()


def judge_exercise(exercise, cases, folder, seconds=None, root=None):
    """(status, message) of one exercise from the outputs in folder (below the trusted root:
    the box); seconds: the wall time of its check cell, measured by the plugin (for a time
    budget)."""
    name = exercise.name
    try:
        outputs = handout.read_outputs(folder, root)
    except FileNotFoundError:
        return "error", (f"{name}: the check cell handed no results to the grader (it did not "
                         "run to its end, or the notebook replaced it)")
    except handout.BadData as err:
        return "invalid", f"{name}: the results handed to the grader break its rules: {err}"
    if len(outputs) != len(cases):
        return "invalid", (f"{name}: {len(outputs)} results handed to the grader for "
                           f"{len(cases)} cases")
    budget = getattr(exercise, "time_budget", None)
    if budget is not None and seconds is not None and seconds > budget + HANDOUT_ALLOWANCE:
        return "failed", (f"{name}: the check cell took {seconds:.0f} s, more than the time "
                          f"budget of {budget:.0f} s (+{HANDOUT_ALLOWANCE:.0f} s to load the "
                          f"inputs)\n  case: {cases[0].label if cases else ''}\n  hint: fewer "
                          "epochs or a larger batch_size")
    count = 0
    for case, output in zip(cases, outputs):
        function = case.function or name
        if output[0] == "raised":
            ename, message = output[1], output[2]
            if ename == "NotImplementedError":
                return "error", f"not implemented: {message}"
            return "error", (f"{function}: your function raised {ename} on case: {case.label}"
                             f"\n  {ename}: {message}")
        try:
            expected = exercise.expected(case)
            count += exercise.compare(function, case.label, expected, output[1],
                                      exercise.hint) or 1
        except AssertionError as err:
            return "failed", str(err)
        except Exception as err:                                      # noqa: BLE001
            return "failed", (f"{function}: the result cannot be compared with the reference "
                              f"({type(err).__name__}: {str(err)[:300]})\n  case: {case.label}")
    return "passed", f"{name}: OK ({count} case{'' if count == 1 else 's'})"


def judge_run(config, records):
    """{exercise: {status, message}} of every exercise of the notebook."""
    wait_prepared()
    folder = Path(config["box"]) / protocol.HANDOUT / handout.OUTPUTS
    declared = registry(config["chapter"])
    seconds = {r["exercise"]: r["seconds"] for r in records if r.get("role") == "check"}
    verdicts = {}
    for name in config["exercises"]:
        if _PREPARED["error"]:
            status, message = "error", f"the grader could not prepare the cases: {_PREPARED['error']}"
        elif name not in declared or name not in _CASES:
            status, message = "error", f"the grader has no declaration of the exercise {name}"
        else:
            try:
                status, message = judge_exercise(declared[name], _CASES[name], folder / name,
                                                 seconds.get(name), root=config["box"])
            except Exception as err:                                  # noqa: BLE001
                status, message = "error", f"grader error: {type(err).__name__}: {err}"
        verdicts[name] = {"status": status, "message": message}
    return verdicts
