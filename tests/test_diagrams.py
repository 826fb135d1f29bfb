"""cnncourse.diagrams: the architecture pictures show the shapes the documents state, to scale."""
import math

import matplotlib

matplotlib.use("Agg")
import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from cnncourse import diagrams, models  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# Output shapes as the documents state them (not computed by the code under test):
# 003 fig 4-19 / LeCun et al. 1998 with C1 padded for 28x28; 001's "7x7x64 -> 3136 x 128";
# 002's "28*28 -> 14*14 -> 7*7 -> 3*3" with 64 -> 128 -> 256 filters; 004's two conv/pool stages.
DOCUMENTED = {
    models.lenet5: [(28, 28, 1), (28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16), (1, 1, 120),
                    (120,), (84,), (10,)],
    models.fashion_cnn_001: [(28, 28, 1), (28, 28, 32), (14, 14, 32), (14, 14, 64), (7, 7, 64),
                             (3136,), (128,), (10,)],
    models.deep_cnn_002: [(28, 28, 1), (28, 28, 64), (14, 14, 64), (14, 14, 128), (14, 14, 128),
                          (7, 7, 128), (7, 7, 256), (7, 7, 256), (3, 3, 256), (2304,), (128,),
                          (128,), (64,), (64,), (10,)],
    models.cnn_004: [(28, 28, 1), (30, 30, 1), (28, 28, 16), (14, 14, 16), (16, 16, 16),
                     (14, 14, 32), (7, 7, 32), (1568,), (100,), (50,), (10,)],
}


@pytest.mark.parametrize("build", list(DOCUMENTED), ids=lambda f: f.__name__)
def test_layer_shapes_are_the_documented_ones(build):
    shapes = [s for _, _, s in diagrams.layer_shapes(build())]
    assert shapes == DOCUMENTED[build]


@pytest.mark.parametrize("build", list(DOCUMENTED), ids=lambda f: f.__name__)
def test_boxes_are_sized_by_the_shapes_and_do_not_overlap(build):
    rows = diagrams.layer_shapes(build())
    boxes = diagrams.layout(rows)
    drawn = [s for _, kind, s in rows if kind not in diagrams.SAME_SHAPE]
    assert [b.shape for b in boxes] == drawn            # Dropout is merged, not drawn
    for b in boxes:
        if len(b.shape) == 3:
            assert (b.height, b.width) == (b.shape[0], b.shape[1])
        else:
            assert b.height == pytest.approx(math.sqrt(b.shape[0]))
    for left, right in zip(boxes, boxes[1:]):
        assert right.x >= left.x + left.span + diagrams.GAP - 1e-9
    maps = [b for b in boxes if len(b.shape) == 3]
    by_depth = sorted(maps, key=lambda b: b.shape[2])
    assert [b.planes for b in by_depth] == sorted(b.planes for b in by_depth)   # deeper: more planes


def test_dropout_joins_the_label_before_it():
    labels = [b.label for b in diagrams.layout(diagrams.layer_shapes(models.deep_cnn_002()))]
    assert "dense1\n+ dropout1" in labels and not any(lbl.startswith("dropout") for lbl in labels)


@pytest.mark.parametrize("build", list(DOCUMENTED), ids=lambda f: f.__name__)
def test_draw_architecture_writes_every_shape(build):
    fig = diagrams.draw_architecture(build())
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    texts = {t.get_text() for t in ax.texts}
    for shape in {s for s in DOCUMENTED[build]}:
        assert "×".join(map(str, shape)) in texts
    boxes = diagrams.layout(diagrams.layer_shapes(build()))
    rects = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(rects) == sum(b.planes for b in boxes)


def test_variable_size_model_needs_and_uses_an_input_shape():
    inputs = keras.Input((None, None, 1))
    h = keras.layers.Conv2D(8, 3)(inputs)
    h = keras.layers.GlobalAveragePooling2D()(h)
    model = keras.Model(inputs, keras.layers.Dense(10)(h))
    with pytest.raises(ValueError, match="in_shape"):
        diagrams.layer_shapes(model)
    assert [s for _, _, s in diagrams.layer_shapes(model, (40, 40, 1))] == [(40, 40, 1), (38, 38, 8), (8,), (10,)]
    diagrams.draw_architecture(model, in_shape=(28, 28, 1))


def test_draw_shapes_and_parameters():
    fig = diagrams.draw_shapes([("input", (32, 32, 3)), ("conv", (32, 32, 10))])
    assert {"32×32×3", "32×32×10"} <= {t.get_text() for t in fig.axes[0].texts}
    fig = diagrams.draw_parameters(5, 3, 10)              # 003's example: (5*5*3 + 1) * 10 = 760
    assert any("= 760 parameters" in t.get_text() for t in fig.axes[0].texts)
    fig = diagrams.draw_parameters(7, 1, 64)              # 003's second example: 3200, 10 drawn
    assert any("3,200" in t.get_text() for t in fig.axes[0].texts)
    with pytest.raises(ValueError):
        diagrams.draw_parameters(0, 3, 10)
    with pytest.raises(ValueError, match="shape"):
        diagrams.layout([("image", (28, 28))])
