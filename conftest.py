"""Run the costliest test files first (see bootcamp.dev.durations).

With ``--dist loadfile --no-loadscope-reorder`` (``make test``) the xdist
workers take whole files in this order.
"""

from bootcamp.dev import durations


def pytest_collection_modifyitems(session, config, items):
    items[:] = durations.order(items, durations.load(), nodeid=lambda item: item.nodeid)
