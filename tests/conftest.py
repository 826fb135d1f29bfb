import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.pop("CNNCOURSE_LANG", None)   # the tests speak English unless they choose Korean


def pytest_terminal_summary(terminalreporter):
    """Print how long each notebook took (DESIGN.md: lecture notebooks under a minute)."""
    from tests import test_notebooks
    if test_notebooks.TIMES:
        terminalreporter.section("notebook run times (nbval-lax)")
        for name, seconds in sorted(test_notebooks.TIMES.items()):
            terminalreporter.write_line(f"{name:<45}{seconds:7.1f} s")


def pytest_collection_modifyitems(session, config, items):
    """The deck test runs last: it builds the decks from the notebook runs that
    tests/test_notebooks.py and tests/test_i18n.py recorded (cnncourse.deck_record) instead of
    executing every lecture a second time."""
    items.sort(key=lambda item: item.path.name == "test_decks.py")
