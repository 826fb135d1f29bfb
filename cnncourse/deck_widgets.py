"""The course's widgets in a deck or a web page, where no Python kernel answers their controls.

A course widget (``cnncourse.widgets``) redraws its figure in Python when a control moves. In a
saved page the controls would still move but nothing would change. So when a notebook is executed
for a deck (:func:`cnncourse.slides.execute_notebook`), the kernel is asked, after the last cell,
for every displayed course widget's pictures (:func:`frames_of_displayed_widgets`):

- a widget with a ``step`` slider (the steppers) gives one frame per step (at most
  ``MAX_FRAMES``): its figure (PNG) and its texts. The page shows them with a small player
  (play button, slider, "step i of n") that needs no kernel;
- any other widget gives one frame, shown as a static picture with a note that its controls work
  in JupyterLab.

:func:`replace_widgets` then swaps each such widget's output for that HTML. Widgets whose state
needs no kernel (a Play linked to a slider) stay live; a kernel-driven widget without frames
(``ipywidgets.interact``) becomes the picture its output area held, with the same note.

Frames travel in ``nb.metadata["cnncourse"]["widget_frames"]``:
``{model_id: {"frames": [{"png": base64, "before": [html], "after": [html]}], "total": n,
"control": "step"}}`` (``control`` is None for a static picture).
"""
from __future__ import annotations

import base64
import html
import json

from .i18n import N_, _

MAX_FRAMES = 64
MIME = "application/vnd.cnncourse.widget-frames+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

MODULES_MIME = "application/vnd.cnncourse.modules+json"

# The code the kernel runs after the notebook's last cell (the cell is removed afterwards).
KERNEL_SNIPPET = ("import cnncourse.deck_widgets as _cnncourse_deck\n"
                  "_cnncourse_deck.publish_frames()\n"
                  "_cnncourse_deck.publish_modules()")


# --------------------------------------------------------------------------------------------
# In the kernel
# --------------------------------------------------------------------------------------------
def _course_widgets():
    """Live objects that look like course widgets: ``.widget`` (an ipywidgets box) and
    ``.figure_view`` (an ipywidgets.Image)."""
    import gc

    import ipywidgets

    found = []
    for obj in gc.get_objects():
        # the instance's own attributes only: a getattr could wake a lazily imported module
        try:
            attributes = object.__getattribute__(obj, "__dict__")
        except (AttributeError, TypeError):
            continue
        if not isinstance(attributes, dict):
            continue
        box, view = attributes.get("widget"), attributes.get("figure_view")
        if isinstance(box, ipywidgets.Widget) and isinstance(view, ipywidgets.Image) \
                and getattr(box, "model_id", None):
            found.append(obj)
    return found


def _texts(box, image):
    """The HTML of the widget's text widgets, split into those before and after ``image``."""
    import ipywidgets

    before, after, seen_image = [], [], False

    def walk(w):
        nonlocal seen_image
        if w is image:
            seen_image = True
        elif isinstance(w, (ipywidgets.HTML, ipywidgets.HTMLMath)) and w.value:
            (after if seen_image else before).append(w.value)
        for child in getattr(w, "children", ()):
            walk(child)

    walk(box)
    return before, after


def _frame(obj):
    before, after = _texts(obj.widget, obj.figure_view)
    return {"png": base64.b64encode(bytes(obj.figure_view.value)).decode("ascii"),
            "before": before, "after": after}


def widget_frames(obj, max_frames: int = MAX_FRAMES) -> dict:
    """Frames of one course widget: one per value of its ``step`` slider (the first
    ``max_frames``), or one frame of its current state. The slider is put back afterwards."""
    import ipywidgets

    step = getattr(obj, "step", None)
    if not isinstance(step, ipywidgets.IntSlider) or step.max <= step.min:
        return {"frames": [_frame(obj)], "total": 1, "control": None}
    start, frames = step.value, []
    values = range(step.min, step.max + 1)
    try:
        for value in values[:max_frames]:
            step.value = value
            frames.append(_frame(obj))
    finally:
        step.value = start
    return {"frames": frames, "total": len(values), "control": step.description or "step"}


def frames_of_displayed_widgets(max_frames: int = MAX_FRAMES) -> dict:
    """{model_id of the displayed box: frames} for every live course widget."""
    return {obj.widget.model_id: widget_frames(obj, max_frames) for obj in _course_widgets()}


def publish_frames() -> None:
    """Display the frames as one output of MIME type ``MIME`` (read back by the executor)."""
    from IPython.display import display

    display({MIME: frames_of_displayed_widgets()}, raw=True)


def publish_modules() -> None:
    """Display the files of the cnncourse modules this kernel imported (the execution cache of
    cnncourse.slides is valid while they are unchanged)."""
    import sys

    from IPython.display import display

    files = sorted({m.__file__ for name, m in list(sys.modules.items())
                    if (name == "cnncourse" or name.startswith("cnncourse."))
                    and getattr(m, "__file__", None)})
    display({MODULES_MIME: files}, raw=True)


# --------------------------------------------------------------------------------------------
# In the exported page
# --------------------------------------------------------------------------------------------
def _frame_html(frame, index, hidden):
    """The texts above the picture on their own row; those below it beside it when they fit."""
    def texts(parts, where):
        return "".join(f'<div class="cnncourse-text {where}">{t}</div>' for t in parts)
    after = texts(frame["after"], "after")
    return (f'<div class="cnncourse-frame" data-index="{index}"{" hidden" if hidden else ""}>'
            f'{texts(frame["before"], "before")}'
            f'<img alt="widget picture {index}" src="data:image/png;base64,{frame["png"]}">'
            + (f'<div class="cnncourse-after">{after}</div>' if after else "") + '</div>')


