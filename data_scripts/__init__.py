"""The bootcamp's data command line: ``python -m data_scripts --help``.

The commands live in :mod:`bootcamp.data.cli`; this package only gives them
the short name used by the Makefile and the ``bootcamp-data`` console script.
One command lives here: ``python -m data_scripts mirror --out DIR`` (``make
mirror DIR=...``) builds a workshop's offline mirror, see :mod:`data_scripts.mirror`.
"""
