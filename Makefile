# Two commands for a newcomer: `make lab` and `make test`. Both do the whole set-up first.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.cnncourse-installed
PORT   ?= 8888
SUBMISSIONS ?= submissions/*.ipynb
REPORT ?= grades.csv

.PHONY: setup lab test grade slides site bench exercises clean help

help:
	@echo "make lab        set up, then open JupyterLab on notebooks/00_welcome.ipynb"
	@echo "make test       set up, then run the whole test suite"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make grade SUBMISSIONS='dir/*.ipynb' [REPORT=grades.csv]"
	@echo "make slides | make site | make bench"

# The venv is rebuilt only when pyproject.toml changes (the stamp is older).
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)
	@bash tools/system-setup.sh

lab: setup
	$(VENV)/bin/jupyter lab --port=$(PORT) notebooks/00_welcome.ipynb

test: setup
	$(PY) -m pytest

exercises: setup
	$(VENV)/bin/cnncourse exercises

grade: setup
	$(VENV)/bin/cnncourse grade $(SUBMISSIONS) --report $(REPORT)

slides: setup
	$(VENV)/bin/cnncourse slides

site: setup
	$(VENV)/bin/cnncourse site

bench: setup
	$(PY) -m cnncourse.bench all

clean:
	rm -rf build test-artifacts .pytest_cache
