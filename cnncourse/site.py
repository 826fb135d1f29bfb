"""The static course site: every lecture notebook as an HTML page with its outputs, in both
editions, each page linked to the same page of the other edition.

    cnncourse site [--lang en|ko|all] [--out DIR] [--slides-out DIR] [--no-slides]
    cnncourse site NOTEBOOK_OR_FOLDER... [--lang en|ko] [--exercises DIR] [--out DIR] ...

Writes ``build/site/index.html`` (the chapter table: number, title from each notebook's first
heading, links to the page, the slide deck and the .ipynb), one ``NN_topic.html`` per lecture
notebook (executed; cells tagged ``instructor`` and speaker notes removed), and the student
decks into ``build/slides/`` (one execution serves both: cnncourse.slides.execute_notebook).
The exercise notebooks are listed too, rendered as handed out (no outputs) with a download copy.
Everything the pages load is copied into ``assets/`` beside them (and beside the decks) and
referenced by relative paths: the site works from the file system, offline.

Both editions by default: the English one from ``notebooks/`` and ``exercises/`` into
``build/site/`` (decks ``build/slides/``), the Korean one from ``notebooks/ko/`` and
``exercises/ko/`` into ``build/site/ko/`` (decks ``build/slides/ko/``); ``--lang`` picks one.
Every page (index, lecture, exercise) starts with a bar holding a link to the chapter list and
the language switch: a relative link to the same page in the other edition (to its index when
that edition lacks the page), so it works offline and in a copied ``site/`` folder. A Korean
page is ``<html lang="ko">`` and its navigation text comes from the package catalog
(cnncourse.i18n). Named notebooks build one site (in their language, or ``--lang``'s) without
a language switch: ``cnncourse site notebooks/ko --exercises exercises/ko --out X``.
"""
from __future__ import annotations

import html
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import i18n, slides
from . import paths as paths_module
from .i18n import N_, _

