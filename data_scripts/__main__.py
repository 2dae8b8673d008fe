"""``python -m data_scripts``: see bootcamp.data.cli for the commands and exit codes."""

import sys

from bootcamp.data.cli import main

if __name__ == "__main__":
    sys.exit(main())
