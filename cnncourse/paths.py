"""Where the course's folders are: one answer for the grader, the exercise generator, the slides,
the site and the benchmarks.

From a course checkout (this package sits beside ``pyproject.toml`` and ``solutions/``), every
folder is the checkout's, whatever the current folder is. An installed wheel has no checkout: the
pristine exercise notebooks travel inside the package (``cnncourse/_exercises/``, copied there
when the wheel is built, see ``setup.py``) so that ``cnncourse grade`` works from any folder, and
the folders a user writes to or reads lectures from (``build/``, ``notebooks/``) are those of the
current folder.

These are functions, not constants: the current folder can change between calls.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
SHIPPED_EXERCISES = PACKAGE / "_exercises"     # only in a built wheel


def checkout() -> Path | None:
    """The course checkout this package belongs to, or None for an installed wheel."""
    root = PACKAGE.parent
    if (root / "pyproject.toml").is_file() and (root / "solutions").is_dir():
        return root
    return None


def root() -> Path:
    """The course folder: the checkout, else the current folder."""
    return checkout() or Path.cwd()


def notebooks() -> Path:
    """The lecture notebooks (``notebooks/``)."""
    return root() / "notebooks"


def solutions() -> Path:
    """The solution notebooks, the exercises' single source (``solutions/``)."""
    return root() / "solutions"


def exercises() -> Path:
    """The pristine exercise notebooks: the checkout's ``exercises/``, else the wheel's copy."""
    where = checkout()
    return where / "exercises" if where else SHIPPED_EXERCISES


def build() -> Path:
    """Where generated files go (``build/``: slides, site, executed notebooks, benchmarks)."""
    return root() / "build"
