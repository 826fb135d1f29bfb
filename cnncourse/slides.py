"""Offline reveal.js slide decks of the lecture notebooks.

    cnncourse slides [--lang en|ko|all] [--instructor] [--out DIR]
    cnncourse slides NOTEBOOK_OR_FOLDER... [--lang en|ko] [--instructor] [--out DIR]

Each notebook is executed once (cached in ``build/executed/`` of the course until the notebook or
the package changes), then exported with nbconvert's reveal.js template and the course's changes
to it (:mod:`cnncourse.deck_template`): 16:9 slides that fit the screen, ``notes`` cells as
speaker notes (press ``s``), cells tagged ``instructor`` removed unless ``--instructor`` is given,
and the course widgets as players of frames computed in the kernel (:mod:`cnncourse.deck_widgets`)
so that no control in a deck waits for a kernel. Student decks go to ``build/slides/``,
instructor decks to ``build/slides-instructor/``; ``--out`` puts them anywhere.

Both editions by default: the English decks of ``notebooks/`` into the folder above, the Korean
ones of ``notebooks/ko/`` into its ``ko/`` subfolder (``build/slides/ko/``); ``--lang en`` or
``--lang ko`` builds one. A deck speaks its notebook's language (``metadata.cnncourse.lang``,
which ``cnncourse i18n build`` sets; ``--lang`` overrides it for named notebooks):
``<html lang="ko">``, the players' and continuation labels from the package catalog, and a
Hangul font in its style sheet (``deck_template.HANGUL_CSS``: the installed NanumGothic, Noto Sans
CJK KR, Malgun Gothic or Apple SD Gothic Neo, and a copy of an installed one in ``assets/fonts/``
of a Korean deck folder, so that a copied folder shows Hangul on a machine without one).

Every script, style sheet and font a deck loads (reveal.js, require.js, jQuery, MathJax 2, the
Jupyter widgets HTML manager) is copied from the local copy ``tools/vendor-web.sh`` makes in
``build/vendor/`` (``make setup`` runs it) into ``assets/`` beside the decks and referenced by
relative paths: a deck folder opens from the file system, offline, wherever it is copied. The
course site (:mod:`cnncourse.site`) reuses the helpers below.
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import os
import re
import shutil
import sys
from pathlib import Path

from . import deck_template, deck_widgets, i18n, paths
from .i18n import N_, _

INSTRUCTOR_TAG = "instructor"
VENDOR_ENV = "CNNCOURSE_VENDOR"
ASSETS_DIR = "assets"          # the folder beside the decks (or pages) holding what they load
EDITIONS = {"en": None, "ko": "ko"}   # language -> subfolder of notebooks/, exercises/, build/slides/...
FONTS_DIR = "fonts"            # assets/fonts/: the Hangul font a Korean deck folder carries

# Files inside the vendor folder that the templates load (relative to it).
VENDOR_FILES = {
    "reveal": "reveal.js",                       # a folder: dist/reveal.js, plugin/notes/notes.js
    "require": "requirejs/require.js",
    "jquery": "jquery/dist/jquery.min.js",
    "mathjax": "mathjax/MathJax.js",
    "widgets": "html-manager/dist/embed-amd.js",
}

# What a deck or a page can load, per vendored package (globs inside build/vendor/<package>/):
# copied into <out>/assets/ so that a deck folder works wherever it is copied (about 8 MB).
ASSET_FILES = {
    "reveal.js": ["dist/reveal.css", "dist/reveal.js", "dist/theme/white.css",
                  "dist/theme/fonts/source-sans-pro/*", "plugin/notes/notes.js"],
    "requirejs": ["require.js"],
    "jquery": ["dist/jquery.min.js"],
    # MathJax 2 with TeX input and CommonHTML output, the ?config= nbconvert asks for
    "mathjax": ["MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js",
                "config/local/*", "extensions/*.js", "extensions/TeX/*", "extensions/a11y/*",
                "jax/element/**/*", "jax/input/TeX/**/*", "jax/output/CommonHTML/**/*",
                "fonts/HTML-CSS/TeX/woff/*"],
    "html-manager": ["dist/embed-amd.js", "dist/*.woff2", "dist/*.woff"],
}

# The kernel leaves C-level output (TensorFlow's start-up log lines) in its own stderr instead of
# copying it into the notebook's outputs: the decks show what the code prints, not library logs.
KERNEL_ARGS = ["--IPKernelApp.capture_fd_output=False"]


# --------------------------------------------------------------------------------------------
# Finding things
# --------------------------------------------------------------------------------------------
def course_root() -> Path:
    """The course checkout this package lives in, else the current folder
    (:func:`cnncourse.paths.root`): the default folders are the same from any current folder."""
    return paths.root()


def build_dir() -> Path:
    """Where generated files go by default: ``build/`` of the course (:func:`cnncourse.paths.build`)."""
    return paths.build()


def edition_folder(base: Path, lang: str = "en") -> Path:
    """Where an edition lives under ``base``: ``base`` itself for English, ``base/ko`` for
    Korean (notebooks/ko, exercises/ko, build/slides/ko, build/site/ko)."""
    if lang not in EDITIONS:
        raise ValueError(f"no {lang!r} edition; the course has {', '.join(EDITIONS)}")
    return Path(base) / EDITIONS[lang] if EDITIONS[lang] else Path(base)


def default_out(instructor: bool = False, lang: str = "en") -> Path:
    """``build/slides/`` (``build/slides-instructor/`` for instructor decks); the Korean
    edition's in their ``ko/`` subfolder."""
    return edition_folder(build_dir() / ("slides-instructor" if instructor else "slides"), lang)


