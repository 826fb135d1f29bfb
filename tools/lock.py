"""Write constraints.txt from the packages of a (fresh) venv: `make lock` runs this with that venv's Python.

usage: python tools/lock.py OUT [--tested|--untested]

Every pinned line carries the venv's Python version as a marker (numpy==2.4.6; python_version == "3.11"):
the pins are what `make test` passed with on that Python; on another Python the ranges of
pyproject.toml apply (a pin made on 3.11 may not exist for 3.10).
"""
import datetime
import platform
import subprocess
import sys
from pathlib import Path


def main(argv):
    out, tested = Path(argv[0]), "--untested" not in argv
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable"],
                            capture_output=True, text=True, check=True).stdout.split("\n")
    skip = ("cnncourse==", "pip==")              # the course itself; pip is upgraded by the set-up
    pins = sorted((line for line in frozen if "==" in line and not line.lower().startswith(skip)),
                  key=str.lower)
    py = ".".join(platform.python_version_tuple()[:2])
    header = [f"# Versions `make test` {'passed with' if tested else 'installed (the tests were NOT run: LOCK_TESTS=no)'}"
              f" - written by `make lock` on {datetime.date.today()} from a fresh venv,",
              f"# Python {platform.python_version()} on {platform.system()} {platform.machine()}. "
              "`make lab` / `make test` install with -c constraints.txt;",
              f"# on a Python other than {py} the ranges of pyproject.toml apply.",]
    out.write_text("\n".join(header + [f'{pin}; python_version == "{py}"' for pin in pins]) + "\n")
    print(f"wrote {out}: {len(pins)} packages pinned for Python {py}")


if __name__ == "__main__":
    main(sys.argv[1:])
