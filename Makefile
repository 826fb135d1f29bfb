# Two commands for a newcomer: `make lab` and `make test`. Both do the whole set-up first.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.cnncourse-installed
PORT   ?= 8888
SUBMISSIONS ?= submissions/*.ipynb
REPORT ?= grades.csv

# The edition `make lab` opens: COURSE_LANG=ko|en, else Korean when the locale is (LANG=ko_*, or LC_ALL / LC_MESSAGES).
COURSE_LANG ?= $(if $(filter ko%,$(firstword $(LC_ALL) $(LC_MESSAGES) $(LANG))),ko,en)
LAB_NOTEBOOK := notebooks/$(if $(filter ko,$(COURSE_LANG)),ko/)00_welcome.ipynb

.PHONY: setup lab test grade slides site bench exercises i18n screenshots lock clean help

help:
	@echo "make lab        set up, then open JupyterLab on notebooks/00_welcome.ipynb"
	@echo "                (COURSE_LANG=ko: the Korean edition, notebooks/ko/00_welcome.ipynb)"
	@echo "make test       set up, then run the whole test suite"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make i18n       update the Korean catalogs (i18n/ko) and rebuild the Korean notebooks"
	@echo "make grade SUBMISSIONS='dir/*.ipynb' [REPORT=grades.csv] [CHAPTER=02_convolution]"
	@echo "make slides     both editions' decks: build/slides/ and build/slides/ko/ (+ instructor decks)"
	@echo "make site       both editions' site: build/site/ and build/site/ko/, a language switch on every page"
	@echo "make bench"
	@echo "make screenshots  every widget in JupyterLab and every deck slide, in test-artifacts/"
	@echo "make lock       rewrite constraints.txt from a fresh venv (the versions make test passes with)"

# The venv is rebuilt only when pyproject.toml or constraints.txt changes (the stamp is older).
# constraints.txt pins every package to the version `make test` last passed with (`make lock`
# writes it); pyproject.toml keeps the ranges for people who `pip install` the package.
CONSTRAINTS ?= constraints.txt
PIP_CONSTRAINTS := $(if $(wildcard $(CONSTRAINTS)),-c $(CONSTRAINTS))

$(STAMP): pyproject.toml $(wildcard $(CONSTRAINTS))
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]" $(PIP_CONSTRAINTS)
	@touch $(STAMP)

setup: $(STAMP)
	@bash tools/system-setup.sh

# No news fetch or update check (offline, clean screenshots); the terminal is bash with the
# course's venv first on PATH after the user's own set-up (tools/lab-shellrc.sh); root containers
# need --allow-root. tests/test_lab.py starts JupyterLab with the same flags.
LAB_FLAGS := --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
             --ServerApp.terminado_settings='shell_command=["bash", "--rcfile", "$(CURDIR)/tools/lab-shellrc.sh", "-i"]' \
             $(if $(filter 0,$(shell id -u)),--allow-root)

# tools/lab-setup.py: the notebooks' kernel is this venv's python; no news pop-up on a fresh start.
lab: setup
	$(PY) tools/lab-setup.py
	CNNCOURSE_VENV="$(abspath $(VENV))" PATH="$(abspath $(VENV))/bin:$$PATH" \
	  $(VENV)/bin/jupyter lab --port=$(PORT) $(LAB_FLAGS) $(LAB_NOTEBOOK)

test: setup
	$(PY) -m pytest --durations=30

exercises: setup
	$(VENV)/bin/cnncourse exercises

i18n: setup
	$(VENV)/bin/cnncourse i18n update
	$(VENV)/bin/cnncourse i18n build

grade: setup
	$(VENV)/bin/cnncourse grade $(SUBMISSIONS) --report $(REPORT) $(if $(CHAPTER),--chapter $(CHAPTER))

# Both editions (English, Korean in the ko/ subfolders); `cnncourse slides --lang ko` builds one.
slides: setup
	$(VENV)/bin/cnncourse slides
	$(VENV)/bin/cnncourse slides --instructor

site: setup
	$(VENV)/bin/cnncourse site

# The screenshot tour: each lecture notebook with a widget run in JupyterLab (one picture per
# widget, test-artifacts/tour/) and every slide of every deck (test-artifacts/decks/).
screenshots: setup
	CNNCOURSE_TOUR=1 $(PY) -m pytest -q tests/test_browser.py -k screenshot_tour tests/test_decks.py

bench: setup
	$(VENV)/bin/cnncourse bench all

# constraints.txt from a fresh venv: the newest versions pyproject.toml allows, installed without
# constraints, then the whole test suite on them (LOCK_TESTS=no skips it), then tools/lock.py
# writes what is installed (pinned for that Python version).
LOCK_VENV  := build/lock-venv
LOCK_TESTS ?= yes
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install --quiet -e ".[dev]"
	$(if $(filter yes,$(LOCK_TESTS)),bash tools/system-setup.sh && $(LOCK_VENV)/bin/python -m pytest)
	$(LOCK_VENV)/bin/python tools/lock.py $(CONSTRAINTS) $(if $(filter yes,$(LOCK_TESTS)),--tested,--untested)

# build/vendor (the offline copies of reveal.js and MathJax) is kept so decks still build offline
clean:
	rm -rf build/slides build/slides-instructor build/site build/executed test-artifacts .pytest_cache