def notebook_language(nb) -> str:
    """The language a notebook is written in: ``metadata.cnncourse.lang`` ("ko" in the Korean
    edition, cnncourse.translation.editions), else English."""
    lang = nb.metadata.get("cnncourse", {}).get("lang", "en")
    return lang if lang in EDITIONS else "en"


def executed_cache() -> Path:
    """``build/executed/``: executed notebooks, reused while notebook and package are unchanged."""
    return build_dir() / "executed"


def vendor_dir() -> Path:
    """The folder holding the offline web assets: $CNNCOURSE_VENDOR, else build/vendor/ of the
    course (cnncourse.paths.build: the checkout's, else the current folder's; ``make setup``
    fills it)."""
    if os.environ.get(VENDOR_ENV):
        return Path(os.environ[VENDOR_ENV]).resolve()
    return build_dir() / "vendor"


def check_vendor(vendor: Path) -> None:
    """Raise FileNotFoundError naming the missing asset and the fix if the vendor copy is short."""
    for key, rel in VENDOR_FILES.items():
        if not (vendor / rel).exists():
            raise FileNotFoundError(
                f"offline web assets missing: {vendor / rel} ({key}). "
                f"Run 'make setup' or 'bash tools/vendor-web.sh {vendor}' once while online "
                f"(it needs npm), or point ${VENDOR_ENV} at a folder made by that script.")


def _copy_if_changed(src: Path, dst: Path) -> None:
    stat = src.stat()
    if dst.exists() and dst.stat().st_size == stat.st_size \
            and int(dst.stat().st_mtime) == int(stat.st_mtime):
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)


def copy_assets(vendor: Path, out_dir: Path, hangul: bool = False) -> Path:
    """Copy what the decks and pages load (:data:`ASSET_FILES`) from ``vendor`` into
    ``out_dir/assets/``, and with ``hangul`` an installed Hangul font (:func:`hangul_font_file`)
    into ``assets/fonts/``; files already there with the same size and time are kept. Returns
    the assets folder."""
    check_vendor(vendor)
    target = Path(out_dir) / ASSETS_DIR
    for package, patterns in ASSET_FILES.items():
        for pattern in patterns:
            for src in (vendor / package).glob(pattern):
                if src.is_file():
                    _copy_if_changed(src, target / package / src.relative_to(vendor / package))
    font = hangul_font_file() if hangul else None
    if font is not None:
        _copy_if_changed(font, target / FONTS_DIR / font.name)
    return target


