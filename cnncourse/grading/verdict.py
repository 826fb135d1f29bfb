"""One status per exercise, from the plugin's record of a run (``results.json``).

Order of the decision: the run itself (the overall time limit, nbval stopping early), then what
nbval observed of the exercise's cells with its own clock and process checks (``timeout``, a dead
kernel, the output limit), then the judge's verdict on the outputs the kernel handed out. What
the kernel printed or raised is never a verdict (the judge words an unfilled stub's or a crash's
message from what the check cell handed out; it is never ``passed``). The messages are in the
language in force (the grader sets the report's language around ``classify``).
"""
from __future__ import annotations

import re

from cnncourse.grading import protocol
from cnncourse.i18n import _

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def first_line(text, limit=300):
    text = _ANSI.sub("", text or "").strip()
    return text.splitlines()[0][:limit] if text else ""


def _find(records, exercise, role):
    return next((r for r in records if r.get("exercise") == exercise and r.get("role") == role),
                None)


def _died(records):
    for rec in records:
        where = (_("cell {number} ({exercise})") if rec.get("exercise") else _("cell {number}")
                 ).format(number=rec["cell"], exercise=rec.get("exercise"))
        if rec.get("output_limit"):
            return _("the kernel was stopped in {where}: {message}").format(
                where=where, message=rec.get("message", "")[:200])
        if rec.get("kernel_died"):
            return _("the kernel died in {where}").format(where=where)
        if "Failed to interrupt kernel" in rec.get("message", ""):
            return _("the kernel was stopped after {where} timed out and ignored the "
                     "interrupt").format(where=where)
    return None


def classify(exercise, results, info, cell_timeout):
    """(status, message) of one exercise."""
    records = results.get("cells") or []
    check, answer = _find(records, exercise, "check"), _find(records, exercise, "answer")
    died_in = _died(records)
    if check is None:
        if info.get("overall_timeout"):
            return "timeout", _("not run: the notebook did not finish within the overall time "
                                "limit")
        if died_in is not None:
            return "error", _("not run: {why}").format(why=died_in)
        tail = info.get("output", "").strip().splitlines()
        return "error", _("not run: grading stopped early: {output}").format(
            output=first_line(tail[-1]) if tail else _("no output"))
    if check.get("timeout") or (answer and answer.get("timeout")):
        return "timeout", _("a cell ran longer than the {seconds} s cell timeout (an infinite "
                            "loop?)").format(seconds=f"{cell_timeout:g}")
    if check.get("output_limit") or check.get("kernel_died"):
        return "error", died_in or _("the kernel died")
    got = (results.get("verdicts") or {}).get(exercise) or {}
    if got.get("status") not in protocol.STATUSES:
        return "error", _("the grader could not judge this exercise (no verdict was recorded)")
    return got["status"], str(got.get("message") or "")
