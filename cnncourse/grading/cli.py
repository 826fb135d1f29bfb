"""``cnncourse grade SUBMISSION... [--report out.csv|out.json]``: options, progress, summary.

Language: each submission's report messages are in its own language (``--lang`` overrides it,
see runner.py). What this command prints itself (errors, progress, the summary and its notes) is in
``--lang``, else the grader's own language when one was chosen (CNNCOURSE_LANG), else the
language every submission shares (a class of Korean notebooks: Korean), else English; its
``--help`` is in the grader's own language.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from cnncourse import i18n
from cnncourse.grading import protocol
from cnncourse.grading.report import scores, status_name, summary, write_report
from cnncourse.grading.runner import DEFAULT_CELL_TIMEOUT, Options, grade, resolve_sandbox
from cnncourse.grading.verdict import first_line
from cnncourse.i18n import _


def configure_parser(parser):
    from cnncourse.checks import CHAPTERS
    from cnncourse import paths
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                        help=_("submitted exercise notebooks (.ipynb)"))
    parser.add_argument("--report", metavar="PATH.csv|PATH.json",
                        help=_("write one row per submission x exercise: {columns}").format(
                            columns=", ".join(protocol.FIELDS)))
    parser.add_argument("--timeout", type=float, default=DEFAULT_CELL_TIMEOUT, metavar="S",
                        help=_("seconds one cell may run (default: %(default)s)"))
    parser.add_argument("--total-timeout", type=float, default=None, metavar="S",
                        help=_("seconds a whole notebook may run (default: 120 + 4 x --timeout)"))
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help=_("notebooks graded at once (default: the number of CPUs)"))
    parser.add_argument("--chapter", choices=sorted(CHAPTERS), default=None,
                        help=_("the chapter every submission must be (default: each notebook's "
                               "own)"))
    parser.add_argument("--exercises-dir", type=Path, default=paths.exercises(),
                        help=_("folder of the pristine exercise notebooks, with the Korean ones "
                               "in its ko/ (default: %(default)s)"))
    parser.add_argument("--lang", choices=sorted(i18n.LANGUAGES), default=None,
                        help=_("the language of the report's messages and of the summary "
                               "(default: each submission's own language)"))
    parser.add_argument("--seed", type=int, default=None,
                        help=_("the seed of the grader's secret cases (default: a new random "
                               "one, printed in the summary and the report; give it to "
                               "reproduce a run)"))
    parser.add_argument("--sandbox", choices=("auto", "require", "none"), default="auto",
                        help=_("run each kernel in a bubblewrap sandbox: where it works (auto), "
                               "or refuse to grade without one (require), or never (none)"))
    parser.add_argument("--memory", type=int, default=None, metavar="MiB",
                        help=_("address space of each sandbox process (default: {memory})").format(
                            memory=protocol.DEFAULT_LIMITS["memory"] >> 20))
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help=_("grade on a Dask distributed cluster (e.g. tcp://host:8786) "
                               "instead of local processes; every worker needs the course and "
                               "bwrap"))


def _error(message):
    print(_("cnncourse grade: {message}").format(message=message), file=sys.stderr)
    return 2


def run(args):
    lang = getattr(args, "lang", None)
    with i18n.language(lang or i18n.chosen_language() or _shared_language(args.submissions)):
        if args.report and Path(args.report).suffix.lower() not in (".csv", ".json"):
            return _error(_("--report {path} must end in .csv or .json").format(path=args.report))
        options = Options(chapter=args.chapter, cell_timeout=args.timeout,
                          total_timeout=args.total_timeout, sandbox=args.sandbox, lang=lang)
        if args.seed is not None:
            options.seed = args.seed
        if args.memory:
            options.limits["memory"] = args.memory << 20
        try:
            box = resolve_sandbox(args.sandbox)
        except RuntimeError as err:
            return _error(f"--sandbox require: {err}")
        if args.scheduler:
            try:
                import distributed  # noqa: F401
            except ImportError:
                return _error(_("--scheduler needs Dask: pip install 'cnncourse[cluster]'"))

        def progress(path, rows):
            passed, total = scores([r if not isinstance(r, dict) else _row(r)
                                    for r in rows])[str(path)]
            print(_("graded {path}: {passed}/{total}").format(path=path, passed=passed,
                                                               total=total),
                  file=sys.stderr, flush=True)

        start = time.perf_counter()
        rows = grade(args.submissions, options, args.jobs, args.exercises_dir,
                     progress=progress, scheduler=args.scheduler)
        _print_summary(args, rows, options, box)
        print(_("graded {count} submission(s) in {seconds} s").format(
            count=len(args.submissions), seconds=f"{time.perf_counter() - start:.1f}"))
    return 0


def _print_summary(args, rows, options, box):
    print(summary(rows), end="")
    for row in rows:
        if row.status != "passed":
            print(_("  {submission} {exercise}: {status}: {message}").format(
                submission=row.submission, exercise=row.exercise,
                status=status_name(row.status), message=first_line(row.message, 160)))
        if row.flags:
            print(_("  {submission} {exercise}: flagged: {flags}").format(
                submission=row.submission, exercise=row.exercise,
                flags=first_line(row.flags, 160)))
    print(_("seed of the secret cases: {seed} (cnncourse grade --seed {seed} reproduces this "
            "run)").format(seed=options.seed))
    if args.scheduler is None:
        if box.isolated:
            print(_("sandbox: every kernel ran in a bubblewrap sandbox (no network, own "
                    "processes, read-only course, limits)"))
        else:
            print(_("NOT ISOLATED: the kernels ran without a sandbox ({reason}); a hostile "
                    "notebook could have read or changed files of this machine and other "
                    "submissions").format(reason=_(box.reason)))
    if args.report:
        write_report(rows, args.report)
        print(_("report: {path} ({count} rows)").format(path=args.report, count=len(rows)))


def _shared_language(paths):
    """The language of every submission when they all share one (a Korean class: "ko"), else
    English. Reads only the notebooks' metadata; a file that is no notebook does not count."""
    import json
    from cnncourse.grading.notebook import language_of
    from cnncourse.grading.runner import read_file
    found = set()
    for path in paths:
        try:
            meta = json.loads(read_file(path).decode("utf-8")).get("metadata", {})
            found.add(language_of(meta.get("cnncourse", {})))
        except Exception:                          # noqa: BLE001  (invalid: graded as such)
            continue
    return found.pop() if len(found) == 1 else "en"


def _row(data):
    from cnncourse.grading.report import Row
    return Row(**data)
