"""`cnncourse slides` and `cnncourse site` on a small notebook made here: executed decks with
speaker notes and widget state, instructor cells only in instructor decks, the course's widgets as
kernel-free frame players, and no asset loaded from the network: everything from the deck
folder's own assets/ by relative path, so the folder can be copied anywhere."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cnncourse import cli, site, slides

NOTE_TEXT = "SPEAKER-NOTE: greet the class"
# A course widget whose picture needs the kernel: in a deck it becomes a player of its 4 frames.
STEPPER_SOURCE = ("import numpy as np\nfrom cnncourse.widgets import ConvStepper\n"
                  "ConvStepper(np.arange(9.0).reshape(3, 3), np.ones((2, 2)))")
INSTRUCTOR_TEXT = "INSTRUCTOR-ONLY-ANSWER"


def _cell(cell, slide_type, tags=()):
    cell.metadata["slideshow"] = {"slide_type": slide_type}
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def make_tiny_notebook(path: Path) -> Path:
    """Four slides: a title with math (+ a notes cell), a computed output with an instructor
    fragment, a widget and a course widget, a final slide. Same conventions as the lecture
    notebooks."""
    nb = new_notebook(cells=[
        _cell(new_markdown_cell("# Tiny deck: convolution\n\n$s(t) = \\sum_k x(t+k)\\,w(k)$"),
              "slide"),
        _cell(new_markdown_cell(f"<details><summary>Speaker notes</summary>\n\n{NOTE_TEXT}\n\n"
                                "</details>"), "notes"),
        _cell(new_code_cell("from cnncourse import ops\nprint(ops.conv1d([1., 2., 3.], [1., 1.]))"),
              "slide"),
        _cell(new_code_cell(f"print('{INSTRUCTOR_TEXT}')"), "fragment", ["instructor"]),
        _cell(new_code_cell("import ipywidgets as w\nw.HBox([w.Play(), w.IntSlider(value=3, max=10)])"),
              "slide"),
        _cell(new_code_cell(STEPPER_SOURCE), "fragment"),
        _cell(new_markdown_cell("## Last slide"), "slide"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


# Every place a page can pull an asset from: <script src>, <link href>, <img src>, CSS url(),
# @import, ES module imports, the widget renderer and the reveal.js modules require.js loads.
_ASSET_REFS = [
    re.compile(r"<script[^>]*\ssrc=[\"']([^\"']+)", re.I),
    re.compile(r"<link[^>]*\shref=[\"']([^\"']+)", re.I),
    re.compile(r"<img[^>]*\ssrc=[\"']([^\"']+)", re.I),
    re.compile(r"@import\s+(?:url\()?[\"']?([^\"')\s;]+)", re.I),
    re.compile(r"url\(\s*[\"']?([^\"')]+)", re.I),
    re.compile(r"import\s+\w+\s+from\s+[\"']([^\"']+)", re.I),
    re.compile(r"widgetRendererSrc\s*=\s*'([^']+)'"),
    re.compile(r"\"(\S+/dist/reveal\.js|\S+/plugin/notes/notes\.js)\""),
]


def asset_refs(text: str) -> list[str]:
    return [m.group(1) for rx in _ASSET_REFS for m in rx.finditer(text)
            if not m.group(1).startswith(("data:", "#"))]


def assert_offline(page: Path) -> None:
    """No asset from http(s) or protocol-relative URLs; every local one exists on disk."""
    refs = asset_refs(page.read_text(encoding="utf-8"))
    remote = [r for r in refs if re.match(r"(https?:)?//", r, re.I)]
    assert not remote, f"{page.name} loads assets from the network: {remote}"
    missing = [r for r in refs
               if not (page.parent / unquote(urlsplit(r).path)).exists()]
    assert not missing, f"{page.name} refers to local assets that do not exist: {missing}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("slides")
    nb_path = make_tiny_notebook(tmp / "01_tiny.ipynb")
    cache = tmp / "executed"
    student, errors = slides.build_decks([nb_path], tmp / "student", cache_dir=cache,
                                         log=lambda *a: None)
    assert not errors, errors
    teacher, errors = slides.build_decks([nb_path], tmp / "teacher", instructor=True,
                                         cache_dir=cache, log=lambda *a: None)
    assert not errors, errors
    return {"tmp": tmp, "notebook": nb_path, "student": student[0], "teacher": teacher[0],
            "cache": cache}


@pytest.mark.slow
def test_deck_is_executed_with_notes_and_widget_state(built):
    deck = built["student"]
    assert deck.name == "01_tiny.slides.html"
    text = deck.read_text(encoding="utf-8")
    assert "[3. 5.]" in text                       # ops.conv1d ran: 1+2, 2+3
    assert re.search(r'<aside class="notes">.*?' + re.escape(NOTE_TEXT), text, re.S)
    # collapsed for students in JupyterLab (a <details> element), open for the speaker
    assert re.search(r'<aside class="notes">((?!</aside>).)*<details open', text, re.S), \
        "the speaker notes are closed in the deck"
    assert "application/vnd.jupyter.widget-state+json" in text
    assert "IntSliderModel" in text
    assert len(re.findall(r"<section", text)) >= 4


@pytest.mark.slow
def test_instructor_cells_only_in_instructor_decks(built):
    assert INSTRUCTOR_TEXT not in built["student"].read_text(encoding="utf-8")
    assert INSTRUCTOR_TEXT in built["teacher"].read_text(encoding="utf-8")


@pytest.mark.slow
def test_decks_load_nothing_from_the_network(built):
    for deck in (built["student"], built["teacher"]):
        assert_offline(deck)
    text = built["student"].read_text(encoding="utf-8")
    refs = asset_refs(text)
    assert any(r.endswith("reveal.js/dist/reveal.js") for r in refs), refs
    assert any("mathjax/MathJax.js" in r for r in refs), refs
    assert any(r.endswith("html-manager/dist/embed-amd.js") for r in refs), refs


@pytest.mark.slow
def test_execution_is_cached_until_the_notebook_changes(built):
    nb_path, cache = built["notebook"], built["cache"]
    cached = nbformat.read(slides.cached_copy(nb_path, cache), as_version=4)
    key = cached.metadata["cnncourse"]["build_key"]
    again = slides.execute_notebook(nb_path, cache)
    assert again.metadata["cnncourse"]["build_key"] == key
    changed = built["tmp"] / "changed" / nb_path.name
    changed.parent.mkdir()
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells[2].source = "print(6 * 7)"
    nbformat.write(nb, changed)
    rerun = slides.execute_notebook(changed, cache)
    assert rerun.metadata["cnncourse"]["build_key"] != key
    assert "42" in rerun.cells[2].outputs[0]["text"]


@pytest.mark.slow
def test_site_has_chapter_table_pages_and_deck_links(built):
    tmp = built["tmp"]
    exercises = tmp / "exercises"
    exercises.mkdir()
    ex = new_notebook(cells=[new_markdown_cell("# Exercise 01: a tiny one"),
                             new_code_cell("raise NotImplementedError('fill me')")])
    nbformat.write(ex, exercises / "01_tiny.ipynb")
    index, errors = site.build_site([built["notebook"]], tmp / "site", tmp / "site-slides",
                                    cache_dir=built["cache"], exercise_dir=exercises,
                                    log=lambda *a: None)
    assert not errors, errors
    html = index.read_text(encoding="utf-8")
    row = re.search(r'<table id="chapters">.*?</table>', html, re.S).group(0)
    assert '<td class="num">01</td><td>Tiny deck: convolution</td>' in row
    assert 'href="01_tiny.html"' in row and 'href="../site-slides/01_tiny.slides.html"' in row
    assert "Exercise 01: a tiny one" in html
    page = tmp / "site" / "01_tiny.html"
    text = page.read_text(encoding="utf-8")
    assert "[3. 5.]" in text
    assert INSTRUCTOR_TEXT not in text
    assert NOTE_TEXT not in text          # speaker notes are for the decks, not the reading page
    for built_page in (page, tmp / "site" / "exercises" / "01_tiny.html",
                       tmp / "site-slides" / "01_tiny.slides.html"):
        assert_offline(built_page)
    assert (tmp / "site" / "exercises" / "01_tiny.ipynb").exists()
    assert (tmp / "site" / "notebooks" / "01_tiny.ipynb").exists()


def test_first_heading_is_the_title():
    nb = new_notebook(cells=[new_code_cell("# a comment, not a heading"),
                             new_markdown_cell("Some text\n\n## 02. Convolution math (합성곱)")])
    assert slides.first_heading(nb) == "02. Convolution math (합성곱)"
    assert slides.first_heading(new_notebook()) is None


def test_cli_reports_a_missing_notebook(tmp_path, capsys):
    assert cli.main(["slides", str(tmp_path / "nope.ipynb"), "--out", str(tmp_path)]) == 1
    assert "no such notebook" in capsys.readouterr().err


def test_missing_vendor_copy_says_how_to_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="tools/vendor-web.sh"):
        slides.check_vendor(tmp_path)


def test_vendor_copy_is_complete():
    """`make setup` (tools/vendor-web.sh) put every asset the templates load in build/vendor/."""
    slides.check_vendor(slides.vendor_dir())


@pytest.mark.slow
def test_course_widgets_become_kernel_free_players(built):
    """The ConvStepper's 4 steps are in the deck as 4 pictures with their values (2x2 sums of
    0..8 are 8, 12, 20, 24); the plain ipywidgets box, which needs no kernel, stays live."""
    text = built["student"].read_text(encoding="utf-8")
    player = re.search(r'<div class="cnncourse-player" data-frames="(\d+)">(.*?)'
                       r'<p class="cnncourse-note">', text, re.S)
    assert player and player.group(1) == "4", "no player of 4 frames in the deck"
    frames = re.findall(r'<div class="cnncourse-frame" data-index="(\d)"', player.group(2))
    assert frames == ["0", "1", "2", "3"]
    values = re.findall(r"s\(\d, \d\) = <b>(\d+)</b>", player.group(2))
    assert values == ["8", "12", "20", "24"], values
    assert len(set(re.findall(r'src="data:image/png;base64,([^"]{200})', player.group(2)))) == 4
    assert "IntSliderModel" in text and "ConvStepper" in text


@pytest.mark.slow
def test_a_deck_folder_works_wherever_it_is_copied(built, tmp_path):
    """Every asset a deck refers to is inside its folder (assets/), none outside it."""
    copy = tmp_path / "elsewhere" / "decks"
    shutil.copytree(built["student"].parent, copy)
    deck = copy / built["student"].name
    assert_offline(deck)
    for ref in asset_refs(deck.read_text(encoding="utf-8")):
        target = (deck.parent / unquote(urlsplit(ref).path)).resolve()
        assert copy.resolve() in target.parents, f"{ref} is outside the deck folder"


def test_build_folder_is_the_checkouts_whatever_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = Path(__file__).resolve().parents[1]
    assert slides.executed_cache() == root / "build" / "executed"
    assert slides.default_out() == root / "build" / "slides"
    assert slides.default_out(instructor=True) == root / "build" / "slides-instructor"
    assert [p.name for p in slides.lecture_notebooks()][:1] == ["00_welcome.ipynb"]


def test_notebook_folders_are_expanded(tmp_path):
    """An edition's folder (notebooks/ko) builds every notebook in it, in order."""
    for name in ("02_b.ipynb", "01_a.ipynb"):
        make_tiny_notebook(tmp_path / name)
    assert [p.name for p in slides.lecture_notebooks([tmp_path])] == ["01_a.ipynb", "02_b.ipynb"]
    assert slides.cached_copy(tmp_path / "01_a.ipynb", tmp_path) != \
        slides.cached_copy(tmp_path / "sub" / "01_a.ipynb", tmp_path)


