"""The layout written in cnncourse/__init__.py's docstring is the package's: every module and
subpackage is named there once, and nothing else is."""
import re

import cnncourse
from cnncourse import paths


def test_the_package_docstring_lists_every_module():
    named = re.findall(r"^    (\w+)(?:\.py|/) ", cnncourse.__doc__, re.M)
    modules = {p.stem for p in paths.PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    packages = {p.name for p in paths.PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert sorted(named) == sorted(modules | packages)
