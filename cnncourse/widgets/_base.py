"""What every course widget shares: a figure shown as an ipywidgets.Image, an error area.

A widget subclass builds its controls, calls ``self._render()`` from its observers through
``self._safely``, and puts ``self.figure_view`` and ``self.errors`` in its ``self.widget`` box.
Re-rendering swaps the PNG bytes of one Image widget: no flicker, no dependence on the
matplotlib backend (inline, ipympl or none), and it also works in a plain Python test.
"""
from __future__ import annotations

import traceback

import ipywidgets as widgets
from IPython.display import display

from .. import viz


class CourseWidget:
    """Base class: ``.widget`` is the box to display; errors in callbacks land in ``.errors``."""

    widget: widgets.Widget

    def __init__(self):
        self.figure_view = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.errors = widgets.Output(layout=widgets.Layout(border="0px"))
        self.last_error = None

    def _ipython_display_(self):
        display(self.widget)

    # -- callbacks
    def _safely(self, fn):
        """Wrap an observer: an exception is shown in ``self.errors`` (and kept in
        ``self.last_error``) instead of vanishing into the kernel log."""
        def observer(change=None):
            try:
                fn()
            except Exception as exc:       # noqa: BLE001 - shown to the user, not swallowed
                self.last_error = exc
                self.errors.outputs = ()
                self.errors.append_stderr(
                    f"{type(exc).__name__}: {exc}\n\n" + traceback.format_exc())
            else:
                if self.last_error is not None:
                    self.last_error = None
                    self.errors.outputs = ()
        return observer

    def error_text(self) -> str:
        """The text currently shown in the error area ('' when there is none)."""
        return "".join(o.get("text", "") for o in self.errors.outputs)

    def _show_figure(self, fig, dpi=90, tight=True):
        self.figure_view.value = viz.figure_png(fig, dpi=dpi, tight=tight)
