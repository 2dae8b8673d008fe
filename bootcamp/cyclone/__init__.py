"""Tropical-cyclone module: classes, synthetic IR imagery, preprocessing.

``real_frame()`` returns the one real HURSAT-B1 infrared frame shipped with
the package, north-up (see :mod:`bootcamp.cyclone.realframe`).
"""


def real_frame():
    """The real HURSAT-B1 frame shipped with the package (ADELINE, 2005-04-01
    12Z, GOES-9), north-up: see :func:`bootcamp.cyclone.realframe.real_frame`."""
    from bootcamp.cyclone.realframe import real_frame as load

    return load()
