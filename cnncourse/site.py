"""The static course site: every lecture notebook as an HTML page with its outputs.

    cnncourse site [--out DIR] [--slides-out DIR] [--no-slides]

Writes ``build/site/index.html`` (the chapter table: number, title from each notebook's first
heading, links to the page, the slide deck and the .ipynb), one ``NN_topic.html`` per lecture
notebook (executed; cells tagged ``instructor`` and speaker notes removed), and the student
decks into ``build/slides/`` (one execution serves both: cnncourse.slides.execute_notebook).
The exercise notebooks are listed too, rendered as handed out (no outputs) with a download copy.
Everything the pages load is copied into ``assets/`` beside them (and beside the decks) and
referenced by relative paths: the site works from the file system, offline. For another edition,
name its folders: ``cnncourse site notebooks/ko --exercises exercises/ko --out build/site/ko
--slides-out build/slides/ko``.
"""
from __future__ import annotations

import html
import os
import re
import shutil
from pathlib import Path

from . import paths, slides

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cnncourse: convolutional neural networks</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 2rem; }}
th, td {{ text-align: left; padding: 0.4rem 0.6rem; border-bottom: 1px solid #ddd; }}
th {{ background: #f4f4f4; }}
td.num {{ font-variant-numeric: tabular-nums; width: 3rem; }}
.missing {{ color: #999; }}
</style>
</head>
<body>
<h1>cnncourse: convolutional neural networks (합성곱 신경망)</h1>
<p>Lecture notebooks rendered with their outputs, and the slide decks made from them.
In a deck press <kbd>s</kbd> for the speaker view, <kbd>Esc</kbd> for the overview.
To run the notebooks yourself: <code>make lab</code> in the course folder.</p>
<h2>Chapters</h2>
<table id="chapters">
<thead><tr><th>#</th><th>Chapter</th><th>Page</th><th>Slides</th><th>Notebook</th></tr></thead>
<tbody>
{chapters}
</tbody>
</table>
{exercises}
</body>
</html>
"""


def chapter_number(path: Path) -> str:
    """'02' for notebooks/02_convolution_math.ipynb ('' when the name has no number)."""
    match = re.match(r"(\d+)", path.stem)
    return match.group(1) if match else ""


def _link(href: str | None, text: str) -> str:
    if href is None:
        return f'<span class="missing">{html.escape(text)}: not built</span>'
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def write_page(nb, name: str, out_dir: Path, assets: Path) -> Path:
    """Export a notebook (executed or not) as ``out_dir/<name>.html``, student version: no
    ``instructor`` cells and no speaker notes (they stay in the decks); it loads from ``assets``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = slides.offline_exporter("html", out_dir, drop_notes=True, assets=assets)
    return slides.export(exporter, nb, name, out_dir / f"{name}.html")


def _exercise_section(exercise_dir: Path, out: Path, assets: Path, log) -> str:
    import nbformat

    paths = sorted(Path(exercise_dir).glob("*.ipynb"))
    if not paths:
        return ""
    rows = []
    ex_dir = out / "exercises"
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        page = write_page(nb, path.stem, ex_dir, assets)
        shutil.copy2(path, ex_dir / path.name)
        log(f"  -> {page}")
        title = slides.first_heading(nb) or path.stem
        rows.append(f'<tr><td class="num">{chapter_number(path)}</td>'
                    f"<td>{html.escape(title)}</td>"
                    f"<td>{_link(f'exercises/{page.name}', 'page')}</td>"
                    f"<td>{_link(f'exercises/{path.name}', path.name)}</td></tr>")
    return ("<h2>Exercises</h2>\n<p>Fill them in JupyterLab; check yourself with "
            "<code>python -m pytest --nbval-lax exercises/NN_topic.ipynb</code> in the "
            "terminal of <code>make lab</code>.</p>\n"
            '<table id="exercises">\n<thead><tr><th>#</th><th>Exercise</th><th>Page</th>'
            "<th>Notebook</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>")


def default_out() -> Path:
    """``build/site/`` of the course."""
    return slides.build_dir() / "site"


def build_site(paths, out: Path, slides_out: Path | None, timeout: int = 600,
               fresh: bool = False, log=print, cache_dir: Path | bool | None = True,
               exercise_dir: Path | None = None) -> tuple[Path, list[str]]:
    """Build the pages (and decks unless ``slides_out`` is None) and the index; returns
    (index path, error messages). A notebook that fails to run is listed as not built.
    ``exercise_dir`` defaults to the course's ``exercises/``."""
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    vendor = slides.vendor_dir()
    slides.check_vendor(vendor)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    assets = slides.copy_assets(vendor, out)
    if exercise_dir is None:
        exercise_dir = paths.exercises()
    rows, errors = [], []
    for path in paths:
        log(f"site: {path} ...")
        title = slides.first_heading(nbformat.read(path, as_version=4)) or path.stem
        page = deck = None
        try:
            nb = slides.execute_notebook(path, cache_dir, timeout=timeout, fresh=fresh)
        except (CellExecutionError, CellTimeoutError) as exc:
            errors.append(f"{path}: a cell failed while executing:\n{exc}")
        else:
            page = write_page(nb, path.stem, out, assets)
            log(f"  -> {page}")
            if slides_out is not None:
                deck = slides.write_deck(nb, path.stem, slides_out, vendor)
                log(f"  -> {deck}")
        copy = out / "notebooks" / path.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy2(path, copy)
        rel = (lambda p: None if p is None
               else Path(os.path.relpath(p.resolve(), out.resolve())).as_posix())
        rows.append(f'<tr><td class="num">{chapter_number(path)}</td>'
                    f"<td>{html.escape(title)}</td>"
                    f"<td>{_link(rel(page), 'page')}</td>"
                    f"<td>{_link(rel(deck), 'slides') if slides_out is not None else ''}</td>"
                    f"<td>{_link(f'notebooks/{path.name}', path.name)}</td></tr>")
    exercises = _exercise_section(exercise_dir, out, assets, log)
    index = out / "index.html"
    index.write_text(_PAGE.format(chapters="\n".join(rows), exercises=exercises),
                     encoding="utf-8")
    return index, errors


def configure_parser(parser):
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help="lecture notebooks or folders of them (default: every "
                             "notebooks/*.ipynb of the course)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: build/site/ of the course)")
    parser.add_argument("--slides-out", type=Path, default=None,
                        help="where the decks go (default: build/slides/ of the course)")
    parser.add_argument("--exercises", type=Path, default=None, metavar="DIR",
                        help="the exercise notebooks to list (default: the course's exercises/)")
    parser.add_argument("--no-slides", action="store_true", help="do not build the decks")
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds a single cell may run (default: 600)")
    parser.add_argument("--fresh", action="store_true",
                        help="execute again even if build/executed/ holds a run")


def run(args) -> int:
    return slides.run_build(
        lambda: build_site(
            slides.lecture_notebooks(args.notebooks), args.out or default_out(),
            None if args.no_slides else (args.slides_out or slides.default_out()),
            args.timeout, args.fresh, exercise_dir=args.exercises),
        lambda index: f"site: open {index} in a browser")
