"""The package's own language: English, or Korean when asked.

    import cnncourse
    cnncourse.set_language("ko")        # or, before Python starts: CNNCOURSE_LANG=ko

Every sentence the package shows a learner goes through ``_()``:

    from .i18n import _
    print(_("Fashion-MNIST found in {path}").format(path=path))

``_()`` looks the language up at call time, so ``set_language`` works after the modules were
imported. A message defined at import time (a module-level constant) is marked with ``N_()``
(extracted, not translated) and passed through ``_()`` where it is shown.

The Korean text lives in one gettext catalog, ``cnncourse/locale/ko/LC_MESSAGES/cnncourse.po``
(written by ``cnncourse i18n update``, translated with any PO editor). It is compiled in memory
when first needed (polib), so a checkout and an installed wheel read the same file and no
compiled ``.mo`` can fall out of date. Untranslated and fuzzy entries fall back to English.

``language("ko")`` (a ``with`` block) changes the language of the current thread only: the grader
writes each submission's report in that submission's language while it grades several at once.

``T("...")`` is the notebooks' marker (not the package's): it returns its text unchanged and tells
``cnncourse i18n update`` that a string is text to translate where the extractor's rules would
take it for code (a dict key shown as a title, a one-word label printed later); see
cnncourse.translation.cells.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import io
import os
from pathlib import Path

DOMAIN = "cnncourse"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"en": "English", "ko": "한국어"}
ENV = "CNNCOURSE_LANG"

_chosen = None          # set_language's choice; None: the CNNCOURSE_LANG environment variable
_override = contextvars.ContextVar("cnncourse_language", default=None)   # language()'s, per thread


def _normalize(lang):
    """'ko', 'ko_KR.UTF-8', 'KO-kr' -> 'ko'; None for a language the course does not have."""
    code = str(lang).strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return code if code in LANGUAGES else None


def set_language(lang):
    """Make the package's messages, widgets and plot labels speak `lang` ("ko" or "en").

    Returns the language now in force. Raises ValueError for a language the course lacks.
    """
    global _chosen
    code = _normalize(lang)
    if code is None:
        raise ValueError(f"set_language({lang!r}): the course speaks "
                         f"{', '.join(repr(c) for c in LANGUAGES)}; pick one of those")
    _chosen = code
    if code == "ko":            # Korean titles and labels in figures: a Hangul font (or one warning)
        from .fonts import use_hangul_font
        use_hangul_font()
    return code


def get_language():
    """The language in force: a surrounding language() block's, else set_language's choice,
    else CNNCOURSE_LANG, else English."""
    return _override.get() or chosen_language() or "en"


def chosen_language():
    """The language someone asked for (set_language, else CNNCOURSE_LANG), or None when nobody
    did (the package then speaks English)."""
    if _chosen is not None:
        return _chosen
    return _normalize(os.environ.get(ENV, "")) if os.environ.get(ENV) else None


@contextlib.contextmanager
def language(lang):
    """Speak `lang` inside a `with` block, in this thread only (a grader report in the
    submission's language, while other threads grade other submissions)."""
    code = _normalize(lang)
    if code is None:
        set_language(lang)                        # raises the ValueError naming the languages
    token = _override.set(code)
    try:
        yield code
    finally:
        _override.reset(token)


def catalog_path(lang):
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.lru_cache(maxsize=None)
def translations(lang):
    """gettext translations for `lang`, compiled from its .po (English: the identity)."""
    path = catalog_path(lang)
    if lang == "en" or not path.is_file():
        return gettext.NullTranslations()
    import polib
    # to_binary() leaves untranslated and fuzzy entries out, as msgfmt does
    return gettext.GNUTranslations(io.BytesIO(polib.pofile(str(path)).to_binary()))


def _(message):
    """`message` in the language in force (English when it has no translation)."""
    return translations(get_language()).gettext(message)


def ngettext(singular, plural, n):
    """The singular or plural form for count `n`, translated."""
    return translations(get_language()).ngettext(singular, plural, n)


def N_(message):
    """Mark `message` for extraction without translating it now (translate where shown)."""
    return message


def T(text):
    """Mark a string in a notebook as text for the Korean edition; returns `text` unchanged.

    The notebook extractor (cnncourse.translation.cells) takes text by rules; a label its rules
    take for code, e.g. a dict key that becomes a title, is wrapped: ``{T("original"): img}``.
    """
    return text
