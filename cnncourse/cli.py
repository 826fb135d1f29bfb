"""The `cnncourse` command line (also `python -m cnncourse`): one subcommand per task, each
implemented in its own module.

Every module named in COMMANDS exposes ``configure_parser(parser)`` and ``run(args) -> int``;
it is imported only when its command runs, so `cnncourse doctor` does not load TensorFlow.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "doctor": ("cnncourse.checkup", "check versions, CPU/GPU and the Fashion-MNIST files"),
    "exercises": ("cnncourse.exercises", "regenerate exercises/ from solutions/"),
    "i18n": ("cnncourse.translation.command", "Korean edition: update catalogs, build, status"),
    "grade": ("cnncourse.grading", "grade submitted exercise notebooks with nbval"),
    "slides": ("cnncourse.slides", "build offline reveal.js decks of the lecture notebooks"),
    "site": ("cnncourse.site", "build the static course site (HTML with outputs)"),
    "bench": ("cnncourse.bench", "benchmarks: reference ops, grading speed, training"),
}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(
        prog="cnncourse", description="Tools of the cnncourse CNN course.",
        epilog="Run 'cnncourse COMMAND --help' for a command's options.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    if not argv or argv[0] not in COMMANDS:
        parser.print_help() if not argv or argv[0] in ("-h", "--help") else parser.parse_args(argv)
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    name = argv[0]
    module = importlib.import_module(COMMANDS[name][0])
    command_parser = argparse.ArgumentParser(prog=f"cnncourse {name}",
                                             description=COMMANDS[name][1])
    module.configure_parser(command_parser)
    args = command_parser.parse_args(argv[1:])
    return module.run(args) or 0


if __name__ == "__main__":
    sys.exit(main())
