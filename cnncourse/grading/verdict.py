"""One status per exercise, from the plugin's record of a run (``results.json``).

Order of the decision: the run itself (the overall time limit, nbval stopping early), then what
nbval observed of the exercise's cells with its own clock and process checks (``timeout``, a dead
kernel, the output limit), then the judge's verdict on the outputs the kernel handed out. The
exception a kernel reports only ever words the message of a status that is not ``passed``.
"""
from __future__ import annotations

import re

from cnncourse.grading import protocol

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def first_line(text, limit=300):
    text = _ANSI.sub("", text or "").strip()
    return text.splitlines()[0][:limit] if text else ""


def _find(records, exercise, role):
    return next((r for r in records if r.get("exercise") == exercise and r.get("role") == role),
                None)


def _died(records):
    for rec in records:
        where = f"cell {rec['cell']}" + (f" ({rec['exercise']})" if rec.get("exercise") else "")
        if rec.get("output_limit"):
            return f"the kernel was stopped in {where}: {rec.get('message', '')[:200]}"
        if rec.get("kernel_died"):
            return f"the kernel died in {where}"
        if "Failed to interrupt kernel" in rec.get("message", ""):
            return f"the kernel was stopped after {where} timed out and ignored the interrupt"
    return None


def classify(exercise, results, info, cell_timeout):
    """(status, message) of one exercise."""
    records = results.get("cells") or []
    check, answer = _find(records, exercise, "check"), _find(records, exercise, "answer")
    died_in = _died(records)
    if check is None:
        if info.get("overall_timeout"):
            return "timeout", "not run: the notebook did not finish within the overall time limit"
        if died_in is not None:
            return "error", f"not run: {died_in}"
        tail = info.get("output", "").strip().splitlines()
        return "error", "not run: grading stopped early: " + (first_line(tail[-1]) if tail
                                                                 else "no output")
    if check.get("timeout") or (answer and answer.get("timeout")):
        return "timeout", (f"a cell ran longer than the {cell_timeout:g} s cell timeout "
                           "(an infinite loop?)")
    if check.get("output_limit") or check.get("kernel_died"):
        return "error", (f"not run: {died_in}" if died_in and not check.get("kernel_died")
                         else died_in or "the kernel died")
    verdicts = results.get("verdicts")
    if verdicts is not None:
        got = verdicts.get(exercise) or {}
        status = got.get("status") if got.get("status") in protocol.STATUSES else "error"
        message = got.get("message") or "the grader found no verdict"
        if status != "passed" and check.get("raised") and check.get("ename") \
                and status == "error" and not got.get("message"):
            message = f"{check['ename']}: {first_line(check.get('evalue'))}"
        return status, message
    # no judge: the check cell's own outcome (students' self-checks, and the old design)
    message = _ANSI.sub("", check.get("evalue") or check.get("message") or "").strip()
    if not check.get("raised"):
        return "passed", first_line(check.get("stdout"))
    if check.get("ename") == "AssertionError":
        return "failed", message
    if check.get("ename") == "NotImplementedError":
        return "error", f"not implemented: {message}"
    prefix = ""
    if answer and answer.get("raised") and answer.get("ename"):
        prefix = f"your answer cell raised {answer['ename']}: {first_line(answer['evalue'])}; "
    return "error", f"{prefix}{check.get('ename') or check.get('exc_type')}: {message}"
