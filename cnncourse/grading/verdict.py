"""One status per exercise, from the plugin's record of a run (``results.json``).

Order of the decision: the run itself (the overall time limit, nbval stopping early), then what
nbval observed of the exercise's cells with its own clock and process checks (``timeout``, a dead
kernel, the output limit), then the judge's verdict on the outputs the kernel handed out. What
the kernel printed or raised is never a verdict (the judge words an unfilled stub's or a crash's
message from what the check cell handed out; it is never ``passed``).
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
        return "error", died_in or "the kernel died"
    got = (results.get("verdicts") or {}).get(exercise) or {}
    if got.get("status") not in protocol.STATUSES:
        return "error", "the grader could not judge this exercise (no verdict was recorded)"
    return got["status"], str(got.get("message") or "")
