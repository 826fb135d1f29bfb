"""The course glossary, i18n/glossary.ko.tsv: one term a line, `english<TAB>korean<TAB>note`.

It is the single source of the Korean terms: the translators' hints in every catalog, the test
that each English term a message uses appears in its Korean form in the translation, and the
glossary table of notebook 00 (both editions) all come from this file.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "i18n" / "glossary.ko.tsv"


@dataclass(frozen=True)
class Term:
    english: str
    korean: str
    note: str = ""

    @property
    def pattern(self):
        """The English term as a whole word, any case, '-' or ' ' between words, plural -s/-es;
        not a part of a name in code (``output_size``, ``keras.layers``, ``x.shape``) nor a
        call or keyword (``shift(x)``, ``padding="same"``; ``layer(s)`` is a word)."""
        words = [re.escape(w) for w in re.split(r"[\s-]+", self.english)]
        name = "[A-Za-z0-9_]"              # a Hangul particle may follow: '커널(kernel)을'
        return re.compile(rf"(?<!{name})(?<!\.)" + r"[\s-]+".join(words)
                          + rf"(?:s|es)?(?!{name}|\.{name}|=|\((?!s\)))", re.IGNORECASE)


def load(path=GLOSSARY):
    """The terms in file order; a malformed line raises ValueError naming it."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or rows[0] != ["english", "korean", "note"]:
        raise ValueError(f"{path}: the first line must be 'english<TAB>korean<TAB>note'")
    terms = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != 3 or not row[0].strip() or not row[1].strip():
            raise ValueError(f"{path}:{number}: expected 'english<TAB>korean<TAB>note', got {row}")
        terms.append(Term(*(cell.strip() for cell in row)))
    seen = set()
    for term in terms:
        if term.english.lower() in seen:
            raise ValueError(f"{path}: '{term.english}' is listed twice")
        seen.add(term.english.lower())
    return terms


_NOT_PROSE = [re.compile(p, re.DOTALL) for p in (
    r"```.*?```", r"`[^`\n]*`", r"\$\$.*?\$\$", r"\$[^$\n]*\$", r"\]\([^)]*\)", r"https?://\S+",
    r"<[^>\n]*>")]


def prose(text):
    """`text` without code (fenced and inline), math, link targets, URLs and HTML tags."""
    for pattern in _NOT_PROSE:
        text = pattern.sub(" ", text)
    return text


_PLACEHOLDER = re.compile(r"\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")


def terms_in(english, terms):
    """The glossary terms an English text uses in its prose: not in code (`code spans`, fenced
    blocks, names such as ``output_size`` or ``keras.layers``), math, links, or the
    {placeholders} of a format string; a longer term hides the shorter ones inside it
    ('max pooling' is not also 'pooling')."""
    text = _PLACEHOLDER.sub(" ", prose(english).replace("{{", "  ").replace("}}", "  "))
    found = []
    for term in sorted(terms, key=lambda t: -len(t.english)):
        for match in term.pattern.finditer(text):
            span = range(match.start(), match.end())
            if not any(s.start < span.stop and span.start < s.stop for _, s in found):
                found.append((term, span))
    order = {t: i for i, t in enumerate(terms)}
    return sorted({t for t, _ in found}, key=order.get)


def _squeeze(text):
    return re.sub(r"\s+", "", text)


def missing_terms(english, korean, terms, skip=()):
    """Terms used in `english` whose Korean form is absent from `korean` (spaces ignored)."""
    have = _squeeze(korean)
    return [t for t in terms_in(english, terms)
            if t.english.lower() not in skip and _squeeze(t.korean) not in have]


HEADERS = {"en": ("English", "한국어", "note (참고)"), "ko": ("영어", "한국어", "참고")}


def table(terms, lang):
    """The glossary as a markdown table for notebook 00, in the edition `lang`."""
    english, korean, note = HEADERS[lang]
    lines = [f"| {english} | {korean} | {note} |", "|---|---|---|"]
    lines += [f"| {t.english} | {t.korean} | {t.note} |" for t in terms]
    return "\n".join(lines)


_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]{2}")


def word_counts(text):
    """(Korean words, Latin words) in the prose of `text` (code, math, URLs, HTML removed).

    A word is a token between spaces, table pipes and slashes. It is Korean when it has a
    Hangul syllable ('CNN은' is one Korean word: a noun with its particle), Latin when it has
    two Latin letters in a row and no Hangul; numbers, symbols, '3x3' and '2D' are neither. Latin words in brackets inside
    a Korean word count as Latin too: '합성곱(convolution)은' is one of each.
    """
    korean = latin = 0
    for word in re.split(r"[\s|/]+", prose(text)):
        if _HANGUL.search(word):
            korean += 1
            inside = " ".join(re.findall(r"\(([^()]*)\)", word))
            latin += sum(1 for w in inside.split() if _LATIN.search(w) and not _HANGUL.search(w))
        elif _LATIN.search(word):
            latin += 1
    return korean, latin


def skipped(user_comments):
    """Terms a translator exempted from the glossary check with a comment line
    '# glossary-skip: batch, bias' above the entry (a word used in another sense)."""
    # a long comment wraps over several lines when a catalog is rewritten: read it as one line
    text = " ".join(line.strip() for comment in user_comments for line in comment.splitlines())
    found = re.search(r"glossary-skip:(.*)", text, flags=re.IGNORECASE)
    if not found:
        return set()
    listed = re.sub(r"\([^)]*\)", "", found.group(1))      # '(why)' is a note
    return {t.strip().lower() for t in listed.split(",")} - {""}