# The texts a player or a picture adds to the page, in the language in force (cnncourse.i18n):
# the deck of a Korean notebook says them in Korean.
PICTURE_NOTE = N_("A picture of the widget: its controls work when {notebook} runs in JupyterLab.")
PLAYER_LABEL = N_("{control} {i} of {n}")        # {i}, {n}: filled in by the page's script
PLAYER_NOTE = N_("Precomputed frames: {shown}. The other controls work when {notebook} runs in "
                 "JupyterLab.")
ALL_STEPS = N_("all {total} steps")
FIRST_STEPS = N_("the first {n} of {total} steps (all of them in JupyterLab)")
PLAY_PAUSE = N_("play / pause")


def picture_note(notebook: str) -> str:
    """The note under a widget's static picture."""
    where = f"<code>{html.escape(notebook)}</code>"
    return f'<p class="cnncourse-note">{_(PICTURE_NOTE).format(notebook=where)}</p>'


def player_html(entry: dict, notebook: str) -> str:
    """A kernel-free player for precomputed frames, or a static picture with a note."""
    frames = entry["frames"]
    where = f"<code>{html.escape(notebook)}</code>"
    if entry.get("control") is None or len(frames) < 2:
        return ('<div class="cnncourse-static">' + _frame_html(frames[0], 0, False)
                + picture_note(notebook) + '</div>')
    n, total = len(frames), entry["total"]
    control = html.escape(entry["control"])
    label = _(PLAYER_LABEL).format(control=control, i="{i}", n="{n}")
    shown = (_(ALL_STEPS).format(total=total) if n == total else
             _(FIRST_STEPS).format(n=n, total=total))
    return (f'<div class="cnncourse-player" data-frames="{n}">'
            f'<div class="cnncourse-bar"><button type="button" class="cnncourse-play" '
            f'title="{html.escape(_(PLAY_PAUSE))}">&#9654;</button>'
            f'<input type="range" class="cnncourse-step" min="0" max="{n - 1}" value="0" '
            f'aria-label="{control}">'
            f'<span class="cnncourse-label" data-name="{control}" '
            f'data-format="{html.escape(label)}">'
            f'{label.replace("{i}", "1").replace("{n}", str(n))}</span></div>'
            f'<div class="cnncourse-frames">'
            + "".join(_frame_html(f, i, i > 0) for i, f in enumerate(frames)) +
            f'</div><p class="cnncourse-note">'
            f'{_(PLAYER_NOTE).format(shown=shown, notebook=where)}</p></div>')


def _kernel_driven(model_id, state, seen=None) -> bool:
    """Does this widget (or a child) show output that only a kernel can update?"""
    seen = seen if seen is not None else set()
    if model_id in seen or model_id not in state:
        return False
    seen.add(model_id)
    model = state[model_id]
    if model.get("model_name") in ("OutputModel", "ImageModel"):
        return True
    children = model.get("state", {}).get("children", [])
    return any(_kernel_driven(ref.split("IPY_MODEL_")[-1], state, seen) for ref in children
               if isinstance(ref, str))


def _outputs_picture(model_id, state, seen=None):
    """The outputs held by the Output widgets of a tree (nbclient stored them), as HTML."""
    seen = seen if seen is not None else set()
    if model_id in seen or model_id not in state:
        return ""
    seen.add(model_id)
    model = state[model_id]
    parts = []
    for out in model.get("state", {}).get("outputs", []) if model.get("model_name") == \
            "OutputModel" else []:
        data = out.get("data", {})
        if "image/png" in data:
            parts.append(f'<img alt="output" src="data:image/png;base64,{data["image/png"]}">')
        elif "text/html" in data:
            parts.append("".join(data["text/html"]))
        elif "text/plain" in data or out.get("output_type") == "stream":
            text = "".join(data.get("text/plain", out.get("text", "")))
            parts.append(f"<pre>{html.escape(text)}</pre>")
    for ref in model.get("state", {}).get("children", []):
        if isinstance(ref, str):
            parts.append(_outputs_picture(ref.split("IPY_MODEL_")[-1], state, seen))
    return "".join(parts)


def replace_widgets(nb, notebook_name: str):
    """Swap every kernel-driven widget output of an executed notebook for its frames player or
    its static picture (in place); drop the widget state if no live widget is left."""
    frames = nb.metadata.get("cnncourse", {}).get("widget_frames", {})
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    live = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get(WIDGET_VIEW) if out.get("output_type") in (
                "display_data", "execute_result") else None
            if not view:
                continue
            model_id = view.get("model_id")
            if model_id in frames:
                page = player_html(frames[model_id], notebook_name)
            elif _kernel_driven(model_id, state):
                page = ('<div class="cnncourse-static">' + _outputs_picture(model_id, state)
                        + picture_note(notebook_name) + '</div>')
            else:
                live += 1
                continue
            out["data"] = {"text/html": page}
    if not live:
        nb.metadata.pop("widgets", None)
    return nb


def published(outputs, mime: str = MIME, default=None):
    """What :func:`publish_frames` (``MIME``) or :func:`publish_modules` (``MODULES_MIME``)
    displayed in a cell's outputs (``default`` if nothing)."""
    for out in outputs:
        data = out.get("data", {})
        if mime in data:
            value = data[mime]
            return json.loads(value) if isinstance(value, str) else value
    return default
