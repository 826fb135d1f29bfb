"""What every course widget shares: a figure shown as an ipywidgets.Image, an error area, and
the guard that lets a callback change several controls at once.

A widget subclass computes its numbers with ``cnncourse.ops`` in plain methods (what the tests
call), builds its controls, calls its drawing method from its observers through
``self._safely``, and puts ``self.figure_view`` and ``self.errors`` in its ``self.widget`` box.
Re-rendering swaps the PNG bytes of one Image widget: no flicker, no dependence on the
matplotlib backend (inline, ipympl or none), and it also works in a plain Python test.

Errors, "the kernel does not fit" included, are the ValueErrors of ``cnncourse.ops``: a
constructor raises them, a callback shows them in the error area (``_safely``).
"""
from __future__ import annotations

import contextlib
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
        self._updating = False

    def _ipython_display_(self):
        display(self.widget)

    # -- callbacks
    @contextlib.contextmanager
    def _updating_controls(self):
        """Set several controls in one step: the observers they trigger return at once (the
        re-entrancy guard); the code that changed them draws once, afterwards."""
        outer = self._updating
        self._updating = True
        try:
            yield
        finally:
            self._updating = outer

    def _safely(self, fn):
        """Wrap an observer: an exception is shown in ``self.errors`` (and kept in
        ``self.last_error``) instead of vanishing into the kernel log. While the widget is
        ``_updating_controls``, the observer does nothing."""
        def observer(change=None):
            if self._updating:
                return
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
