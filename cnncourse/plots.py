"""Figures of training results (chapters 08-10): learning curves, labelled images, confusion
matrices, probabilities, mistakes, filters, feature maps, heat maps. (The drawing primitives,
grids of numbers and the one image grid, ``viz.show_images``, are in ``viz``.)

Every function draws on a new matplotlib Figure (or on ``ax`` where it takes one) and returns the
figure, so a notebook shows it and a test can count its artists. Images are (H, W) or (H, W, 1)
arrays; probabilities are (N, classes) softmax outputs.

Titles, axis labels and legends are in the language in force (``cnncourse.set_language``), read
when a figure is drawn; Fashion-MNIST's class names passed as ``data.CLASS_NAMES`` are shown as
``data.class_names()`` (Korean under ``set_language("ko")``), other names as given.
"""
import numpy as np
import matplotlib.pyplot as plt

from . import data
from .fonts import use_hangul_font
from .i18n import N_, _
from .viz import as_image, show_images

use_hangul_font()      # the class names' Korean (CLASS_NAMES_KO) in titles and labels

METRIC_NAMES = {"loss": N_("loss"), "accuracy": N_("accuracy")}    # axis labels, translated


def _metric(name):
    """A metric's name as an axis label: 'loss', 'accuracy' translated, others as they are."""
    return _(METRIC_NAMES[name]) if name in METRIC_NAMES else name


def _class_names(class_names):
    """Fashion-MNIST's class names (data.CLASS_NAMES) in the language in force
    (data.class_names()); any other list of names as it is."""
    names = list(class_names)
    return data.class_names() if names == data.CLASS_NAMES else names


def _history_dict(history):
    """Accept a keras History, its ``.history`` dict, or any mapping of name -> list per epoch."""
    h = getattr(history, "history", history)
    if not hasattr(h, "keys"):
        raise ValueError(_("plot_history needs a keras History or a dict of lists, got {type}")
                         .format(type=type(history).__name__))
    return h


def plot_history(history, metrics=("loss", "accuracy"), title=None):
    """Learning curves, train vs validation, one panel per metric (001's ``dl_history_plot``, improved).

    Document 001 plots only the loss and calls it ``train_err``/``val_err``; here each metric found in
    the history gets its own panel, epochs are counted from 1, and the best validation epoch is marked.
    Metrics missing from the history are skipped. Returns the Figure.
    """
    h = _history_dict(history)
    present = [m for m in metrics if m in h]
    if not present:
        raise ValueError(_("none of {metrics} is in the history (it has {keys}); "
                           "compile with metrics=['accuracy'] or pass metrics=").format(
            metrics=list(metrics), keys=sorted(h)))
    fig, axes = plt.subplots(1, len(present), figsize=(5.5 * len(present), 3.8), squeeze=False)
    for ax, m in zip(axes[0], present):
        epochs = np.arange(1, len(h[m]) + 1)
        ax.plot(epochs, h[m], "o-", label=_("train {metric}").format(metric=_metric(m)))
        if f"val_{m}" in h:
            val = np.asarray(h[f"val_{m}"])
            ax.plot(epochs, val, "s-", label=_("validation {metric}").format(metric=_metric(m)))
            best = int(np.argmin(val) if "loss" in m else np.argmax(val))
            ax.axvline(epochs[best], color="gray", ls=":", lw=1,
                       label=_("best val epoch {epoch}").format(epoch=epochs[best]))
        ax.set_xlabel(_("epoch"))
        ax.set_ylabel(_metric(m))
        ax.grid(True, alpha=0.4)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_image(img, title=None, cmap="binary", colorbar=True):
    """One image with a colorbar so pixel values can be read (001's first look at the data)."""
    fig, _axes = show_images([img], None if title is None else [title], cmap=cmap, size=3.6,
                         colorbar=colorbar)
    return fig


def image_grid(images, labels, class_names, n_rows=5, n_cols=5, predictions=None, cmap="binary"):
    """A grid of the first n_rows*n_cols images with their class names under them (001's 5x5 grid).

    images (N, H, W[, 1]); labels (N,) ints; predictions (N,) ints, optional: a wrong prediction is
    written in red as "pred (true)".
    """
    n = min(n_rows * n_cols, len(images))
    class_names = _class_names(class_names)
    captions, colors = [], []
    for i in range(n):
        text, color = class_names[int(labels[i])], "black"
        if predictions is not None and int(predictions[i]) != int(labels[i]):
            text, color = f"{class_names[int(predictions[i])]} ({text})", "red"
        captions.append(text)
        colors.append(color)
    fig, _axes = show_images(images[:n], cmap=cmap, ncols=n_cols, size=2.0, captions=captions,
                         caption_colors=colors)
    return fig


def plot_confusion_matrix(y_true, y_pred, class_names, normalize=False, ax=None):
    """Confusion matrix (혼동 행렬): row = true class, column = predicted class, counts written in.

    normalize=True divides each row by its total, so the diagonal is the per-class recall.
    """
    from sklearn.metrics import confusion_matrix
    class_names = _class_names(class_names)
    k = len(class_names)
    cm = confusion_matrix(y_true, y_pred, labels=np.arange(k)).astype(float)
    if normalize:
        cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 6.5))
    else:
        fig = ax.figure
    im = ax.imshow(cm, cmap="Blues")
    fig.colorbar(im, ax=ax, fraction=0.046)
    ax.set_xticks(range(k), class_names, rotation=45, ha="right")
    ax.set_yticks(range(k), class_names)
    ax.set_xlabel(_("predicted class"))
    ax.set_ylabel(_("true class"))
    top = cm.max() if cm.size else 1
    for i in range(k):
        for j in range(k):
            txt = f"{cm[i, j]:.2f}" if normalize else f"{int(cm[i, j])}"
            ax.text(j, i, txt, ha="center", va="center", fontsize=7,
                    color="white" if cm[i, j] > top / 2 else "black")
    fig.tight_layout()
    return fig


