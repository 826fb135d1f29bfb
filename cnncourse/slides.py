"""Offline reveal.js slide decks of the lecture notebooks.

    cnncourse slides [NOTEBOOK...] [--instructor] [--out DIR]

Each notebook is executed (widget state stored, so sliders still render in the deck), then
exported with nbconvert's reveal.js template: ``slide_type`` metadata makes the slides, ``notes``
cells become speaker notes (press ``s`` in the deck), and cells tagged ``instructor`` are removed
unless ``--instructor`` is given. Student decks go to ``build/slides/``, instructor decks to
``build/slides-instructor/``.

Every script and style sheet a deck loads (reveal.js, require.js, jQuery, MathJax 2, the Jupyter
widgets HTML manager) comes from the local copy ``tools/vendor-web.sh`` puts in ``build/vendor/``
(``make setup`` runs it), referenced by relative paths: the decks open from the file system with
no network. The course site (:mod:`cnncourse.site`) reuses the helpers below.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from pathlib import Path

from . import paths

INSTRUCTOR_TAG = "instructor"
NOTEBOOK_DIR = paths.notebooks()
DEFAULT_OUT = paths.build() / "slides"
DEFAULT_INSTRUCTOR_OUT = paths.build() / "slides-instructor"
EXECUTED_CACHE = paths.build() / "executed"
VENDOR_ENV = "CNNCOURSE_VENDOR"

# Files inside the vendor folder that the templates load (relative to it).
VENDOR_FILES = {
    "reveal": "reveal.js",                       # a folder: dist/reveal.js, plugin/notes/notes.js
    "require": "requirejs/require.js",
    "jquery": "jquery/dist/jquery.min.js",
    "mathjax": "mathjax/MathJax.js",
    "widgets": "html-manager/dist/embed-amd.js",
}

# Two changes to nbconvert's lab and reveal templates:
# - they import Mermaid as an ES module from a CDN (ES modules do not load from file:// either);
#   the course has no Mermaid diagrams, so that block is emptied;
# - the widgets HTML manager finds its Font Awesome files (the Play widget's icons) next to the
#   require.js module ids it loads, by default relative to the page; map those ids to its folder;
#   widget labels get the notebook's UI font instead of the browser's default serif.
_OFFLINE_TEMPLATE = "cnncourse_offline.html.j2"
_TEMPLATE_SOURCE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block jupyter_widgets %}
{%- if "widgets" in nb.metadata -%}
<style>.jupyter-widgets { font-family: var(--jp-ui-font-family, sans-serif); }</style>
<script>
require.config({paths: {
  "@jupyter-widgets": "{{ resources.cnncourse_widgets_dir }}",
  "@jupyter-widgets/html-manager/dist": "{{ resources.cnncourse_widgets_dir }}"
}});
</script>
{%- endif -%}
{{ super() }}
{% endblock jupyter_widgets %}
"""


# --------------------------------------------------------------------------------------------
# Finding things
# --------------------------------------------------------------------------------------------
def vendor_dir() -> Path:
    """The folder holding the offline web assets: $CNNCOURSE_VENDOR, else build/vendor/ of the
    course (cnncourse.paths.build: the checkout's, else the current folder's)."""
    if os.environ.get(VENDOR_ENV):
        return Path(os.environ[VENDOR_ENV]).resolve()
    return paths.build() / "vendor"


def check_vendor(vendor: Path) -> None:
    """Raise FileNotFoundError naming the missing asset and the fix if the vendor copy is short."""
    for key, rel in VENDOR_FILES.items():
        if not (vendor / rel).exists():
            raise FileNotFoundError(
                f"offline web assets missing: {vendor / rel} ({key}). "
                f"Run 'make setup' or 'bash tools/vendor-web.sh {vendor}' once while online "
                f"(it needs npm), or point ${VENDOR_ENV} at a folder made by that script.")