def hangul_font_file() -> Path | None:
    """A single-face font file (.ttf/.otf, regular weight) of the Hangul font matplotlib uses
    (cnncourse.fonts: NanumGothic from fonts-nanum, Noto Sans KR, ...), or None."""
    from matplotlib import font_manager

    from . import fonts

    name = fonts.hangul_font_name()
    if name is None:
        return None
    faces = sorted((f for f in font_manager.fontManager.ttflist
                    if f.name == name and f.fname.lower().endswith((".ttf", ".otf"))
                    and f.style == "normal"),
                   key=lambda f: (abs(_weight(f.weight) - 400), f.fname))
    return Path(faces[0].fname) if faces and Path(faces[0].fname).is_file() else None


def _weight(weight) -> int:
    names = {"regular": 400, "normal": 400, "book": 400, "medium": 500, "bold": 700}
    return weight if isinstance(weight, int) else names.get(str(weight).lower(), 400)


def lecture_notebooks(names=None, lang: str = "en") -> list[Path]:
    """The notebooks to build: the given notebooks and every ``*.ipynb`` of the given folders
    (``notebooks/ko`` for an edition), or every notebook of the course's ``notebooks/`` (of
    ``notebooks/ko/`` for ``lang="ko"``)."""
    if not names:
        folder = edition_folder(course_root() / "notebooks", lang)
        paths = sorted(folder.glob("*.ipynb"))
        if not paths:
            raise FileNotFoundError(f"no notebooks in {folder}; name the notebooks to build")
        return paths
    paths = []
    for name in map(Path, names):
        if name.is_dir():
            found = sorted(name.glob("*.ipynb"))
            if not found:
                raise FileNotFoundError(f"no notebooks in {name}")
            paths += found
        elif name.is_file():
            paths.append(name)
        else:
            raise FileNotFoundError(f"no such notebook: {name}")
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
def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _modules_digest(files) -> dict:
    """{file: sha256} of the package files a run imported (None for a file that is gone)."""
    return {f: _digest(Path(f).read_bytes()) if Path(f).is_file() else None for f in files}


def _cache_is_valid(nb, path: Path) -> bool:
    """The cached run is of these notebook bytes, with the cnncourse code it imported unchanged."""
    meta = nb.metadata.get("cnncourse", {})
    modules = meta.get("modules")
    return (meta.get("build_key") == _digest(path.read_bytes()) and isinstance(modules, dict)
            and bool(modules) and _modules_digest(modules) == modules)


def cached_copy(path: Path, cache_dir: Path) -> Path:
    """Where the executed copy of ``path`` is kept: one file per notebook and source folder (so
    notebooks/02_x.ipynb and notebooks/ko/02_x.ipynb do not evict each other)."""
    folder = hashlib.sha256(str(Path(path).resolve().parent).encode()).hexdigest()[:10]
    return Path(cache_dir) / f"{Path(path).stem}.{folder}.ipynb"


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


def _run(nb, folder: Path, timeout: int):
    """Execute ``nb`` in place, then collect the course widgets' frames (cnncourse.deck_widgets)
    in the same kernel into ``nb.metadata["cnncourse"]["widget_frames"]``."""
    import nbformat
    from nbconvert.preprocessors import ExecutePreprocessor

    probe = nbformat.v4.new_code_cell(deck_widgets.KERNEL_SNIPPET)
    nb.cells.append(probe)
    try:
        executor = ExecutePreprocessor(timeout=timeout, kernel_name="python3",
                                       store_widget_state=True, extra_arguments=KERNEL_ARGS)
        with _kernel_environment():
            executor.preprocess(nb, {"metadata": {"path": str(folder)}})
    finally:
        nb.cells.remove(probe)
    return finish_run(nb, probe.outputs)


