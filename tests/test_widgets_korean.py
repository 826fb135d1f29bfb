"""The widgets and the pictures speak Korean when asked (issue 16): under ``language("ko")`` every
label, button, slider, title, axis label, legend and status line a learner reads is Korean, the
Fashion-MNIST class names are CLASS_NAMES_KO, and a figure draws its Korean without matplotlib's
"Glyph ... missing" warning. The Korean expected here is written out by hand (what a Korean
student sees), not read from the catalog; English stays as the other widget tests check it.
"""
from __future__ import annotations

import html
import io
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnncourse import data, diagrams, fonts, plots, scratch_plots  # noqa: E402
from cnncourse.i18n import language  # noqa: E402
from cnncourse.widgets import (BackwardStepper, ConvStepper, KernelLab,  # noqa: E402
                               PaddingExplorer, PoolingStepper, SizePlayground)

HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Latin words a Korean learner still reads in the widgets: names, code and formula symbols.
NOT_ENGLISH = {"ReLU", "Keras", "floor", "ceil", "valid", "same", "padding", "xpad", "dxpad",
               "dout", "Vertical", "Horizontal", "max", "avg", "NumPy", "Adam"}

needs_hangul_font = pytest.mark.skipif(fonts.hangul_font_name() is None,
                                       reason="no Hangul font ('apt-get install fonts-nanum')")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def controls(widget):
    """Every ipywidgets control inside a widget box, depth first."""
    found, stack = [], [widget]
    while stack:
        w = stack.pop()
        found.append(w)
        stack.extend(getattr(w, "children", ()))
    return found


def control_texts(course_widget):
    """What the controls say: descriptions, option labels, HTML text (tags removed)."""
    texts = []
    for w in controls(course_widget.widget):
        if getattr(w, "description", ""):
            texts.append(w.description)
        if isinstance(w, (widgets.ToggleButtons, widgets.Dropdown)):
            texts += list(w._options_labels)
        if isinstance(w, widgets.HTML) and w.value:
            texts.append(html.unescape(re.sub(r"<[^>]+>", " ", w.value)))
    return [t for t in texts if t.strip()]


def figure_texts(fig):
    """Titles, axis labels and text artists of a figure (the suptitle included)."""
    texts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        texts += [t.get_text() for t in ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            texts += [t.get_text() for t in legend.get_texts()]
    return [t for t in texts if t.strip()]


def english_words(texts):
    """Latin words of three letters or more that are not names, code or symbols."""
    words = set()
    for text in texts:
        for word in re.findall(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z_0-9]{2,}", text):
            if word not in NOT_ENGLISH:
                words.add(word)
    return sorted(words)


def render_warnings(fig):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught if "missing" in str(w.message)]


def widgets_in_korean():
    with language("ko"):
        photo = np.random.default_rng(0).random((12, 12))
        pool = PoolingStepper(photo, pool_size=2)
        pool.shift.value = True                        # the titles say the input was shifted
        conv = ConvStepper(np.arange(7.0), np.array([1.0, 2.0, -1.0]), padding=1)
        conv2 = ConvStepper(np.arange(16.0).reshape(4, 4), np.ones((3, 3)), padding=1)
        size = SizePlayground(n=7, kernel=3, padding=0, stride=3)      # not whole: dropped rows
        pad = PaddingExplorer(np.random.default_rng(1).random((10, 12)))
        pad.mode.value = "replicate"
        lab = KernelLab(np.random.default_rng(2).random((20, 20)))
        back = BackwardStepper(np.ones((4, 4)), np.ones((2, 2)), padding=1)
        for drawn_anew in (size, pad):         # these draw a new figure each time: keep it
            drawn_anew._show_figure = lambda fig, w=drawn_anew, **kw: setattr(w, "fig", fig)
            drawn_anew._render()
        return {"pool": pool, "conv": conv, "conv2": conv2, "size": size, "pad": pad,
                "lab": lab, "back": back}


@pytest.fixture(scope="module")
def korean():
    return widgets_in_korean()


@pytest.mark.parametrize("name", ["pool", "conv", "conv2", "size", "pad", "lab", "back"])
def test_every_control_and_status_line_is_korean(korean, name):
    texts = control_texts(korean[name])
    assert texts and any(HANGUL.search(t) for t in texts), texts
    assert english_words(texts) == [], texts


@pytest.mark.parametrize("name", ["pool", "conv", "conv2", "size", "pad", "lab", "back"])
def test_every_figure_text_is_korean(korean, name):
    texts = figure_texts(korean[name].fig)
    assert texts and english_words(texts) == [], texts


def test_the_korean_labels_are_the_ones_a_korean_student_reads(korean):
    pool, conv, size, pad, lab, back = (korean[k] for k in
                                         ("pool", "conv", "size", "pad", "lab", "back"))
    assert pool.shift.description == "입력을 오른쪽으로 1픽셀 이동"
    assert pool.mode._options_labels == ("최대 풀링", "평균 풀링")
    assert pool.mode.value == "max"                          # the values stay the code's words
    assert pool.ax_in.get_title() == "입력 12x12 (오른쪽으로 1픽셀 이동)"
    assert pool.ax_out.get_title().startswith("최대 풀링 F=2, S=2")
    assert "최대 풀링은 입력 값 144개 중 36개만 넘깁니다" in pool.info.value
    assert conv.step.description == "단계" and conv.play.description == "재생"
    assert conv.g_in.ax.get_title() == "z (패딩 1)"
    assert "7단계 중 1단계" in conv.formula_html.value
    assert size.n.description == "입력 W₁" and size.stride.description == "스트라이드 S"
    assert "나누어떨어지지 않습니다" in size.text and "내림(floor)" in size.text
    assert pad.mode._options_labels == ("0 채우기", "가장자리 복사") and pad.mode.value == "replicate"
    assert pad.fig.axes[0].get_title() == "패딩한 입력 12×14 (가장자리 복사)"
    assert pad.text.startswith("입력 10×12, 커널 3×3, 패딩 'same'")
    assert lab.preset.value == "Sobel x" and lab.preset._options_labels[0] == "소벨 x"
    assert "수직 에지" in lab.note.value and lab.ax_map.get_title().startswith("특성 맵")
    assert back.g_dw.ax.get_title() == "지금까지의 dw"


