"""The Korean edition from one source: English notebooks + gettext catalogs -> Korean notebooks.

cells (messages of one cell and their replacement), catalogs (.po via polib: extract, merge, count),
glossary (i18n/glossary.ko.tsv), editions (update/build/status over the course), command (CLI).
The package's own runtime language switch is cnncourse.i18n.
"""