def finish_run(nb, probe_outputs, key: str | None = None):
    """Store what the probe cell (deck_widgets.KERNEL_SNIPPET) displayed in an executed
    notebook's metadata: the widgets' frames and the cnncourse modules the run imported, with
    their digests (and ``key``, the digest of the notebook's bytes, if given). Shared with the
    nbval recorder (:mod:`cnncourse.deck_record`)."""
    meta = nb.metadata.setdefault("cnncourse", {})
    meta["widget_frames"] = deck_widgets.published(probe_outputs, default={})
    meta["modules"] = _modules_digest(
        deck_widgets.published(probe_outputs, deck_widgets.MODULES_MIME, default=[]))
    if key is not None:
        meta["build_key"] = key
    return nb


def execute_notebook(path: Path, cache_dir: Path | bool | None = True, timeout: int = 600,
                     fresh: bool = False):
    """Run every cell of ``path`` in a fresh python3 kernel (cwd = the notebook's folder) and
    return the notebook with its outputs, widget state and widget frames. The result is cached
    in ``cache_dir`` (True: :func:`executed_cache`; None/False: no cache) and reused while the
    notebook's bytes and the cnncourse modules that run imported are unchanged (a change to the
    widgets does not re-run the training chapters); ``fresh`` ignores the cache. Raises
    nbclient's CellExecutionError when a cell fails."""
    import nbformat

    path = Path(path)
    if cache_dir is True:
        cache_dir = executed_cache()
    cached = cached_copy(path, cache_dir) if cache_dir else None
    if cached and cached.exists() and not fresh:
        nb = nbformat.read(cached, as_version=4)
        if _cache_is_valid(nb, path):
            return nb
    key = _digest(path.read_bytes())
    nb = _run(nbformat.read(path, as_version=4), path.parent.resolve(), timeout)
    nb.metadata["cnncourse"]["build_key"] = key
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, cached)
    return nb


# --------------------------------------------------------------------------------------------
# Exporting with local assets
# --------------------------------------------------------------------------------------------
def _rel(target: Path, out_dir: Path) -> str:
    return Path(os.path.relpath(Path(target).resolve(), Path(out_dir).resolve())).as_posix()


