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
from pathlib import Path

from cnncourse.checks import handout
from cnncourse.grading import protocol

_CASES = {}       # exercise -> the cases written for it (this process only)


def secret_seed(run_seed, exercise):
    """The seed of one exercise's cases in a run: stable for (run seed, exercise), secret while
    the run seed is."""
    digest = hashlib.sha256(f"{int(run_seed)}:{exercise}".encode()).digest()
    return 10_000 + int.from_bytes(digest[:4], "big") % 900_000_000


def registry(chapter):
    from cnncourse.checks import exercises
    return exercises(chapter)


def write_inputs(config):
    """Draw every exercise's cases and write their inputs to the box's handout folder."""
    folder = Path(config["box"]) / protocol.HANDOUT
    declared = registry(config["chapter"])
    for name in config["exercises"]:
        exercise = declared.get(name)
        if exercise is None:
            continue
        cases = exercise.cases(secret_seed(config["seed"], name))
        _CASES[name] = cases
        handout.write_cases(folder / handout.INPUTS / name, cases)
        out = folder / handout.OUTPUTS / name
        out.mkdir(parents=True, exist_ok=True)
        if config.get("uid") is not None:
            import os
            os.chown(folder / handout.OUTPUTS, config["uid"], config["uid"])
            os.chown(out, config["uid"], config["uid"])


def judge_exercise(exercise, cases, folder):
    """(status, message) of one exercise from the outputs in folder."""
    name = exercise.name
    try:
        outputs = handout.read_outputs(folder)
    except FileNotFoundError:
        return "error", (f"{name}: the check cell handed no results to the grader (it did not "
                         "run to its end, or the notebook replaced it)")
    except handout.BadData as err:
        return "invalid", f"{name}: the results handed to the grader break its rules: {err}"
    if len(outputs) != len(cases):
        return "invalid", (f"{name}: {len(outputs)} results handed to the grader for "
                           f"{len(cases)} cases")
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
    """{exercise: {status, message}} for the exercises the grader wrote inputs for."""
    folder = Path(config["box"]) / protocol.HANDOUT / handout.OUTPUTS
    declared = registry(config["chapter"])
    verdicts = {}
    for name, cases in _CASES.items():
        status, message = judge_exercise(declared[name], cases, folder / name)
        verdicts[name] = {"status": status, "message": message}
    return verdicts
