"""The wheel carries the pristine exercise notebooks (``cnncourse/_exercises/``): an installed
``cnncourse grade`` restores each submission's setup and check cells from them, with no checkout
around (``cnncourse.paths.exercises``). Everything else about the package is in pyproject.toml."""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithExercises(build_py):
    """build_py, then exercises/**/*.ipynb copied into the built package as cnncourse/_exercises/.
    An editable install reads the checkout's exercises/ directly and gets no copy."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "cnncourse" / "_exercises"
        for notebook in sorted((HERE / "exercises").rglob("*.ipynb")):
            if ".ipynb_checkpoints" in notebook.parts:
                continue
            copy = target / notebook.relative_to(HERE / "exercises")
            self.mkpath(str(copy.parent))
            self.copy_file(str(notebook), str(copy))


setup(cmdclass={"build_py": BuildPyWithExercises})
