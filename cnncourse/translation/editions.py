"""English notebooks + catalogs -> the Korean edition (notebooks/ko, solutions/ko, exercises/ko).

    notebooks/NAME.ipynb  + i18n/ko/notebooks/NAME.po  -> notebooks/ko/NAME.ipynb
    solutions/NAME.ipynb  + i18n/ko/solutions/NAME.po  -> solutions/ko/NAME.ipynb
    solutions/ko/*.ipynb  --(cnncourse.exercises)-->      exercises/ko/*.ipynb

A Korean notebook is the English one with each message replaced by its translation (untranslated
and fuzzy messages stay English), the same cells, ids, tags and slide metadata, plus
``metadata.cnncourse.lang = "ko"`` and two lines at the top of the first code cell that make the
package speak Korean (LANGUAGE_LINES). Code cells keep every token but the text of comments and
strings; a translation that would change anything else stops the build with the cell named.
A notebook is in the Korean edition exactly when its catalog exists (`i18n update --new NAME`).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .. import exercises
from . import catalogs, cells, glossary

ROOT = Path(__file__).resolve().parents[2]
LANG = "ko"
LANGUAGE_LINES = [
    "from cnncourse import set_language",
    'set_language("ko")  # 한국어판: 패키지의 메시지와 그림도 한국어로 나옵니다',
]
FOLDERS = ("notebooks", "solutions")       # the sources; exercises/ko is made from solutions/ko


@dataclass(frozen=True)
class Source:
    english: Path        # notebooks/00_welcome.ipynb
    catalog: Path        # i18n/ko/notebooks/00_welcome.po
    target: Path         # notebooks/ko/00_welcome.ipynb

    @property
    def name(self):
        return f"{self.english.parent.name}/{self.english.stem}"


def sources(root=ROOT, lang=LANG):
    """Every English lecture and solution notebook, with its catalog and Korean paths."""
    root = Path(root)
    return [Source(path, root / "i18n" / lang / folder / f"{path.stem}.po",
                   root / folder / lang / path.name)
            for folder in FOLDERS for path in sorted((root / folder).glob("*.ipynb"))]


def relative(path, root=ROOT):
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


def inject_language(source):
    """The first code cell of a Korean notebook: LANGUAGE_LINES first (after a %% line)."""
    lines = source.split("\n")
    at = 1 if lines and lines[0].startswith("%%") else 0
    return "\n".join(lines[:at] + LANGUAGE_LINES + lines[at:])


def strip_language(source):
    """The inverse of inject_language (ValueError when the lines are not there)."""
    lines = source.split("\n")
    at = 1 if lines and lines[0].startswith("%%") else 0
    if lines[at:at + len(LANGUAGE_LINES)] != LANGUAGE_LINES:
        raise ValueError("the first code cell does not start with the language lines")
    return "\n".join(lines[:at] + lines[at + len(LANGUAGE_LINES):])


def translate(nb, translations, terms, where="notebook"):
    """The Korean twin of an English notebook (a new node); `translations` maps
    (cell id, English) -> Korean. Raises cells.TranslationError naming the cell."""
    ko = copy.deepcopy(nb)
    ko.metadata.setdefault("cnncourse", {})["lang"] = LANG
    first_code = True
    for index, cell in enumerate(ko.cells):
        here = f"{where} cell {index} ({cell.id})"
        if catalogs.is_generated(cell):
            cell.source = generated_source(cell, LANG, terms)
            continue
        try:
            pieces = cells.cell_pieces(cell)
        except cells.TranslationError as err:
            raise cells.TranslationError(f"{here}: {err}") from None
        texts = [translations.get((cell.id, piece.text)) for piece in pieces]
        for piece, text in zip(pieces, texts):
            if text is not None:
                try:
                    cells.check_translation(piece, text)
                except cells.TranslationError as err:
                    raise cells.TranslationError(f"{here}, message {piece.text!r}: {err}") from None
        source = cells.apply(cell.source, pieces, texts)
        if cell.cell_type == "code":
            problems = cells.token_differences(cell.source, source)
            if problems:
                raise cells.TranslationError(f"{here}: the translation changes the code: "
                                             + "; ".join(problems[:3]))
            if first_code:
                source, first_code = inject_language(source), False
            cell.outputs, cell.execution_count = [], None
        cell.source = source
    return ko


def generated_source(cell, lang, terms):
    kind = cell.metadata["cnncourse"]["generated"]
    if kind == "glossary":
        return glossary.table(terms, lang)
    raise cells.TranslationError(f"cell {cell.id}: unknown generated content {kind!r}")


def render(nb):
    return exercises.render(nb)


def _write(path, text, check, stale):
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        stale.append(path)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")


def update(root=ROOT, new=(), check=False, terms=None):
    """Extract every notebook that has a catalog (and those named in `new`, creating theirs)
    into its catalog. Returns the catalogs that changed (were rewritten unless check)."""
    terms = glossary.load(Path(root) / "i18n" / "glossary.ko.tsv") if terms is None else terms
    wanted = set(new)
    unknown = wanted - {s.name for s in sources(root)} - {s.english.stem for s in sources(root)}
    if unknown:
        raise ValueError(f"no such notebook: {', '.join(sorted(unknown))} (give FOLDER/NAME, "
                         "e.g. notebooks/01_why_convolution)")
    changed = []
    for source in sources(root):
        if not source.catalog.is_file() and not wanted & {source.name, source.english.stem}:
            continue
        location = relative(source.english, root)
        template = catalogs.extract(nbformat.read(source.english, as_version=4), location, terms)
        old = catalogs.read(source.catalog) if source.catalog.is_file() else None
        merged = catalogs.merge(template, old)
        if old is None or catalogs.signature(merged) != catalogs.signature(old):
            changed.append(source.catalog)
            if not check:
                source.catalog.parent.mkdir(parents=True, exist_ok=True)
                source.catalog.write_text(catalogs.render(merged), encoding="utf-8")
    package = Path(root) / "cnncourse"
    if package.is_dir():
        catalog = package_catalog(root)
        template = catalogs.extract_package(package, "cnncourse")
        old = catalogs.read(catalog) if catalog.is_file() else None
        merged = catalogs.merge(template, old)
        if old is None or catalogs.signature(merged) != catalogs.signature(old):
            changed.append(catalog)
            if not check:
                catalog.parent.mkdir(parents=True, exist_ok=True)
                catalog.write_text(catalogs.render(merged), encoding="utf-8")
    return changed


def package_catalog(root=ROOT):
    return Path(root) / "cnncourse" / "locale" / LANG / "LC_MESSAGES" / "cnncourse.po"


def build(root=ROOT, check=False, terms=None):
    """Write (or with check=True only compare) every Korean notebook, the generated cells of the
    English ones, and exercises/ko. Returns the paths that were out of date."""
    root = Path(root)
    terms = glossary.load(root / "i18n" / "glossary.ko.tsv") if terms is None else terms
    stale, expected = [], set()
    for source in sources(root):
        english = nbformat.read(source.english, as_version=4)
        regenerated = copy.deepcopy(english)
        generated = [c for c in regenerated.cells if catalogs.is_generated(c)]
        for cell in generated:
            cell.source = generated_source(cell, "en", terms)
        if generated:
            _write(source.english, render(regenerated), check, stale)
        if not source.catalog.is_file():
            continue
        translations = catalogs.lookup(catalogs.read(source.catalog))
        korean = translate(regenerated, translations, terms, relative(source.english, root))
        _write(source.target, render(korean), check, stale)
        expected.add(source.target)
    solutions_ko, exercises_ko = root / "solutions" / LANG, root / "exercises" / LANG
    for folder in (root / "notebooks" / LANG, solutions_ko, exercises_ko):
        for path in sorted(folder.glob("*.ipynb")):
            if folder != exercises_ko and path not in expected:
                stale.append(path)                  # a Korean notebook without its source
                if not check:
                    path.unlink()
    if any(solutions_ko.glob("*.ipynb")) or any(exercises_ko.glob("*.ipynb")):
        if any(solutions_ko.glob("*.ipynb")):
            stale += exercises.generate(solutions_ko, exercises_ko, check=check)
        known = {p.name for p in solutions_ko.glob("*.ipynb")}
        for path in sorted(exercises_ko.glob("*.ipynb")):
            if path.name not in known:
                stale.append(path)
                if not check:
                    path.unlink()
    return stale


def status(root=ROOT):
    """[(name, catalog path, counts or None)] for the package and every English notebook
    (None: no catalog yet)."""
    rows = [("cnncourse (package)", package_catalog(root))]
    rows += [(s.name, s.catalog) for s in sources(root)]
    return [(name, path, catalogs.counts(catalogs.read(path)) if path.is_file() else None)
            for name, path in rows]