def test_english_stays_the_default_and_the_language_is_read_at_call_time():
    photo = np.random.default_rng(0).random((12, 12))
    english = PoolingStepper(photo, pool_size=2)
    assert english.shift.description == "shift input 1 px right"
    with language("ko"):
        assert PoolingStepper(photo, pool_size=2).shift.description == "입력을 오른쪽으로 1픽셀 이동"
    assert PoolingStepper(photo, pool_size=2).ax_in.get_title() == "input 12x12"


def test_widget_errors_speak_korean():
    with language("ko"), pytest.raises(ValueError, match="채널 수가 맞지 않습니다"):
        ConvStepper(np.ones((4, 4, 3)), np.ones((2, 2, 2)))
    with language("ko"), pytest.raises(ValueError, match="스트라이드는 1에서 4 사이"):
        PoolingStepper(np.ones((4, 4)), stride=9)


@needs_hangul_font
def test_korean_widget_figures_draw_every_glyph(korean):
    fonts.use_hangul_font()
    for name in ("pool", "conv2", "size", "pad", "lab", "back"):
        assert render_warnings(korean[name].fig) == [], name


# ------------------------------------------------------------------ plots and class names
def test_class_names_follow_the_language():
    assert data.class_names() == data.CLASS_NAMES
    assert data.class_names("ko") == data.CLASS_NAMES_KO
    with language("ko"):
        names = data.class_names()
        assert names[9] == "앵클 부츠" and names[0] == "티셔츠/탑"
    names.append("x")                                           # a new list every call
    assert len(data.CLASS_NAMES_KO) == 10 and data.CLASS_NAMES[9] == "Ankle boot"
    with pytest.raises(ValueError):
        data.class_names("fr")


@needs_hangul_font
def test_a_korean_plot_has_korean_labels_and_no_missing_glyph():
    fonts.use_hangul_font()
    history = {"loss": [1.0, 0.6, 0.5], "val_loss": [1.1, 0.7, 0.8],
               "accuracy": [0.6, 0.8, 0.85], "val_accuracy": [0.55, 0.75, 0.74]}
    with language("ko"):
        fig = plots.plot_history(history, title="학습 곡선")
    texts = figure_texts(fig)
    for want in ("에포크", "손실", "정확도", "훈련 손실", "검증 정확도", "검증 최고 에포크 2",
                 "학습 곡선"):
        assert want in texts, (want, texts)
    assert english_words(texts) == [], texts
    assert render_warnings(fig) == []


def test_the_class_names_of_a_plot_follow_the_language():
    y = np.arange(10)
    with language("ko"):
        cm = plots.plot_confusion_matrix(y, y, data.CLASS_NAMES)
        grid = plots.image_grid(np.zeros((4, 28, 28)), y[:4], data.CLASS_NAMES, n_rows=2,
                                n_cols=2, predictions=[0, 2, 2, 3])
        probs = plots.plot_probabilities(np.full(10, 0.1), data.CLASS_NAMES, true_label=9)
    assert [t.get_text() for t in cm.axes[0].get_xticklabels()] == data.CLASS_NAMES_KO
    assert cm.axes[0].get_xlabel() == "예측한 클래스" and cm.axes[0].get_ylabel() == "실제 클래스"
    assert grid.axes[1].get_xlabel() == "풀오버 (바지)"
    assert probs.axes[0].get_xticklabels()[9].get_text() == "앵클 부츠"
    assert probs.axes[0].get_ylabel() == "확률"
    other = ["cat", "dog"]                                  # other names are left as given
    with language("ko"):
        fig = plots.plot_probabilities([0.3, 0.7], other)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == other


def test_scratch_plots_and_diagrams_speak_korean():
    history = {"step_loss": list(np.linspace(2, 0.5, 20)), "loss": [1.5, 0.8],
               "accuracy": [0.5, 0.7], "test_accuracy": [0.45, 0.65]}
    with language("ko"):
        training = scratch_plots.plot_scratch_training(history)
        agreement = scratch_plots.plot_loss_agreement([1.0, 0.9], [1.0, 0.91])
        params = diagrams.draw_parameters(3, 1, 4)
    texts = figure_texts(training) + figure_texts(agreement)
    for want in ("각 단계의 손실", "크로스 엔트로피", "테스트 이미지", "훈련 배치", "NumPy (직접 구현)",
                 "|차이| / 손실"):
        assert want in texts, (want, texts)
    assert english_words(texts) == [], texts
    shown = " ".join(figure_texts(params))
    assert "커널 1" in shown and "파라미터 40개" in shown


def test_the_english_word_check_can_fail():
    """The same checks on an English widget and plot do find English: they are not vacuous."""
    english = PoolingStepper(np.random.default_rng(0).random((12, 12)), pool_size=2)
    assert {"shift", "input", "pooling"} <= set(english_words(control_texts(english)))
    assert "input" in english_words(figure_texts(english.fig))
    fig = plots.plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.6]})
    assert {"epoch", "train", "validation"} <= set(english_words(figure_texts(fig)))