def test_streams_show_what_a_terminal_shows():
    """Keras' progress bar: many writes, backspaces and carriage returns -> one line."""
    back = "\b" * 12
    bar = "Epoch 1/2\n" + "".join(f"{back}\r{i}/3 loss={i}" for i in (1, 2, 3)) + "\n"
    assert slides.terminal_text(bar) == "Epoch 1/2\n3/3 loss=3\n"
    assert slides.terminal_text("ab\bc\r\nx") == "ac\r\nx"


@pytest.mark.slow
def test_cache_follows_the_modules_the_notebook_imported(built):
    """A run records the cnncourse files it imported: a change to one of them re-runs the
    notebook, a change elsewhere in the package (e.g. the training code) does not."""
    nb_path = built["notebook"]
    cached = nbformat.read(slides.cached_copy(nb_path, built["cache"]), as_version=4)
    modules = {Path(f).relative_to(Path(slides.__file__).parent).as_posix()
               for f in cached.metadata["cnncourse"]["modules"]}
    assert {"ops.py", "widgets/conv_stepper.py", "deck_widgets.py"} <= modules, modules
    assert "training.py" not in modules and "grading.py" not in modules
    assert slides._cache_is_valid(cached, nb_path)
    ops_file = next(f for f in cached.metadata["cnncourse"]["modules"] if f.endswith("/ops.py"))
    cached.metadata["cnncourse"]["modules"][ops_file] = "0" * 64     # as if ops.py had changed
    assert not slides._cache_is_valid(cached, nb_path)


