"""``python -m data_scripts``: see :mod:`bootcamp.data.cli` for the commands and exit codes."""

import sys

from bootcamp.data.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
