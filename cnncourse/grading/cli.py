"""``cnncourse grade SUBMISSION... [--report out.csv|out.json]``: options, progress, summary."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from cnncourse.grading import protocol
from cnncourse.grading.report import scores, summary, write_report
from cnncourse.grading.runner import DEFAULT_CELL_TIMEOUT, Options, grade, resolve_sandbox
from cnncourse.grading.verdict import first_line


def configure_parser(parser):
    from cnncourse.checks import CHAPTERS
    from cnncourse import paths
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                        help="submitted exercise notebooks (.ipynb)")
    parser.add_argument("--report", metavar="PATH.csv|PATH.json",
                        help="write one row per submission x exercise: "
                             + ", ".join(protocol.FIELDS))
    parser.add_argument("--timeout", type=float, default=DEFAULT_CELL_TIMEOUT, metavar="S",
                        help="seconds one cell may run (default: %(default)s)")
    parser.add_argument("--total-timeout", type=float, default=None, metavar="S",
                        help="seconds a whole notebook may run (default: 120 + 4 x --timeout)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="notebooks graded at once (default: the number of CPUs)")
    parser.add_argument("--chapter", choices=sorted(CHAPTERS), default=None,
                        help="the chapter every submission must be (default: each notebook's own)")
    parser.add_argument("--exercises-dir", type=Path, default=paths.exercises(),
                        help="folder of the pristine exercise notebooks (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=None,
                        help="the seed of the grader's secret cases (default: a new random one, "
                             "printed in the summary and the report; give it to reproduce a run)")
    parser.add_argument("--sandbox", choices=("auto", "require", "none"), default="auto",
                        help="run each kernel in a bubblewrap sandbox: where it works (auto), "
                             "or refuse to grade without one (require), or never (none)")
    parser.add_argument("--memory", type=int, default=None, metavar="MiB",
                        help="address space of each sandbox process (default: "
                             f"{protocol.DEFAULT_LIMITS['memory'] >> 20})")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="grade on a Dask distributed cluster (e.g. tcp://host:8786) instead "
                             "of local processes; every worker needs the course and bwrap")


def run(args):
    if args.report and Path(args.report).suffix.lower() not in (".csv", ".json"):
        print(f"cnncourse grade: --report {args.report} must end in .csv or .json",
              file=sys.stderr)
        return 2
    options = Options(chapter=args.chapter, cell_timeout=args.timeout,
                      total_timeout=args.total_timeout, sandbox=args.sandbox)
    if args.seed is not None:
        options.seed = args.seed
    if args.memory:
        options.limits["memory"] = args.memory << 20
    try:
        box = resolve_sandbox(args.sandbox)
    except RuntimeError as err:
        print(f"cnncourse grade: --sandbox require: {err}", file=sys.stderr)
        return 2
    if args.scheduler:
        try:
            import distributed  # noqa: F401
        except ImportError:
            print("cnncourse grade: --scheduler needs Dask: pip install 'cnncourse[cluster]'",
                  file=sys.stderr)
            return 2
    start = time.perf_counter()

    def progress(path, rows):
        passed, total = scores([r if not isinstance(r, dict) else _row(r) for r in rows])[str(path)]
        print(f"graded {path}: {passed}/{total}", file=sys.stderr, flush=True)

    rows = grade(args.submissions, options, args.jobs, args.exercises_dir, progress=progress,
                 scheduler=args.scheduler)
    print(summary(rows), end="")
    for row in rows:
        if row.status != "passed":
            print(f"  {row.submission} {row.exercise}: {row.status}: {first_line(row.message, 160)}")
        if row.flags:
            print(f"  {row.submission} {row.exercise}: flagged: {first_line(row.flags, 160)}")
    print(f"seed of the secret cases: {options.seed} (cnncourse grade --seed {options.seed} "
          "reproduces this run)")
    if args.scheduler is None:
        if box.isolated:
            print("sandbox: every kernel ran in a bubblewrap sandbox (no network, own processes, "
                  "read-only course, limits)")
        else:
            print(f"NOT ISOLATED: the kernels ran without a sandbox ({box.reason}); a hostile "
                  "notebook could have read or changed files of this machine and other "
                  "submissions")
    if args.report:
        write_report(rows, args.report)
        print(f"report: {args.report} ({len(rows)} rows)")
    print(f"graded {len(args.submissions)} submission(s) in {time.perf_counter() - start:.1f} s")
    return 0


def _row(data):
    from cnncourse.grading.report import Row
    return Row(**data)