# ------------------------------------------------------------------------------------------
# Both editions: Korean decks and pages, the site's language switch on every page
# ------------------------------------------------------------------------------------------
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def make_korean_notebook(path: Path) -> Path:
    """A cheap Korean-edition notebook (``metadata.cnncourse.lang = "ko"``, as `cnncourse i18n
    build` writes them): a title, one computed output."""
    nb = new_notebook(cells=[
        _cell(new_markdown_cell("# 작은 덱: 합성곱\n\n특성 맵(feature map)을 봅니다."), "slide"),
        _cell(new_code_cell("print('합성곱', 1 + 2)"), "slide"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["cnncourse"] = {"lang": "ko"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _lang(page: Path) -> str:
    return re.search(r'<html lang="([^"]+)"', page.read_text(encoding="utf-8")).group(1)


@pytest.mark.slow
def test_a_korean_deck_speaks_korean_and_carries_its_hangul_font(built):
    """The tiny notebook's run exported as a Korean deck: <html lang="ko">, the player's label
    and notes from the package catalog, a Hangul font face (installed fonts, then the copy in
    the deck folder's assets/fonts/), nothing from the network."""
    decks, errors = slides.build_decks([built["notebook"]], built["tmp"] / "ko-decks",
                                       cache_dir=built["cache"], lang="ko", log=lambda *a: None)
    assert not errors, errors
    deck = decks[0]
    text = deck.read_text(encoding="utf-8")
    assert _lang(deck) == "ko" and _lang(built["student"]) == "en"
    player = re.search(r'<div class="cnncourse-player".*?<p class="cnncourse-note">(.*?)</p>',
                       text, re.S)
    assert player and HANGUL.search(player.group(1)), "the player's note is not Korean"
    label = re.search(r'data-format="([^"]*)"', text).group(1)
    assert "{i}" in label and "{n}" in label and " of " not in label, label
    continued = re.search(r"p\.textContent = (\"[^\"]*\")", text).group(1)
    assert json.loads(continued) == "{title} (계속)", continued    # the catalog's, not English
    face = re.search(r'@font-face \{ font-family: "cnncourse Hangul"; font-weight: normal; '
                     r'src: ([^;]*);', text)
    assert face and 'local("NanumGothic")' in face.group(1)
    font = slides.hangul_font_file()
    if font is not None:                               # fonts-nanum: the folder carries a copy
        assert f'url("assets/fonts/{font.name}")' in face.group(1)
        assert (deck.parent / "assets" / "fonts" / font.name).stat().st_size == \
            font.stat().st_size
    assert_offline(deck)
    # the English deck names the same face (its Korean glosses) but carries no font file
    assert 'font-family: "cnncourse Hangul"' in built["student"].read_text(encoding="utf-8")
    assert not (built["student"].parent / "assets" / "fonts").exists()


@pytest.fixture(scope="module")
def two_editions(built):
    """A two-edition site of tiny notebooks, copied elsewhere: English (the tiny notebook, two
    exercises) and Korean (a Korean notebook, one exercise: 02 is English-only)."""
    import shutil as _shutil

    tmp = built["tmp"] / "editions"
    ex = tmp / "exercises"
    for folder, names in ((ex, ["01_tiny", "02_only_en"]), (ex / "ko", ["01_tiny"])):
        folder.mkdir(parents=True)
        for name in names:
            title = "# 연습 01: 작은 문제" if folder.name == "ko" else f"# Exercise {name}"
            nbformat.write(new_notebook(cells=[new_markdown_cell(title),
                                               new_code_cell("raise NotImplementedError")]),
                           folder / f"{name}.ipynb")
    korean = make_korean_notebook(tmp / "notebooks" / "ko" / "01_tiny.ipynb")
    english = site.Edition("en", [built["notebook"]], ex, tmp / "site", tmp / "slides")
    ko = site.Edition("ko", [korean], ex / "ko", tmp / "site" / "ko", tmp / "slides" / "ko")
    indexes, errors = site.build_editions([english, ko], cache_dir=built["cache"],
                                          log=lambda *a: None)
    assert not errors, errors
    assert indexes == [tmp / "site" / "index.html", tmp / "site" / "ko" / "index.html"]
    _shutil.copytree(tmp / "site", tmp / "copied" / "site")
    return {"tmp": tmp, "site": tmp / "copied" / "site"}


SWITCH = re.compile(r'<a class="cnncourse-lang" href="([^"]+)" hreflang="(\w+)" lang="\w+"'
                    r'[^>]*>([^<]+)</a>')


@pytest.mark.slow
def test_every_site_page_switches_to_the_same_page_of_the_other_edition(two_editions):
    root = two_editions["site"]
    pages = sorted(p for p in root.rglob("*.html") if "assets" not in p.relative_to(root).parts)
    rel = {p.relative_to(root).as_posix() for p in pages}
    assert rel == {"index.html", "01_tiny.html", "exercises/01_tiny.html",
                   "exercises/02_only_en.html", "ko/index.html", "ko/01_tiny.html",
                   "ko/exercises/01_tiny.html"}, rel
    for page in pages:
        name = page.relative_to(root).as_posix()
        korean = name.startswith("ko/")
        links = SWITCH.findall(page.read_text(encoding="utf-8"))
        assert len(links) == 1, f"{name}: {len(links)} language switches"
        href, hreflang, text = links[0]
        assert not re.match(r"[a-z]+:|/", href), f"{name}: {href} is not a relative link"
        target = (page.parent / href).resolve()
        assert target.is_file() and root.resolve() in target.parents, f"{name} -> {href}"
        expected = name[3:] if korean else "ko/" + name
        if expected not in rel:
            expected = "index.html" if korean else "ko/index.html"
        assert target.relative_to(root.resolve()).as_posix() == expected, (name, href)
        assert (hreflang, text) == (("en", "English") if korean else ("ko", "한국어"))
        assert _lang(page) == ("ko" if korean else "en"), name


@pytest.mark.slow
def test_the_korean_site_speaks_korean(two_editions):
    root = two_editions["site"]
    index = (root / "ko" / "index.html").read_text(encoding="utf-8")
    heads = re.findall(r"<th>([^<]*)</th>", index)
    assert heads and all(HANGUL.search(h) for h in heads if h != "#"), heads
    assert HANGUL.search(re.search(r"<h1>(.*?)</h1>", index).group(1))
    assert "작은 덱: 합성곱" in index and "exercises/ko/NN_topic.ipynb" in index
    page = (root / "ko" / "01_tiny.html").read_text(encoding="utf-8")
    home = re.search(r'<a class="cnncourse-home" href="index.html">([^<]*)</a>', page)
    assert home and HANGUL.search(home.group(1))
    assert "합성곱 3" in page                               # its output, executed
    assert "cnncourse Hangul" in page
    english = (root / "01_tiny.html").read_text(encoding="utf-8")
    assert re.search(r'<a class="cnncourse-home" href="index.html">(?:&larr;|←) All chapters</a>',
                     english)
    deck = two_editions["tmp"] / "slides" / "ko" / "01_tiny.slides.html"
    assert _lang(deck) == "ko"                             # from the notebook's metadata
    for built_page in (root / "ko" / "01_tiny.html", root / "ko" / "exercises" / "01_tiny.html",
                       deck):
        assert_offline(built_page)


def test_both_editions_are_the_default(monkeypatch, tmp_path):
    """`cnncourse slides` and `cnncourse site` build the English and the Korean edition into
    build/slides/ and build/slides/ko/ (build/site/, build/site/ko/); --lang picks one."""
    root = Path(__file__).resolve().parents[1]
    calls = []
    monkeypatch.setattr(slides, "build_decks", lambda paths, out, *a, lang=None, **k:
                        calls.append((paths, out, lang)) or ([], []))
    assert cli.main(["slides"]) == 0
    assert [(c[1], c[2]) for c in calls] == [(root / "build" / "slides", "en"),
                                             (root / "build" / "slides" / "ko", "ko")]
    assert calls[0][0] == sorted((root / "notebooks").glob("*.ipynb"))
    assert calls[1][0] == sorted((root / "notebooks" / "ko").glob("*.ipynb"))
    calls.clear()
    assert cli.main(["slides", "--instructor", "--lang", "ko", "--out", str(tmp_path)]) == 0
    assert [(c[1], c[2]) for c in calls] == [(tmp_path / "ko", "ko")]

    built_sites = []
    monkeypatch.setattr(site, "build_site", lambda paths, out, slides_out, *a, **k:
                        built_sites.append((paths, out, slides_out, a)) or (out / "index.html", []))
    assert cli.main(["site"]) == 0
    assert [(s[1], s[2]) for s in built_sites] == [
        (root / "build" / "site", root / "build" / "slides"),
        (root / "build" / "site" / "ko", root / "build" / "slides" / "ko")]
    assert built_sites[1][0] == sorted((root / "notebooks" / "ko").glob("*.ipynb"))
    exercises, lang, other = built_sites[1][3][-3:]
    assert (exercises, lang) == (root / "exercises" / "ko", "ko") and other.lang == "en"
    with pytest.raises(SystemExit, match="--lang all"):
        cli.main(["slides", "notebooks", "--lang", "all"])
