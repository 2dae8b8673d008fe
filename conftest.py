"""Run the costliest test files first (see bootcamp.dev.durations), with
TensorFlow set as the lessons set it.

With ``--dist loadfile --no-loadscope-reorder`` (``make test``) the xdist
workers take whole files in this order.
"""

import os

from bootcamp.dev import durations
from bootcamp.setup import ONEDNN_ENV

# bootcamp.setup() turns oneDNN on before a lesson imports TensorFlow. Tests
# import TensorFlow long before any setup() call, and start kernels and worker
# processes that inherit this environment: set it here, before all of them, so
# that every process of a run computes with the same kernels.
os.environ.setdefault(ONEDNN_ENV, "1")


def pytest_collection_modifyitems(session, config, items):
    items[:] = durations.order(items, durations.load(), nodeid=lambda item: item.nodeid)
