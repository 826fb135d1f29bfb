"""The `cnncourse` command line (also `python -m cnncourse`): one subcommand per task, each
implemented in its own module.

Every module named in COMMANDS exposes ``configure_parser(parser)`` and ``run(args) -> int``;
it is imported only when its command runs, so `cnncourse doctor` does not load TensorFlow.

Language (CNNCOURSE_LANG=ko, cnncourse.i18n): the command list, argparse's own usage and error
lines, and the options and errors of the commands learners and instructors run (`doctor`,
`grade`) speak Korean; the options of the authors' and developers' tools (`exercises`, `i18n`,
`slides`, `site`, `bench`) stay English.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import sys

from .i18n import N_, _

COMMANDS = {
    "doctor": ("cnncourse.checkup", N_("check versions, CPU/GPU and the Fashion-MNIST files")),
    "exercises": ("cnncourse.exercises", N_("regenerate exercises/ from solutions/")),
    "i18n": ("cnncourse.translation.command",
             N_("Korean edition: update catalogs, build, status")),
    "grade": ("cnncourse.grading", N_("grade submitted exercise notebooks with nbval")),
    "slides": ("cnncourse.slides", N_("build offline reveal.js decks of the lecture notebooks")),
    "site": ("cnncourse.site", N_("build the static course site (HTML with outputs)")),
    "bench": ("cnncourse.bench", N_("benchmarks: reference ops, grading speed, training")),
}
#: argparse's own messages that a learner meets (usage, help, errors), in the package catalog:
#: argparse looks each up through its module's gettext function, which main() points at ours
ARGPARSE_MESSAGES = (
    N_("usage: "), N_("positional arguments"), N_("options"),
    N_("show this help message and exit"), N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"), N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"), N_("expected one argument"),
    N_("expected at least one argument"), N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"), N_("ambiguous option: %(option)s could match %(matches)s"),
)


@contextlib.contextmanager
def argparse_in_language():
    """argparse's messages through the package catalog (English where it has none)."""
    original = argparse._
    argparse._ = _
    try:
        yield
    finally:
        argparse._ = original


def main(argv=None):
    with argparse_in_language():
        return _main(argv)


def _main(argv):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(
        prog="cnncourse", description=_("Tools of the cnncourse CNN course."),
        epilog=_("Run 'cnncourse COMMAND --help' for a command's options."))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=_(help_text), add_help=False)
    if not argv or argv[0] not in COMMANDS:
        parser.print_help() if not argv or argv[0] in ("-h", "--help") else parser.parse_args(argv)
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    name = argv[0]
    module = importlib.import_module(COMMANDS[name][0])
    command_parser = argparse.ArgumentParser(prog=f"cnncourse {name}",
                                             description=_(COMMANDS[name][1]))
    module.configure_parser(command_parser)
    args = command_parser.parse_args(argv[1:])
    return module.run(args) or 0


if __name__ == "__main__":
    sys.exit(main())
