"""Benchmarks: ``cnncourse bench {ops,grading,training,parallel,all} [options]``
(``python -m cnncourse.bench ...`` is the same).

Each benchmark lives in its own module (cnncourse.bench.<name>) with a ``main(argv)``; all of
them measure side by side in one run on this machine and print the ratios.
"""
import argparse
import importlib

BENCHMARKS = ("ops", "grading", "training", "parallel")


def main(argv):
    """Run the benchmark named by argv[0] (or all of them) with the rest of argv; exit status."""
    if not argv or argv[0] not in BENCHMARKS + ("all",):
        print(__doc__.strip())
        return 2
    names = BENCHMARKS if argv[0] == "all" else (argv[0],)
    status = 0
    for name in names:
        module = importlib.import_module(f"cnncourse.bench.{name}")
        status |= module.main(argv[1:]) or 0
    return status


def configure_parser(parser):
    parser.add_argument("benchmark", choices=BENCHMARKS + ("all",),
                        help="which benchmark to run")
    parser.add_argument("options", nargs=argparse.REMAINDER,
                        help="the benchmark's own options (cnncourse bench NAME --help)")


def run(args):
    return main([args.benchmark, *args.options])