def offline_exporter(kind: str, out_dir: Path, vendor: Path | None = None,
                     instructor: bool = False, drop_notes: bool = False,
                     assets: Path | None = None, lang: str = "en"):
    """An nbconvert exporter ("slides" or "html") whose pages, written to ``out_dir``, load every
    asset by relative path from ``assets`` (default: a copy of ``vendor`` made beside them in
    ``out_dir/assets/``), show the course widgets as frame players or pictures, and drop
    ``instructor`` cells unless asked (and speaker-notes cells if ``drop_notes``). Its pages
    are in ``lang`` (``<html lang=...>``, the labels the course adds); the Hangul font of
    ``assets/fonts/`` (:func:`copy_assets`) is their last resort for Hangul.
    Export with :func:`export`."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter, SlidesExporter
    from traitlets.config import Config

    out_dir = Path(out_dir)
    if lang not in EDITIONS:
        raise ValueError(f"no {lang!r} edition; the course has {', '.join(EDITIONS)}")
    if assets is None:
        assets = copy_assets(vendor or vendor_dir(), out_dir, hangul=lang == "ko")
    cls = {"slides": SlidesExporter, "html": HTMLExporter}[kind]
    urls = {key: _rel(assets / rel, out_dir) for key, rel in VENDOR_FILES.items()}
    c = Config()
    opts = c[cls.__name__]
    opts.require_js_url = urls["require"]
    opts.jquery_url = urls["jquery"]
    opts.mathjax_url = urls["mathjax"] + "?config=TeX-AMS_CHTML-full,Safe"
    opts.widget_renderer_url = urls["widgets"]
    opts.language_code = lang
    if kind == "slides":
        opts.reveal_url_prefix = urls["reveal"]
        opts.reveal_theme = "white"        # "simple" fetches Google fonts; white ships its own
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set() if instructor else {INSTRUCTOR_TAG}
    name = f"cnncourse_{kind}.html.j2"
    source = deck_template.DECK_TEMPLATE if kind == "slides" else deck_template.PAGE_TEMPLATE
    exporter = cls(config=c, template_file=name, extra_loaders=[DictLoader({name: source})])
    if drop_notes:
        exporter.register_preprocessor(_drop_notes, enabled=True)
    exporter.cnncourse_widgets_dir = urls["widgets"].rsplit("/", 1)[0]
    exporter.cnncourse_lang = lang
    font = sorted((assets / FONTS_DIR).glob("*.[ot]tf"))
    exporter.cnncourse_hangul_url = _rel(font[0], out_dir) if font else ""
    return exporter


def _drop_notes(nb, resources):
    """Remove speaker-notes cells (slide_type "notes"): they talk to the teacher."""
    nb.cells = [c for c in nb.cells
                if c.metadata.get("slideshow", {}).get("slide_type") != "notes"]
    return nb, resources


def terminal_text(text: str) -> str:
    """What a terminal (and JupyterLab) shows for ``text``: a backspace removes the character
    before it, a carriage return starts its line again (Keras' progress bars)."""
    while True:
        shorter = re.sub(r"[^\n\x08]\x08", "", text)
        if shorter == text:
            break
        text = shorter
    return re.sub(r"^[^\n]*\r(?!\n)", "", text.replace("\x08", ""), flags=re.M)


def _tidy_streams(nb):
    """Merge consecutive stream outputs of a cell (an executed notebook keeps every write apart:
    thousands for one progress bar) and keep what a terminal would show."""
    for cell in nb.cells:
        merged = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and merged \
                    and merged[-1].get("output_type") == "stream" \
                    and merged[-1].get("name") == out.get("name"):
                merged[-1]["text"] += out["text"]
            else:
                merged.append(out)
        for out in merged:
            if out.get("output_type") == "stream":
                out["text"] = terminal_text(out["text"])
        if "outputs" in cell:
            cell.outputs = merged
    return nb


#: the labels a deck's script adds, in the deck's language (cnncourse.deck_template)
CONTINUED = N_("{title} (continued)")


def export(exporter, nb, name: str, target: Path, notebook: str | None = None,
           nav: str = "") -> Path:
    """Render ``nb`` with an :func:`offline_exporter` into ``target``; return ``target``.
    Streams show what a terminal would (:func:`terminal_text`); kernel-driven widgets become
    their frames or pictures (:mod:`cnncourse.deck_widgets`), whose notes name ``notebook``
    (default ``notebooks/<name>.ipynb``, ``notebooks/ko/...`` in Korean). The labels the course
    adds are in the exporter's language; ``nav`` (HTML) goes at the top of a page."""
    lang = exporter.cnncourse_lang
    if notebook is None:
        notebook = (edition_folder(Path("notebooks"), lang) / f"{name}.ipynb").as_posix()
    nb = _tidy_streams(copy.deepcopy(nb))
    for cell in nb.cells:          # notes are collapsed for students in JupyterLab, open here
        if cell.metadata.get("slideshow", {}).get("slide_type") == "notes":
            cell.source = cell.source.replace("<details>", "<details open>")
    with i18n.language(lang):
        nb = deck_widgets.replace_widgets(nb, notebook)
        resources = {"metadata": {"name": name},
                     "cnncourse_widgets_dir": exporter.cnncourse_widgets_dir,
                     "cnncourse_hangul_url": exporter.cnncourse_hangul_url,
                     "cnncourse_continued": _(CONTINUED),
                     "cnncourse_nav": nav}
        body, _resources = exporter.from_notebook_node(nb, resources=resources)
    target.write_text(body, encoding="utf-8")
    return target


def write_deck(nb, name: str, out_dir: Path, vendor: Path | None = None,
               instructor: bool = False, lang: str | None = None) -> Path:
    """Export an executed notebook as ``out_dir/<name>.slides.html`` (its assets in
    ``out_dir/assets/``), in ``lang`` (default: the notebook's); return that path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = offline_exporter("slides", out_dir, vendor, instructor,
                                lang=lang or notebook_language(nb))
    return export(exporter, nb, name, out_dir / f"{name}.slides.html")


def _notebook_name(path: Path) -> str:
    """How a deck's notes name a notebook: its path in the course (notebooks/ko/03_x.ipynb),
    else its file name."""
    try:
        return Path(path).resolve().relative_to(course_root().resolve()).as_posix()
    except ValueError:
        return Path(path).name


def build_decks(paths, out_dir: Path, instructor: bool = False, timeout: int = 600,
                fresh: bool = False, log=print, cache_dir: Path | bool | None = True,
                lang: str | None = None) -> tuple[list[Path], list[str]]:
    """Execute and export each notebook, each in ``lang`` (default: the notebook's own,
    :func:`notebook_language`); returns (decks written, error messages)."""
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    out_dir = Path(out_dir)
    vendor = vendor_dir()
    check_vendor(vendor)
    out_dir.mkdir(parents=True, exist_ok=True)
    exporters = {}

    def exporter_for(language):
        if language not in exporters:
            assets = copy_assets(vendor, out_dir, hangul=language == "ko")
            exporters[language] = offline_exporter("slides", out_dir, instructor=instructor,
                                                   assets=assets, lang=language)
        return exporters[language]

    decks, errors = [], []
    for path in paths:
        log(f"slides: {path} ...")
        try:
            nb = execute_notebook(path, cache_dir, timeout=timeout, fresh=fresh)
        except (CellExecutionError, CellTimeoutError) as exc:
            errors.append(f"{path}: a cell failed while executing:\n{exc}")
            continue
        name = Path(path).stem
        decks.append(export(exporter_for(lang or notebook_language(nb)), nb, name,
                            out_dir / f"{name}.slides.html", notebook=_notebook_name(path)))
        log(f"  -> {decks[-1]}")
    return decks, errors


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------
def add_lang_argument(parser):
    parser.add_argument("--lang", choices=(*EDITIONS, "all"), default=None,
                        help="the edition: en (notebooks/), ko (notebooks/ko/, written to the "
                             "ko/ subfolder of the output) or all (default: all; with named "
                             "notebooks, each notebook's own language)")


def editions_to_build(args) -> list[str]:
    """The languages a command builds: --lang, else both editions (named notebooks: one
    build, in each notebook's language or --lang's)."""
    if args.notebooks:
        if args.lang == "all":
            raise SystemExit("error: --lang all builds the editions' own folders; name no "
                             "notebooks, or pick --lang en or --lang ko")
        return [args.lang]
    return list(EDITIONS) if args.lang in (None, "all") else [args.lang]


def configure_parser(parser):
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help="notebooks or folders of notebooks to build (default: every "
                             "notebooks/*.ipynb of the course, and notebooks/ko/*.ipynb)")
    add_lang_argument(parser)
    parser.add_argument("--instructor", action="store_true",
                        help=f"keep the cells tagged '{INSTRUCTOR_TAG}' (default out: "
                             "build/slides-instructor/)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: build/slides/ of the course; the Korean "
                             "edition in its ko/ subfolder); the decks and their assets/ folder "
                             "can be copied anywhere together")
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds a single cell may run (default: 600)")
    parser.add_argument("--fresh", action="store_true",
                        help="execute again even if build/executed/ holds an up-to-date run")


def run(args) -> int:
    status = 0
    for lang in editions_to_build(args):
        if args.notebooks:
            out = args.out or default_out(args.instructor)
        else:
            out = edition_folder(args.out, lang) if args.out else default_out(args.instructor,
                                                                                lang)
        status |= run_build(
            lambda: build_decks(lecture_notebooks(args.notebooks, lang or "en"), out,
                                args.instructor, args.timeout, args.fresh, lang=lang),
            lambda decks: f"{len(decks)} deck(s) in {out}/ - open one in a browser; press 's' "
                          "for speaker notes.")
    return status


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
