"""The Korean edition from one source: English notebooks + gettext catalogs -> Korean notebooks.

cells (messages of one cell and their replacement), catalogs (.po via polib: extract, merge, count),
glossary (i18n/glossary.ko.tsv), editions (update/build/status over the course), command (CLI).
The package's own runtime language switch is cnncourse.i18n.

Which strings of a code cell are text (messages) and which are code: the four rules in cells.py.
In short, text is what a reader sees -- docstrings, assert and raise messages, the arguments of
display calls (print, set_title, legend, show_images, ...) and text keywords (title=, label=),
prose-like strings -- and an author marks any other shown label with ``T("...")``
(cnncourse.T, a no-op): a dict key that becomes a title, a one-word label printed later. A label
that code also reads back (``acc["original"]``) is marked in both places of the same cell
(one message, one translation) or stays English.
"""
