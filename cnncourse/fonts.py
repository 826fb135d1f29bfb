"""A Hangul font for matplotlib, so that the Korean terms in titles and labels are drawn.

matplotlib's default font (DejaVu Sans) has no Hangul: "입력" becomes boxes and a
"Glyph ... missing from font(s) DejaVu Sans" warning. :func:`use_hangul_font` appends an
installed Hangul font to ``font.family`` as a fallback: Latin text, digits and the minus sign
(``axes.unicode_minus``) still come from the usual font, Hangul from the fallback.
:mod:`cnncourse.viz` and :mod:`cnncourse.plots` call it when imported, so every figure the
course draws (and every pyplot figure made after importing them) can show Korean.

Fonts looked for, in order: those named in ``HANGUL_FONTS`` that matplotlib knows, then font
files with those names on the system that matplotlib's font cache predates (a font installed
after matplotlib, e.g. ``apt-get install fonts-nanum``). None found: one warning that says what
to install, and figures draw as before.
"""
from __future__ import annotations

import functools
import logging
import re
import warnings

__all__ = ["HANGUL_FONTS", "hangul_font_name", "use_hangul_font"]

# Family names, most readable first: Linux (fonts-nanum, fonts-noto-cjk), Windows, macOS.
HANGUL_FONTS = ("NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "Noto Sans KR",
                "Malgun Gothic", "Apple SD Gothic Neo", "AppleGothic", "UnDotum",
                "Baekmuk Gulim")
_FILES = re.compile(r"(nanum|notosanscjk|notosanskr|malgun|applesdgothicneo|applegothic|undotum"
                    r"|gulim)", re.I)
_warned = False


@functools.lru_cache(maxsize=1)
def hangul_font_name() -> str | None:
    """The family name of an installed Hangul font matplotlib can use, or None."""
    from matplotlib import font_manager

    def known():
        names = {font.name for font in font_manager.fontManager.ttflist}
        return next((name for name in HANGUL_FONTS if name in names), None)

    name = known()
    if name is None:                # installed after matplotlib built its font cache?
        for path in font_manager.findSystemFonts():
            if _FILES.search(path.rsplit("/", 1)[-1]):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        name = known()
    return name


def use_hangul_font() -> str | None:
    """Make matplotlib draw Hangul with an installed Hangul font (kept as a fallback after the
    current fonts); return its name, or None (with one warning per session) when there is none.
    Safe to call many times."""
    global _warned
    import matplotlib

    name = hangul_font_name()
    if name is None:
        if not _warned:
            _warned = True
            warnings.warn("no Hangul font found: Korean text in figures will show as boxes. "
                          "Install one (Debian/Ubuntu: 'sudo apt-get install fonts-nanum'; "
                          "Windows and macOS ship one), then restart the kernel.", stacklevel=2)
        return None
    family = [f for f in matplotlib.rcParams["font.family"] if f != name]
    matplotlib.rcParams["font.family"] = family + [name]
    _quiet_near_weights()
    return name


class _NearWeightIsFine(logging.Filter):
    """Drop matplotlib's "findfont: Failed to find font weight bold for NanumGothic, now using
    600": NanumGothicBold.ttf declares weight 600, which is the bold face, so nothing is wrong and
    a student should not see a warning in every notebook that draws a bold title."""

    def filter(self, record):
        return not record.getMessage().startswith("findfont: Failed to find font weight")


def _quiet_near_weights():
    logger = logging.getLogger("matplotlib.font_manager")
    if not any(isinstance(f, _NearWeightIsFine) for f in logger.filters):
        logger.addFilter(_NearWeightIsFine())
