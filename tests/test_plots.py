"""cnncourse.plots: every function returns a Figure with the artists it promises."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402
from sklearn.metrics import confusion_matrix  # noqa: E402

from cnncourse import plots  # noqa: E402
from cnncourse.data import CLASS_NAMES  # noqa: E402

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def images_in(ax):
    return [a for a in ax.get_children() if isinstance(a, AxesImage)]


def test_plot_history_two_panels_train_and_val():
    h = {"loss": [1.0, 0.6, 0.5], "val_loss": [0.9, 0.7, 0.75],
         "accuracy": [0.6, 0.8, 0.85], "val_accuracy": [0.65, 0.78, 0.77]}
    fig = plots.plot_history(h)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    for ax, metric in zip(fig.axes, ("loss", "accuracy")):
        lines = ax.get_lines()
        # train, validation, best-epoch marker
        assert len(lines) == 3
        assert list(lines[0].get_xdata()) == [1, 2, 3]
        assert np.allclose(lines[0].get_ydata(), h[metric])
        assert np.allclose(lines[1].get_ydata(), h[f"val_{metric}"])
    # best validation loss is epoch 2, best validation accuracy epoch 2
    assert fig.axes[0].get_lines()[2].get_xdata()[0] == 2
    assert fig.axes[1].get_lines()[2].get_xdata()[0] == 2


def test_plot_history_accepts_keras_history_and_skips_missing_metrics():
    class History:
        history = {"loss": [1.0, 0.5]}
    fig = plots.plot_history(History())
    assert len(fig.axes) == 1 and len(fig.axes[0].get_lines()) == 1


def test_plot_history_rejects_nonsense():
    with pytest.raises(ValueError, match="none of"):
        plots.plot_history({"mae": [1, 2]})
    with pytest.raises(ValueError, match="History"):
        plots.plot_history([1, 2, 3])


def test_show_image_has_colorbar():
    fig = plots.show_image(RNG.integers(0, 256, (28, 28)))
    assert len(fig.axes) == 2          # the image and its colorbar
    assert len(images_in(fig.axes[0])) == 1


def test_image_grid_25_images_with_names():
    x = RNG.random((30, 28, 28, 1))
    y = np.arange(30) % 10
    fig = plots.image_grid(x, y, CLASS_NAMES)
    assert len(fig.axes) == 25
    for i, ax in enumerate(fig.axes):
        assert len(images_in(ax)) == 1
        assert ax.get_xlabel() == CLASS_NAMES[y[i]]


def test_image_grid_marks_wrong_predictions():
    x = RNG.random((4, 28, 28))
    y = np.array([0, 1, 2, 3])
    pred = np.array([0, 2, 2, 3])
    fig = plots.image_grid(x, y, CLASS_NAMES, n_rows=2, n_cols=2, predictions=pred)
    assert fig.axes[1].get_xlabel() == f"{CLASS_NAMES[2]} ({CLASS_NAMES[1]})"
    assert fig.axes[0].get_xlabel() == CLASS_NAMES[0]


def test_confusion_matrix_numbers_are_sklearns():
    y = RNG.integers(0, 10, 500)
    p = np.where(RNG.random(500) < 0.7, y, RNG.integers(0, 10, 500))
    fig = plots.plot_confusion_matrix(y, p, CLASS_NAMES)
    ax = fig.axes[0]
    shown = np.asarray(images_in(ax)[0].get_array())
    assert np.array_equal(shown, confusion_matrix(y, p, labels=range(10)))
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 100 and texts[0] == str(int(shown[0, 0]))


def test_confusion_matrix_normalized_rows_sum_to_one():
    y = RNG.integers(0, 10, 300)
    fig = plots.plot_confusion_matrix(y, y[::-1], CLASS_NAMES, normalize=True)
    shown = np.asarray(images_in(fig.axes[0])[0].get_array())
    assert np.allclose(shown.sum(axis=1), 1.0)


def test_plot_probabilities_bars_and_colors():
    p = np.full(10, 0.05)
    p[3], p[7] = 0.4, 0.15
    fig = plots.plot_probabilities(p, CLASS_NAMES, true_label=7)
    bars = fig.axes[0].patches
    assert len(bars) == 10
    assert np.allclose([b.get_height() for b in bars], p)
    with pytest.raises(ValueError, match="probabilities"):
        plots.plot_probabilities(p[:5], CLASS_NAMES)


def test_mistakes_gallery_shows_only_mistakes_most_confident_first():
    y = np.array([0, 1, 2, 3, 4, 5])
    probs = np.full((6, 10), 0.01)
    probs[np.arange(6), y] = 0.91                        # right
    probs[1] = 0.01; probs[1, 5] = 0.6; probs[1, 1] = 0.31     # wrong, conf 0.6
    probs[4] = 0.01; probs[4, 0] = 0.9; probs[4, 4] = 0.01     # wrong, conf 0.9
    x = RNG.random((6, 28, 28))
    fig = plots.mistakes_gallery(x, y, probs, CLASS_NAMES, n=8)
    with_images = [ax for ax in fig.axes if images_in(ax)]
    assert len(with_images) == 2
    assert with_images[0].get_title().startswith("#4:")
    assert with_images[1].get_title().startswith("#1:")
    with_bars = [ax for ax in fig.axes if len(ax.patches) == 10]
    assert len(with_bars) == 2


def test_mistakes_gallery_without_mistakes():
    y = np.arange(3)
    probs = np.eye(10)[y]
    fig = plots.mistakes_gallery(RNG.random((3, 28, 28)), y, probs, CLASS_NAMES)
    assert "no mistakes" in fig.axes[0].texts[0].get_text()


def test_plot_filters_one_panel_per_filter():
    kernel = RNG.normal(size=(3, 3, 1, 12))
    fig = plots.plot_filters(kernel)
    panels = [ax for ax in fig.axes if images_in(ax)]
    assert len(panels) == 12
    assert np.allclose(images_in(panels[5])[0].get_array(), kernel[:, :, 0, 5])
    with pytest.raises(ValueError, match="FH, FW, C, FN"):
        plots.plot_filters(kernel[..., 0])


def test_plot_feature_maps_limits_and_batch_axis():
    fmap = RNG.random((1, 7, 7, 64))
    fig = plots.plot_feature_maps(fmap, max_maps=20, title="t")
    panels = [ax for ax in fig.axes if images_in(ax)]
    assert len(panels) == 20
    assert np.allclose(images_in(panels[19])[0].get_array(), fmap[0, :, :, 19])
    with pytest.raises(ValueError, match="feature map"):
        plots.plot_feature_maps(RNG.random((7, 7)))


def test_plot_heatmap_overlays_heat_on_image():
    fig = plots.plot_heatmap(RNG.random((28, 28, 1)), RNG.random((12, 12)))
    assert len(images_in(fig.axes[0])) == 1
    over = images_in(fig.axes[1])
    assert len(over) == 2 and over[1].get_array().shape == (12, 12)
    with pytest.raises(ValueError, match="2-D heat map"):
        plots.plot_heatmap(RNG.random((28, 28)), RNG.random(12))
