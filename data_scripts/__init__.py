"""Command line for the bootcamp's datasets: ``python -m data_scripts --help``."""