def plot_probabilities(probs, class_names, true_label=None, ax=None, title=None):
    """Bar chart of one softmax output (10 probabilities summing to 1); the true class in green."""
    probs = np.asarray(probs, dtype=float).ravel()
    if probs.shape[0] != len(class_names):
        raise ValueError(_("{n} probabilities for {k} class names").format(
            n=probs.shape[0], k=len(class_names)))
    class_names = _class_names(class_names)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3))
    else:
        fig = ax.figure
    colors = ["tab:gray"] * len(probs)
    colors[int(np.argmax(probs))] = "tab:red"
    if true_label is not None:
        colors[int(true_label)] = "tab:green"
    ax.bar(range(len(probs)), probs, color=colors)
    ax.set_xticks(range(len(probs)), class_names, rotation=45, ha="right")
    ax.set_ylim(0, 1)
    ax.set_ylabel(_("probability"))
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def mistakes_gallery(images, y_true, probs, class_names, n=8, cmap="binary"):
    """The n most confident mistakes: each image above a bar chart of its predicted probabilities.

    images (N, H, W[, 1]); y_true (N,); probs (N, classes). Title: "true -> predicted p".
    """
    probs = np.asarray(probs)
    class_names = _class_names(class_names)
    y_true = np.asarray(y_true).astype(int)
    pred = probs.argmax(axis=1)
    wrong = np.flatnonzero(pred != y_true)
    wrong = wrong[np.argsort(-probs[wrong, pred[wrong]])][:n]
    if len(wrong) == 0:
        fig, ax = plt.subplots(figsize=(4, 1))
        ax.axis("off")
        ax.text(0.5, 0.5, _("no mistakes"), ha="center", va="center")
        return fig
    cols = min(4, len(wrong))
    rows = int(np.ceil(len(wrong) / cols))
    fig, axes = plt.subplots(2 * rows, cols, figsize=(3.2 * cols, 5.0 * rows),
                             gridspec_kw={"height_ratios": [3, 2] * rows}, squeeze=False)
    for a in axes.ravel():
        a.axis("off")
    for k, i in enumerate(wrong):
        r, c = divmod(k, cols)
        ax_img, ax_bar = axes[2 * r, c], axes[2 * r + 1, c]
        ax_img.axis("on")
        ax_img.imshow(as_image(images[i]), cmap=cmap)
        ax_img.set_xticks([])
        ax_img.set_yticks([])
        ax_img.set_title(f"#{i}: {class_names[y_true[i]]} -> {class_names[pred[i]]} "
                         f"{probs[i, pred[i]]:.2f}", fontsize=8, color="red")
        ax_bar.axis("on")
        plot_probabilities(probs[i], class_names, true_label=y_true[i], ax=ax_bar)
        ax_bar.tick_params(axis="x", labelsize=6)
    fig.tight_layout()
    return fig


def plot_filters(kernel, channel=0, max_filters=64, cmap="gray"):
    """First-layer filters as small images. kernel (FH, FW, C, FN) as Keras stores it; one panel per
    filter (input channel ``channel``), each with its own gray scale (dark = negative weight)."""
    kernel = np.asarray(kernel)
    if kernel.ndim != 4:
        raise ValueError(_("expected a Keras Conv2D kernel (FH, FW, C, FN), got shape {shape}")
                         .format(shape=kernel.shape))
    fn = min(kernel.shape[3], max_filters)
    fig, _axes = show_images([kernel[:, :, channel, i] for i in range(fn)], [f"{i}" for i in range(fn)],
                         cmap=cmap, ncols=min(8, fn), size=1.0, fontsize=7)
    return fig


def plot_feature_maps(fmap, max_maps=32, title=None, cmap="viridis"):
    """The channels of one feature map (특성 맵) (H, W, C) (or (1, H, W, C)) side by side."""
    fmap = np.asarray(fmap)
    if fmap.ndim == 4 and fmap.shape[0] == 1:
        fmap = fmap[0]
    if fmap.ndim != 3:
        raise ValueError(_("expected a feature map (H, W, C) or (1, H, W, C), got shape {shape}")
                         .format(shape=fmap.shape))
    c = min(fmap.shape[-1], max_maps)
    fig, _axes = show_images([fmap[..., i] for i in range(c)], [f"{i}" for i in range(c)], cmap=cmap,
                         ncols=min(8, c), size=1.2, fontsize=7, suptitle=title)
    return fig


def plot_heatmap(image, heat, title=None, alpha=0.5, cmap="jet"):
    """An image beside the same image overlaid with a heat map (occlusion sensitivity or Grad-CAM).

    heat (h, w) is stretched over the image (H, W); larger = more important for the prediction.
    """
    img = as_image(image)
    heat = np.asarray(heat, dtype=float)
    if heat.ndim != 2:
        raise ValueError(_("expected a 2-D heat map, got shape {shape}").format(shape=heat.shape))
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(7.5, 3.6))
    a0.imshow(img, cmap="binary")
    a0.set_title(_("input"))
    a1.imshow(img, cmap="gray")
    im = a1.imshow(heat, cmap=cmap, alpha=alpha, extent=(-0.5, img.shape[1] - 0.5, img.shape[0] - 0.5, -0.5))
    fig.colorbar(im, ax=a1)
    a1.set_title(title or _("heat map"), fontsize=9)
    for a in (a0, a1):
        a.set_xticks([])
        a.set_yticks([])
    fig.tight_layout()
    return fig
