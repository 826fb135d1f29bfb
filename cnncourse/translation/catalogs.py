"""gettext catalogs (Babel): extract a notebook's messages, merge them into its .po, count.

A message is one markdown cell, or one comment or text string of a code cell (see cells.py).
Its context (msgctxt) is the cell id and its location (#:) the notebook, so the same English
sentence in two cells can be translated differently. Each message carries extracted comments
(#.) for the translator: what kind of text it is, and the glossary terms it uses.

Merging keeps every translation whose (cell id, English) is unchanged; a changed message gets the
old translation of the closest English text (first in the same cell, then anywhere), marked
fuzzy, with the old English as #| msgid so an editor shows the difference; messages that are
gone are dropped.
"""
from __future__ import annotations

import difflib
import io
from datetime import datetime, timezone

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from .. import __version__
from . import cells, glossary

KIND_NOTES = {
    "markdown": "markdown cell",
    "comment": "code comment: one line",
    "string": "string literal in code: keep every {...} and %-field; copy it unchanged if "
              "it is not shown to the reader",
    "docstring": "docstring",
}
SAME_CELL_CUTOFF, ANYWHERE_CUTOFF = 0.5, 0.8


def is_generated(cell):
    return bool(cell.metadata.get("cnncourse", {}).get("generated"))


def extract(nb, location, terms=()):
    """A template Catalog (no translations) of a notebook's messages, in cell order."""
    template = Catalog(locale="ko", project="cnncourse", fuzzy=False)
    for index, cell in enumerate(nb.cells):
        if is_generated(cell):
            continue
        try:
            pieces = cells.cell_pieces(cell)
        except cells.TranslationError as err:
            raise cells.TranslationError(f"{location} cell {index} ({cell.id}): {err}") from None
        for piece in pieces:
            if template.get(piece.text, context=cell.id) is not None:
                continue
            notes = [KIND_NOTES[piece.kind]]
            used = glossary.terms_in(piece.text, terms)
            if used:
                notes.append("glossary: " + "; ".join(f"{t.english} = {t.korean}" for t in used))
            template.add(piece.text, locations=[(location, None)], auto_comments=notes,
                         context=cell.id)
    return template


def read(path):
    with open(path, "rb") as handle:
        return read_po(handle, locale="ko")


def _key(message):
    return (message.context, message.id)


def _has_text(string):
    return all(string) if isinstance(string, (tuple, list)) else bool(string)


def _translated(message):
    return _has_text(message.string) and not message.fuzzy


def merge(template, old=None):
    """A new Catalog with the template's messages and the old catalog's translations."""
    new = Catalog(locale="ko", project="cnncourse", fuzzy=False,
                  header_comment=template.header_comment)
    old_messages = [m for m in (old or []) if m.id]
    if old is not None:
        new.header_comment = old.header_comment
        new.creation_date, new.revision_date = old.creation_date, old.revision_date
        new.last_translator, new.language_team = old.last_translator, old.language_team
    by_key = {_key(m): m for m in old_messages}
    with_text = [m for m in old_messages if _has_text(m.string)]
    for message in template:
        if not message.id:
            continue
        string, flags, previous, user = "", set(), [], []
        same = by_key.get(_key(message))
        if same is not None and _has_text(same.string):
            string, user = same.string, list(same.user_comments)
            flags = {"fuzzy"} if same.fuzzy else set()
            previous = list(same.previous_id) if same.fuzzy else []
        else:
            closest = _closest(message, with_text)
            if closest is not None:
                string, flags, previous = closest.string, {"fuzzy"}, [closest.id]
                user = list(closest.user_comments)
        if isinstance(message.id, (tuple, list)) and not isinstance(string, (tuple, list)):
            string = (string,) * new.num_plurals     # Korean has one plural form
        new.add(message.id, string, locations=message.locations,
                flags=(set(message.flags) - {"fuzzy"}) | flags,
                auto_comments=message.auto_comments, user_comments=user,
                previous_id=previous, context=message.context)
    return new


def _closest(message, candidates):
    """The old message whose English is closest: in the same cell first, then anywhere."""
    def best(pool, cutoff):
        scored = [(difflib.SequenceMatcher(None, message.id, m.id).ratio(), i, m)
                  for i, m in enumerate(pool)]
        scored = [s for s in scored if s[0] >= cutoff]
        return max(scored, key=lambda s: (s[0], -s[1]))[2] if scored else None
    return (best([m for m in candidates if m.context == message.context], SAME_CELL_CUTOFF)
            or best(candidates, ANYWHERE_CUTOFF))


def signature(catalog):
    """What a catalog says, without its header dates and tool versions (to decide a rewrite)."""
    return [(m.context, m.id, m.string, m.fuzzy, tuple(m.previous_id or ()),
             tuple(m.auto_comments), tuple(m.user_comments), tuple(m.locations))
            for m in catalog if m.id]


HEADER = ("# Korean translation of {title} (cnncourse).\n"
          "# Written by `cnncourse i18n update`: translate the msgstr lines only (any PO editor:\n"
          "# Poedit, Weblate, Lokalize). Terms: i18n/glossary.ko.tsv.\n#")


def render(catalog, title):
    """The .po text: unwrapped lines (one source line per line), previous ids kept."""
    if "FIRST AUTHOR" in (catalog.header_comment or ""):
        catalog.header_comment = HEADER.format(title=title)
        catalog.language_team = "Korean"
        catalog.version = __version__
    if catalog.creation_date is None or isinstance(catalog.creation_date, str):
        catalog.creation_date = datetime.now(timezone.utc)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, ignore_obsolete=True, include_previous=True,
             include_lineno=False)
    return buffer.getvalue().decode("utf-8")


def counts(catalog):
    """{'total', 'translated', 'fuzzy', 'missing'} for a catalog."""
    messages = [m for m in catalog if m.id]
    fuzzy = sum(1 for m in messages if _has_text(m.string) and m.fuzzy)
    translated = sum(1 for m in messages if _translated(m))
    return {"total": len(messages), "translated": translated, "fuzzy": fuzzy,
            "missing": len(messages) - translated - fuzzy}


def lookup(catalog):
    """{(cell id, English): Korean} of the translated, non-fuzzy messages."""
    return {_key(m): m.string for m in catalog if m.id and _translated(m)}


PACKAGE_KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extract_package(package_dir, location_root):
    """A template Catalog of the package's own messages: the strings passed to _(), N_() and
    ngettext() in its modules (Babel's Python extractor)."""
    from babel.messages.extract import extract_from_dir
    template = Catalog(locale="ko", project="cnncourse", fuzzy=False)
    for filename, _lineno, message, comments, context in extract_from_dir(
            str(package_dir), method_map=[("**.py", "python")], keywords=PACKAGE_KEYWORDS,
            comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        location = f"{location_root}/{filename}".replace("\\", "/")
        existing = template.get(message, context=context)
        if existing is not None:
            existing.locations.append((location, None))
            continue
        flags = ("python-brace-format",) if "{" in (message if isinstance(message, str)
                                                     else message[0]) else ()
        template.add(message, locations=[(location, None)], auto_comments=comments,
                     flags=flags, context=context)
    return template
