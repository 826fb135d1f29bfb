"""``cnncourse grade``: grade submitted exercise notebooks, a class at a time, with verdicts an
instructor can trust.

No decision about a grade is made inside the student's kernel. For each submission:

1. ``notebook``: the submission is parsed strictly (anything malformed is ``invalid`` with a
   message) and a graded copy is built: the pristine exercise notebook's setup and check cells,
   the student's answer cells and extra code cells, nbval markers removed, no outputs;
   ``scan`` reads the student's code for calls of a reference implementation (``flags``);
2. ``runner``: a private folder (the grader's only) holds the copy and the run's configuration;
   pytest + nbval + ``plugin`` run it in a subprocess; the kernel runs in a bubblewrap
   ``sandbox`` (started by ``launch.py``) whose only writable folder is the submission's box;
3. ``plugin`` (trusted, outside the kernel): records what nbval observed of each cell, and
   ``judge`` writes each exercise's secret-seeded inputs into the box before any cell runs and
   judges the outputs the check cells handed out as plain data (``cnncourse.checks.handout``)
   against references it computes itself;
4. ``verdict``: one status per exercise -- ``passed``, ``failed``, ``error`` (unfilled stub or
   crash), ``timeout`` or ``invalid``; ``report``: the CSV/JSON report (formula-safe) and the
   summary; ``cli``: the command line.

``protocol`` defines, once, the file names, environment variables, limits and records they share.
The submitted files are only read, never written.
"""
import sys

# jsonschema (under nbformat) imports rfc3987_syntax when it is installed, and that module
# compiles some forty Earley parsers at import: 1.5 s of CPU for a URL format nbformat's schema
# never uses. The grader imports nbformat in every pytest process it starts; skip that import.
sys.modules.setdefault("rfc3987_syntax", None)
_EXPORTS = {
    "configure_parser": "cli", "run": "cli",
    "Invalid": "notebook", "build_graded": "notebook", "exercises_of": "notebook",
    "read_submission": "notebook",
    "FIELDS": "protocol", "STATUSES": "protocol",
    "Row": "report", "scores": "report", "summary": "report", "write_report": "report",
    "DEFAULT_CELL_TIMEOUT": "runner", "Options": "runner", "grade": "runner", "grade_one": "runner",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    """The public names, imported when first used (the kernel imports only ``protocol``)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'cnncourse.grading' has no attribute {name!r}")
    import importlib
    return getattr(importlib.import_module(f"cnncourse.grading.{_EXPORTS[name]}"), name)
