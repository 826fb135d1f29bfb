"""constraints.txt: the pinned versions `make lab` / `make test` install with (written by `make lock`).

Checked against pyproject.toml's ranges (a pin outside its range would make the install fail) and
against the Makefile (the install line must use it); the pins themselves come from a fresh venv.
"""
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r'^([A-Za-z0-9_.\-]+)==([^;\s]+); python_version == "(\d+\.\d+)"$')


def pins():
    lines = [line for line in (ROOT / "constraints.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    found = {}
    for line in lines:
        m = PIN.match(line)
        assert m, f"constraints.txt: not 'name==version; python_version == \"X.Y\"': {line!r}"
        found[canonicalize_name(m.group(1))] = (Version(m.group(2)), m.group(3))
    return found


def requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]]
    return [r for r in reqs if r.marker is None or r.marker.evaluate()]


def test_every_requirement_is_pinned_inside_its_range():
    pinned = pins()
    assert len({py for _, py in pinned.values()}) == 1, "one Python version per lock"
    for req in requirements():
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req.name} is not pinned in constraints.txt: run `make lock`"
        assert req.specifier.contains(pinned[name][0], prereleases=True), \
            f"{req.name}=={pinned[name][0]} is outside pyproject.toml's range {req.specifier}"


def test_the_pins_include_the_frameworks():
    pinned = pins()
    for name in ("keras", "numpy", "jax", "jaxlib"):
        assert name in pinned, name
    assert "tensorflow-cpu" in pinned or "tensorflow" in pinned


@pytest.mark.parametrize("target", [".venv/.cnncourse-installed"])
def test_make_installs_with_the_constraints(target):
    out = subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    install = [line for line in out.splitlines() if 'install --quiet -e ".[dev]"' in line]
    assert install and all(line.rstrip().endswith("-c constraints.txt") for line in install), out


def test_make_lock_builds_a_fresh_venv_and_writes_the_file():
    out = subprocess.run(["make", "-n", "lock", "LOCK_TESTS=no"], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert "rm -rf build/lock-venv" in out and "-m venv build/lock-venv" in out
    assert 'build/lock-venv/bin/python -m pip install --quiet -e ".[dev]"' in out
    assert "-c constraints.txt" not in out            # the lock resolves the ranges, not the old pins
    assert "tools/lock.py constraints.txt --untested" in out
