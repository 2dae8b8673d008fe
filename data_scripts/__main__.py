"""``python -m data_scripts`` and the ``bootcamp-data`` console script.

``mirror --out DIR`` builds a workshop's offline mirror (:mod:`data_scripts.mirror`);
every other command lists, fetches, verifies or imports datasets (:mod:`bootcamp.data.cli`,
which also gives the exit codes).
"""

from __future__ import annotations

import sys

from bootcamp.data.cli import main as data_main

MIRROR_HELP = ("\nA workshop's offline mirror (every dataset, both modes' flow sets, checked, with a "
               "manifest):\n  mirror --out DIR   see `mirror --help`\n")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["mirror"]:
        from data_scripts.mirror import main as mirror_main

        return mirror_main(argv[1:])
    if argv[:1] in (["-h"], ["--help"]):
        code = _help(argv)
        print(MIRROR_HELP)
        return code
    return data_main(argv)


def _help(argv: list[str]) -> int:
    try:
        return data_main(argv)
    except SystemExit as stop:       # argparse's help exits 0
        return int(stop.code or 0)


__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
