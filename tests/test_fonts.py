"""Korean in figures: after importing cnncourse's drawing modules a Hangul title renders without
matplotlib's "Glyph ... missing" warning, in a Hangul font, with the minus sign still drawn;
without a Hangul font there is exactly one clear warning."""
from __future__ import annotations

import io
import shutil
import subprocess
import warnings

import matplotlib
import pytest
from matplotlib.figure import Figure

from cnncourse import fonts, viz


def _system_has_hangul_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True)
    return bool(out.stdout.strip())


def render_warnings(title: str) -> list[str]:
    """Draw a figure with ``title`` and negative tick labels; return the warnings raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = Figure(figsize=(3, 2))
        ax = fig.subplots()
        ax.plot([-2, 2], [-1, 1])
        ax.set_title(title)
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught]


@pytest.mark.skipif(not _system_has_hangul_font(),
                    reason="no Hangul font installed ('apt-get install fonts-nanum')")
def test_a_korean_title_renders_in_a_hangul_font():
    name = viz.use_hangul_font()
    assert name in fonts.HANGUL_FONTS
    assert matplotlib.rcParams["font.family"][-1] == name       # a fallback after the usual font
    assert matplotlib.rcParams["axes.unicode_minus"]            # the real minus sign is kept
    problems = [w for w in render_warnings("input (입력) · 특성 맵") if "missing" in w]
    assert not problems, problems



@pytest.mark.skipif(not _system_has_hangul_font(),
                    reason="no Hangul font installed ('apt-get install fonts-nanum')")
def test_a_bold_title_logs_nothing(caplog):
    """NanumGothicBold declares weight 600; matplotlib's "Failed to find font weight bold" log
    line appeared in the notebooks' output (stderr) for every bold title."""
    viz.use_hangul_font()
    matplotlib.font_manager._get_font.cache_clear()
    matplotlib.font_manager.fontManager._findfont_cached.cache_clear()
    with caplog.at_level("DEBUG", logger="matplotlib.font_manager"):
        fig = Figure(figsize=(3, 2))
        fig.subplots().set_title("입력 (input)", fontweight="bold")
        fig.savefig(io.BytesIO(), format="png")
    assert not [r for r in caplog.records if "Failed to find font weight" in r.getMessage()]

def test_the_check_can_fail_without_the_fallback():
    """The same title in DejaVu Sans alone does warn: the test above is not vacuous."""
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        problems = [w for w in render_warnings("input (입력)") if "missing" in w]
    assert any("Glyph" in w and "DejaVu Sans" in w for w in problems), problems


def test_no_hangul_font_gives_one_clear_warning(monkeypatch):
    monkeypatch.setattr(fonts, "hangul_font_name", lambda: None)
    monkeypatch.setattr(fonts, "_warned", False)
    before = list(matplotlib.rcParams["font.family"])
    with pytest.warns(UserWarning, match="no Hangul font found.*fonts-nanum"):
        assert fonts.use_hangul_font() is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fonts.use_hangul_font() is None                  # said once per session
    assert matplotlib.rcParams["font.family"] == before


@pytest.mark.skipif(not _system_has_hangul_font(),
                    reason="no Hangul font installed ('apt-get install fonts-nanum')")
def test_set_language_ko_picks_the_hangul_font_again():
    """A notebook that reset matplotlib's fonts (rcdefaults) and then asks for Korean gets the
    Hangul fallback back: set_language("ko") calls use_hangul_font."""
    import cnncourse
    from cnncourse import i18n

    before = i18n._chosen
    try:
        with matplotlib.rc_context():
            matplotlib.rcdefaults()
            assert not set(matplotlib.rcParams["font.family"]) & set(fonts.HANGUL_FONTS)
            cnncourse.set_language("ko")
            assert matplotlib.rcParams["font.family"][-1] in fonts.HANGUL_FONTS
            problems = [w for w in render_warnings("합성곱 특성 맵") if "missing" in w]
            assert not problems, problems
    finally:
        i18n._chosen = before