def lecture_notebooks(names=None) -> list[Path]:
    """The notebooks to build: the given paths, or every notebooks/*.ipynb in order."""
    if names:
        paths = [Path(n) for n in names]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise FileNotFoundError(f"no such notebook: {', '.join(missing)}")
        return paths
    paths = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    if not paths:
        raise FileNotFoundError(
            f"no notebooks in {NOTEBOOK_DIR.resolve()}; run from the course folder "
            "or name the notebooks to build")
    return paths


def first_heading(nb) -> str | None:
    """The text of the notebook's first Markdown heading (its title), or None."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            line = line.strip()
            if line.startswith("#"):
                return line.lstrip("#").strip()
    return None


# --------------------------------------------------------------------------------------------
# Executing (once per notebook version, cached in build/executed/)
# --------------------------------------------------------------------------------------------
_NOT_IMPORTED_BY_NOTEBOOKS = {"slides.py", "site.py", "cli.py", "grading.py", "exercises.py"}


def _package_fingerprint() -> str:
    """A hash of the cnncourse code the notebooks run (not of these build tools)."""
    digest = hashlib.sha256()
    for path in sorted(paths.PACKAGE.rglob("*.py")):
        if path.parent.name == "cnncourse" and path.name in _NOT_IMPORTED_BY_NOTEBOOKS:
            continue
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _build_key(path: Path) -> str:
    return hashlib.sha256(path.read_bytes() + _package_fingerprint().encode()).hexdigest()


@contextlib.contextmanager
def _kernel_environment():
    """Kernels started here draw figures inline even if the caller set MPLBACKEND=Agg, and
    TensorFlow keeps its start-up chatter out of the build log."""
    wanted = {"MPLBACKEND": "module://matplotlib_inline.backend_inline",
              "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}
    old = {key: os.environ.get(key) for key in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute_notebook(path: Path, cache_dir: Path | None = EXECUTED_CACHE, timeout: int = 600,
                     fresh: bool = False):
    """Run every cell of ``path`` in a fresh python3 kernel (cwd = the notebook's folder) and
    return the notebook with its outputs and widget state. The result is cached in ``cache_dir``
    under a key made of the notebook's bytes and the cnncourse package's code; ``fresh`` ignores
    the cache. Raises nbclient's CellExecutionError when a cell fails."""
    import nbformat
    from nbconvert.preprocessors import ExecutePreprocessor

    path = Path(path)
    key = _build_key(path)
    cached = Path(cache_dir) / path.name if cache_dir else None
    if cached and cached.exists() and not fresh:
        nb = nbformat.read(cached, as_version=4)
        if nb.metadata.get("cnncourse", {}).get("build_key") == key:
            return nb
    nb = nbformat.read(path, as_version=4)
    executor = ExecutePreprocessor(timeout=timeout, kernel_name="python3", store_widget_state=True)
    with _kernel_environment():
        executor.preprocess(nb, {"metadata": {"path": str(path.parent.resolve())}})
    nb.metadata.setdefault("cnncourse", {})["build_key"] = key
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, cached)
    return nb


# --------------------------------------------------------------------------------------------
# Exporting with local assets
# --------------------------------------------------------------------------------------------
def _rel(target: Path, out_dir: Path) -> str:
    return Path(os.path.relpath(target, out_dir.resolve())).as_posix()