_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }}
:lang(ko) p {{ word-break: keep-all; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 2rem; }}
th, td {{ text-align: left; padding: 0.4rem 0.6rem; border-bottom: 1px solid #ddd; }}
th {{ background: #f4f4f4; }}
td.num {{ font-variant-numeric: tabular-nums; width: 3rem; }}
.missing {{ color: #999; }}
.cnncourse-nav {{ display: flex; justify-content: space-between; gap: 1em; padding: 0.5em 0;
                  border-bottom: 1px solid #ddd; }}
</style>
</head>
<body>
<nav class="cnncourse-nav">{nav}</nav>
<h1>{title}</h1>
<p>{intro}</p>
<h2>{chapters_heading}</h2>
<table id="chapters">
<thead><tr><th>#</th><th>{chapter}</th><th>{page}</th><th>{slides}</th><th>{notebook}</th></tr></thead>
<tbody>
{chapters}
</tbody>
</table>
{exercises}
</body>
</html>
"""

# The site's own text, in the edition's language (the package catalog)
TITLE = N_("cnncourse: convolutional neural networks (합성곱 신경망)")
INTRO = N_("Lecture notebooks rendered with their outputs, and the slide decks made from them. "
           "In a deck press {s} for the speaker view, {esc} for the overview. To run the "
           "notebooks yourself: {command} in the course folder.")
CHAPTERS, CHAPTER, EXERCISES, EXERCISE = (N_("Chapters"), N_("Chapter"), N_("Exercises"),
                                          N_("Exercise"))
PAGE, SLIDES, NOTEBOOK = N_("Page"), N_("Slides"), N_("Notebook")
PAGE_LINK, SLIDES_LINK = N_("page"), N_("slides")
NOT_BUILT = N_("{what}: not built")
EXERCISES_INTRO = N_("Fill them in JupyterLab; check yourself with {command} in the terminal "
                     "of {lab}.")
ALL_CHAPTERS = N_("All chapters")
SWITCH_TITLE = N_("This page in English")      # the title of the link to the other edition
INDEX = "index.html"


@dataclass
class Edition:
    """One language's site: its lecture notebooks and exercise folder, and where its pages
    (``out``) and decks (``slides_out``, None: no decks) go."""
    lang: str
    notebooks: list
    exercises: Path | None
    out: Path
    slides_out: Path | None = None

    def pages(self) -> set[str]:
        """The pages this edition has, relative to ``out``: index.html, NN_topic.html,
        exercises/NN_topic.html."""
        found = {INDEX} | {f"{Path(p).stem}.html" for p in self.notebooks}
        if self.exercises is not None:
            found |= {f"exercises/{p.stem}.html" for p in Path(self.exercises).glob("*.ipynb")}
        return found


def default_editions(langs=tuple(slides.EDITIONS), out: Path | None = None,
                     slides_out: Path | None = None, exercises: Path | None = None,
                     no_slides: bool = False) -> list[Edition]:
    """The course's editions: notebooks/, exercises/ -> build/site/ (decks build/slides/) for
    English, their ko/ subfolders for Korean (``out``, ``slides_out``, ``exercises`` replace
    the English folders; the Korean ones are their ko/ subfolders)."""
    out = out or default_out()
    slides_base = None if no_slides else (slides_out or slides.default_out())
    exercises = exercises or paths_module.exercises()
    editions = []
    for lang in langs:
        folder = slides.edition_folder(slides.course_root() / "notebooks", lang)
        editions.append(Edition(
            lang, sorted(folder.glob("*.ipynb")), slides.edition_folder(exercises, lang),
            slides.edition_folder(out, lang),
            None if slides_base is None else slides.edition_folder(slides_base, lang)))
    return editions


def _href(target: Path, page: Path) -> str:
    """A relative link from ``page`` to ``target`` (both files)."""
    return html.escape(Path(os.path.relpath(Path(target).resolve(),
                                            Path(page).parent.resolve())).as_posix())


def nav_html(out: Path, rel: str, other: Edition | None) -> str:
    """The bar at the top of page ``out/rel`` (in the language in force): the chapter list
    (except on the index) and the switch to the same page of ``other`` (to its index when it
    lacks that page)."""
    page = Path(out) / rel
    home = "" if rel == INDEX else (
        f'<a class="cnncourse-home" href="{_href(Path(out) / INDEX, page)}">'
        f'&larr; {html.escape(_(ALL_CHAPTERS))}</a>')
    switch = ""
    if other is not None:
        target = Path(other.out) / (rel if rel in other.pages() else INDEX)
        with i18n.language(other.lang):
            title = _(SWITCH_TITLE)
        switch = (f'<a class="cnncourse-lang" href="{_href(target, page)}" '
                  f'hreflang="{other.lang}" lang="{other.lang}" title="{html.escape(title)}">'
                  f'{html.escape(i18n.LANGUAGES[other.lang])}</a>')
    return f"<span>{home}</span>{switch}"


def chapter_number(path: Path) -> str:
    """'02' for notebooks/02_convolution_math.ipynb ('' when the name has no number)."""
    match = re.match(r"(\d+)", path.stem)
    return match.group(1) if match else ""


def _link(href: str | None, text: str) -> str:
    if href is None:
        return f'<span class="missing">{html.escape(_(NOT_BUILT).format(what=text))}</span>'
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def write_page(nb, name: str, out_dir: Path, assets: Path, lang: str = "en", nav: str = "",
               notebook: str | None = None) -> Path:
    """Export a notebook (executed or not) as ``out_dir/<name>.html``, student version: no
    ``instructor`` cells and no speaker notes (they stay in the decks); it loads from ``assets``,
    is in ``lang`` and starts with the bar ``nav`` (HTML, :func:`nav_html`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = slides.offline_exporter("html", out_dir, drop_notes=True, assets=assets,
                                       lang=lang)
    return slides.export(exporter, nb, name, out_dir / f"{name}.html", notebook=notebook,
                         nav=nav)


def _exercise_section(exercise_dir: Path, out: Path, assets: Path, log, lang: str = "en",
                      other: Edition | None = None) -> str:
    import nbformat

    paths = sorted(Path(exercise_dir).glob("*.ipynb"))
    if not paths:
        return ""
    rows = []
    ex_dir = out / "exercises"
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        rel = f"exercises/{path.stem}.html"
        page = write_page(nb, path.stem, ex_dir, assets, lang, nav_html(out, rel, other),
                          notebook=slides._notebook_name(path))
        shutil.copy2(path, ex_dir / path.name)
        log(f"  -> {page}")
        title = slides.first_heading(nb) or path.stem
        rows.append(f'<tr><td class="num">{chapter_number(path)}</td>'
                    f"<td>{html.escape(title)}</td>"
                    f"<td>{_link(f'exercises/{page.name}', _(PAGE_LINK))}</td>"
                    f"<td>{_link(f'exercises/{path.name}', path.name)}</td></tr>")
    folder = slides.edition_folder(Path("exercises"), lang).as_posix()
    command = f"<code>python -m pytest --nbval-lax {folder}/NN_topic.ipynb</code>"
    intro = html.escape(_(EXERCISES_INTRO)).format(command=command, lab="<code>make lab</code>")
    return (f"<h2>{html.escape(_(EXERCISES))}</h2>\n<p>{intro}</p>\n"
            f'<table id="exercises">\n<thead><tr><th>#</th><th>{html.escape(_(EXERCISE))}</th>'
            f"<th>{html.escape(_(PAGE))}</th><th>{html.escape(_(NOTEBOOK))}</th></tr></thead>\n"
            "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>")


def default_out() -> Path:
    """``build/site/`` of the course (the Korean edition: ``build/site/ko/``)."""
    return slides.build_dir() / "site"


def build_site(paths, out: Path, slides_out: Path | None, timeout: int = 600,
               fresh: bool = False, log=print, cache_dir: Path | bool | None = True,
               exercise_dir: Path | None = None, lang: str | None = None,
               other: Edition | None = None) -> tuple[Path, list[str]]:
    """Build the pages (and decks unless ``slides_out`` is None) and the index; returns
    (index path, error messages). A notebook that fails to run is listed as not built.
    ``exercise_dir`` defaults to the course's ``exercises/``. The site is in ``lang`` (default:
    the first notebook's language); with ``other`` (the other edition) every page links to its
    counterpart there."""
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    paths = [Path(p) for p in paths]
    if lang is None:
        lang = (slides.notebook_language(nbformat.read(paths[0], as_version=4)) if paths
                else "en")
    vendor = slides.vendor_dir()
    slides.check_vendor(vendor)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    assets = slides.copy_assets(vendor, out, hangul=lang == "ko")
    if exercise_dir is None:
        exercise_dir = slides.edition_folder(paths_module.exercises(), lang)
    rows, errors = [], []
    with i18n.language(lang):
        for path in paths:
            log(f"site: {path} ...")
            title = slides.first_heading(nbformat.read(path, as_version=4)) or path.stem
            page = deck = None
            try:
                nb = slides.execute_notebook(path, cache_dir, timeout=timeout, fresh=fresh)
            except (CellExecutionError, CellTimeoutError) as exc:
                errors.append(f"{path}: a cell failed while executing:\n{exc}")
            else:
                page = write_page(nb, path.stem, out, assets, lang,
                                  nav_html(out, f"{path.stem}.html", other),
                                  notebook=slides._notebook_name(path))
                log(f"  -> {page}")
                if slides_out is not None:
                    deck = slides.write_deck(nb, path.stem, slides_out, vendor, lang=lang)
                    log(f"  -> {deck}")
            copy = out / "notebooks" / path.name
            copy.parent.mkdir(exist_ok=True)
            shutil.copy2(path, copy)
            rel = (lambda p: None if p is None
                   else Path(os.path.relpath(p.resolve(), out.resolve())).as_posix())
            rows.append(f'<tr><td class="num">{chapter_number(path)}</td>'
                        f"<td>{html.escape(title)}</td>"
                        f"<td>{_link(rel(page), _(PAGE_LINK))}</td>"
                        f"<td>{_link(rel(deck), _(SLIDES_LINK)) if slides_out is not None else ''}"
                        f"</td><td>{_link(f'notebooks/{path.name}', path.name)}</td></tr>")
        exercises = _exercise_section(exercise_dir, out, assets, log, lang, other)
        intro = html.escape(_(INTRO)).format(s="<kbd>s</kbd>", esc="<kbd>Esc</kbd>",
                                             command="<code>make lab</code>")
        index = out / INDEX
        index.write_text(_PAGE.format(
            lang=lang, title=html.escape(_(TITLE)), nav=nav_html(out, INDEX, other), intro=intro,
            chapters_heading=html.escape(_(CHAPTERS)), chapter=html.escape(_(CHAPTER)),
            page=html.escape(_(PAGE)), slides=html.escape(_(SLIDES)),
            notebook=html.escape(_(NOTEBOOK)), chapters="\n".join(rows), exercises=exercises),
            encoding="utf-8")
    return index, errors


def build_editions(editions: list[Edition], timeout: int = 600, fresh: bool = False, log=print,
                   cache_dir: Path | bool | None = True,
                   switch_to: list[Edition] | None = None) -> tuple[list[Path], list[str]]:
    """Build each edition's site, every page linked to its counterpart in the other edition
    (of ``switch_to``, default ``editions``: with two editions, each other's; an edition built
    alone still links to the other's default folder); returns (index pages, error messages)."""
    switch_to = editions if switch_to is None else switch_to
    indexes, errors = [], []
    for edition in editions:
        other = next((e for e in switch_to if e.lang != edition.lang), None)
        index, errs = build_site(edition.notebooks, edition.out, edition.slides_out, timeout,
                                 fresh, log, cache_dir, edition.exercises, edition.lang, other)
        indexes.append(index)
        errors += errs
    return indexes, errors


def configure_parser(parser):
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help="lecture notebooks or folders of them (default: every "
                             "notebooks/*.ipynb of the course, and notebooks/ko/*.ipynb)")
    slides.add_lang_argument(parser)
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: build/site/ of the course; the Korean "
                             "edition in its ko/ subfolder)")
    parser.add_argument("--slides-out", type=Path, default=None,
                        help="where the decks go (default: build/slides/ of the course; the "
                             "Korean edition's in its ko/ subfolder)")
    parser.add_argument("--exercises", type=Path, default=None, metavar="DIR",
                        help="the exercise notebooks to list (default: the course's exercises/; "
                             "the Korean edition's in its ko/ subfolder)")
    parser.add_argument("--no-slides", action="store_true", help="do not build the decks")
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds a single cell may run (default: 600)")
    parser.add_argument("--fresh", action="store_true",
                        help="execute again even if build/executed/ holds a run")


def run(args) -> int:
    langs = slides.editions_to_build(args)
    if args.notebooks:
        return slides.run_build(
            lambda: build_site(
                slides.lecture_notebooks(args.notebooks), args.out or default_out(),
                None if args.no_slides else (args.slides_out or slides.default_out()),
                args.timeout, args.fresh, exercise_dir=args.exercises, lang=langs[0]),
            lambda index: f"site: open {index} in a browser")
    every = default_editions(tuple(slides.EDITIONS), args.out, args.slides_out, args.exercises,
                             args.no_slides)
    chosen = [e for e in every if e.lang in langs]
    return slides.run_build(
        lambda: build_editions(chosen, args.timeout, args.fresh, switch_to=every),
        lambda indexes: "site: open " + " or ".join(map(str, indexes)) + " in a browser")
