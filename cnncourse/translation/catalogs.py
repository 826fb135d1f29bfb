"""gettext catalogs (polib): extract a notebook's messages, merge them into its .po, count.

A message is one markdown cell, or one comment or text string of a code cell (see cells.py).
Its context (msgctxt) is the cell id and its location (#:) the notebook, so the same English
sentence in two cells can be translated differently. Each message carries extracted comments
(#.) for the translator: what kind of text it is, and the glossary terms it uses.

Merging keeps every translation whose (cell id, English) is unchanged; a changed message gets the
old translation of the closest English text (first in the same cell, then anywhere), marked
fuzzy, with the old English as `#| msgid` so a PO editor shows what changed; messages that are
gone are dropped. The header has no dates, so an update that changes no message changes no byte.
"""
from __future__ import annotations

import ast
import difflib
from pathlib import Path

import polib

from . import cells, glossary

KIND_NOTES = {
    "markdown": "markdown cell",
    "comment": "code comment: one line",
    "string": "string literal in code: keep every {...} and %-field; copy it unchanged if "
              "it is not shown to the reader",
    "docstring": "docstring",
}
SAME_CELL_CUTOFF, ANYWHERE_CUTOFF = 0.5, 0.8
HEADER = ("Korean translation of {title} (cnncourse).\n"
          "Written by `cnncourse i18n update`: translate the msgstr lines only (any PO editor:\n"
          "Poedit, Weblate, Lokalize). Terms: i18n/glossary.ko.tsv.")
METADATA = {"Project-Id-Version": "cnncourse", "Language": "ko", "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit",
            "Plural-Forms": "nplurals=1; plural=0;"}


def is_generated(cell):
    return bool(cell.metadata.get("cnncourse", {}).get("generated"))


def _new(title):
    po = polib.POFile(wrapwidth=0)
    po.header = HEADER.format(title=title)
    po.metadata = dict(METADATA)
    return po


def extract(nb, location, terms=()):
    """A template catalog (no translations) of a notebook's messages, in cell order."""
    template = _new(location)
    seen = set()
    for index, cell in enumerate(nb.cells):
        if is_generated(cell):
            continue
        try:
            pieces = cells.cell_pieces(cell)
        except cells.TranslationError as err:
            raise cells.TranslationError(f"{location} cell {index} ({cell.id}): {err}") from None
        for piece in pieces:
            if (cell.id, piece.text) in seen:
                continue
            seen.add((cell.id, piece.text))
            notes = [KIND_NOTES[piece.kind]]
            used = glossary.terms_in(piece.text, terms)
            if used:
                notes.append("glossary: " + "; ".join(f"{t.english} = {t.korean}" for t in used))
            template.append(polib.POEntry(msgctxt=cell.id, msgid=piece.text, msgstr="",
                                          comment="\n".join(notes),
                                          occurrences=[(location, "")]))
    return template


PACKAGE_KEYWORDS = {"_": 1, "N_": 1, "ngettext": 2}


def extract_package(package_dir, location_root):
    """A template catalog of the package's own messages: the literal strings passed to _(),
    N_() and ngettext() in its modules, found with the ast module."""
    package_dir = Path(package_dir)
    template = _new("the cnncourse package")
    index = {}
    for path in sorted(package_dir.rglob("*.py")):
        location = f"{location_root}/{path.relative_to(package_dir).as_posix()}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in PACKAGE_KEYWORDS):
                continue
            args = node.args[:PACKAGE_KEYWORDS[node.func.id]]
            if not args or not all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                   for a in args):
                continue
            texts = [a.value for a in args]
            key = tuple(texts)
            if key in index:
                if (location, "") not in index[key].occurrences:
                    index[key].occurrences.append((location, ""))
                continue
            entry = polib.POEntry(msgid=texts[0], msgstr="", occurrences=[(location, "")],
                                  flags=["python-brace-format"] if "{" in texts[0] else [])
            if len(texts) == 2:
                entry.msgid_plural, entry.msgstr, entry.msgstr_plural = texts[1], "", {0: ""}
            index[key] = entry
            template.append(entry)
    return template


def read(path):
    return polib.pofile(str(path), wrapwidth=0)


def _key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def _has_text(entry):
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def _translated(entry):
    return _has_text(entry) and not entry.fuzzy and not entry.obsolete


def merge(template, old=None):
    """A new catalog with the template's messages and the old catalog's translations."""
    new = _new("")
    new.header = old.header if old is not None else template.header
    new.metadata = dict(old.metadata) if old is not None else dict(template.metadata)
    old_entries = [e for e in (old or []) if not e.obsolete]
    by_key = {_key(e): e for e in old_entries}
    with_text = [e for e in old_entries if _has_text(e)]
    for entry in template:
        fresh = polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid,
                              msgid_plural=entry.msgid_plural, msgstr="",
                              msgstr_plural={0: ""} if entry.msgid_plural else {},
                              comment=entry.comment, occurrences=list(entry.occurrences),
                              flags=[f for f in entry.flags if f != "fuzzy"])
        same = by_key.get(_key(entry))
        source, fuzzy = (same, same.fuzzy) if same is not None and _has_text(same) else (
            _closest(entry, with_text), True)
        if source is not None:
            fresh.msgstr = source.msgstr
            fresh.msgstr_plural = dict(source.msgstr_plural) if entry.msgid_plural else {}
            fresh.tcomment = source.tcomment
            if fuzzy:
                fresh.flags.append("fuzzy")
                fresh.previous_msgid = (source.previous_msgid if source is same
                                        else source.msgid)
        new.append(fresh)
    return new


def _closest(entry, candidates):
    """The old entry whose English is closest: in the same cell first, then anywhere."""
    def best(pool, cutoff):
        scored = [(difflib.SequenceMatcher(None, entry.msgid, e.msgid).ratio(), -i, e)
                  for i, e in enumerate(pool)]
        scored = [s for s in scored if s[0] >= cutoff]
        return max(scored, key=lambda s: s[:2])[2] if scored else None
    return (best([e for e in candidates if e.msgctxt == entry.msgctxt], SAME_CELL_CUTOFF)
            or best(candidates, ANYWHERE_CUTOFF))


def signature(catalog):
    """What a catalog says, whatever editor wrote it (to decide whether to rewrite it)."""
    return [(e.msgctxt, e.msgid, e.msgid_plural, e.msgstr, sorted(e.msgstr_plural.items()),
             e.fuzzy, e.previous_msgid, " ".join(e.comment.split()), e.tcomment,
             sorted(e.occurrences)) for e in catalog if not e.obsolete]


def render(catalog):
    """The .po text: unwrapped lines (one source line per line), previous ids kept."""
    text = str(catalog)
    return text if text.endswith("\n") else text + "\n"


def counts(catalog):
    """{'total', 'translated', 'fuzzy', 'missing'} for a catalog."""
    entries = [e for e in catalog if not e.obsolete]
    fuzzy = sum(1 for e in entries if _has_text(e) and e.fuzzy)
    translated = sum(1 for e in entries if _translated(e))
    return {"total": len(entries), "translated": translated, "fuzzy": fuzzy,
            "missing": len(entries) - translated - fuzzy}


def lookup(catalog):
    """{(cell id, English): Korean} of the translated, non-fuzzy messages."""
    return {(e.msgctxt, e.msgid): e.msgstr for e in catalog if _translated(e)}