def offline_exporter(kind: str, out_dir: Path, vendor: Path, instructor: bool = False,
                     drop_notes: bool = False):
    """An nbconvert exporter ("slides" or "html") whose pages, written to ``out_dir``, load every
    asset from ``vendor`` by relative path, and which drops ``instructor`` cells unless asked
    (and speaker-notes cells if ``drop_notes``). Export with :func:`export`."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter, SlidesExporter
    from traitlets.config import Config

    check_vendor(vendor)
    cls = {"slides": SlidesExporter, "html": HTMLExporter}[kind]
    assets = {key: _rel(vendor / rel, out_dir) for key, rel in VENDOR_FILES.items()}
    c = Config()
    opts = c[cls.__name__]
    opts.require_js_url = assets["require"]
    opts.jquery_url = assets["jquery"]
    opts.mathjax_url = assets["mathjax"] + "?config=TeX-AMS_CHTML-full,Safe"
    opts.widget_renderer_url = assets["widgets"]
    if kind == "slides":
        opts.reveal_url_prefix = assets["reveal"]
        opts.reveal_theme = "white"        # "simple" fetches Google fonts; white ships its own
        opts.reveal_scroll = True          # long code cells scroll instead of being cut off
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set() if instructor else {INSTRUCTOR_TAG}
    exporter = cls(config=c, template_file=_OFFLINE_TEMPLATE,
                   extra_loaders=[DictLoader({_OFFLINE_TEMPLATE: _TEMPLATE_SOURCE})])
    if drop_notes:
        exporter.register_preprocessor(_drop_notes, enabled=True)
    exporter.cnncourse_widgets_dir = assets["widgets"].rsplit("/", 1)[0]
    return exporter


def _drop_notes(nb, resources):
    """Remove speaker-notes cells (slide_type "notes"): they talk to the teacher."""
    nb.cells = [c for c in nb.cells
                if c.metadata.get("slideshow", {}).get("slide_type") != "notes"]
    return nb, resources


def export(exporter, nb, name: str, target: Path) -> Path:
    """Render ``nb`` with an :func:`offline_exporter` into ``target``; return ``target``."""
    resources = {"metadata": {"name": name},
                 "cnncourse_widgets_dir": exporter.cnncourse_widgets_dir}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    target.write_text(body, encoding="utf-8")
    return target


def write_deck(nb, name: str, out_dir: Path, vendor: Path, instructor: bool = False) -> Path:
    """Export an executed notebook as ``out_dir/<name>.slides.html``; return that path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = offline_exporter("slides", out_dir, vendor, instructor)
    return export(exporter, nb, name, out_dir / f"{name}.slides.html")


def build_decks(paths, out_dir: Path, instructor: bool = False, timeout: int = 600,
                fresh: bool = False, log=print, cache_dir: Path | None = EXECUTED_CACHE
                ) -> tuple[list[Path], list[str]]:
    """Execute and export each notebook; returns (decks written, error messages)."""
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    vendor = vendor_dir()
    check_vendor(vendor)
    decks, errors = [], []
    for path in paths:
        log(f"slides: {path} ...")
        try:
            nb = execute_notebook(path, cache_dir, timeout=timeout, fresh=fresh)
        except (CellExecutionError, CellTimeoutError) as exc:
            errors.append(f"{path}: a cell failed while executing:\n{exc}")
            continue
        decks.append(write_deck(nb, Path(path).stem, out_dir, vendor, instructor))
        log(f"  -> {decks[-1]}")
    return decks, errors


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------
def configure_parser(parser):
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help="notebooks to build (default: every notebooks/*.ipynb)")
    parser.add_argument("--instructor", action="store_true",
                        help=f"keep the cells tagged '{INSTRUCTOR_TAG}' (default out: "
                             f"{DEFAULT_INSTRUCTOR_OUT}/)")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"output folder (default: {DEFAULT_OUT}/)")
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds a single cell may run (default: 600)")
    parser.add_argument("--fresh", action="store_true",
                        help=f"execute again even if {EXECUTED_CACHE}/ holds an up-to-date run")


def run(args) -> int:
    out = args.out or (DEFAULT_INSTRUCTOR_OUT if args.instructor else DEFAULT_OUT)
    return run_build(
        lambda: build_decks(lecture_notebooks(args.notebooks), out, args.instructor,
                            args.timeout, args.fresh),
        lambda decks: f"{len(decks)} deck(s) in {out}/ - open one in a browser; press 's' for "
                      "speaker notes.")


def run_build(build, done) -> int:
    """A build command's ending (slides and site): build() -> (result, errors); a missing
    notebook or asset is one error line, each notebook that failed another; done(result) says
    where the result is. Exit status 1 when anything failed."""
    try:
        result, errors = build()
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for message in errors:
        print(f"error: {message}", file=sys.stderr)
    print(done(result))
    return 1 if errors else 0
