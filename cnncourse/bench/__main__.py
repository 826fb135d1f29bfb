"""python -m cnncourse.bench {ops,grading,training,parallel,all} [options]

Each benchmark lives in its own module (cnncourse.bench.<name>) with a ``main(argv)``; all of
them measure side by side in one run on this machine and print the ratios.
"""
import importlib
import sys

BENCHMARKS = ("ops", "grading", "training", "parallel")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in BENCHMARKS + ("all",):
        print(__doc__.strip())
        return 2
    names = BENCHMARKS if argv[0] == "all" else (argv[0],)
    status = 0
    for name in names:
        module = importlib.import_module(f"cnncourse.bench.{name}")
        status |= module.main(argv[1:]) or 0
    return status


if __name__ == "__main__":
    sys.exit(main())
