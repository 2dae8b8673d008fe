"""One way to replace a Keras method with a faster one, and to give it back.

:mod:`bootcamp.tracing` and :mod:`bootcamp.inorder` each replace one method
of Keras' TensorFlow backend. Both need the same care: do nothing under
another backend, when an opt-out variable is set, or when this Keras lacks
the method; never wrap twice; keep Keras' own method at hand
(``wrapper.upstream``) so that the replacement can fall back on it and a test
can put it back. That care lives here, once.
"""

from __future__ import annotations

import importlib
import os

_MARK = "_bootcamp_hook"


def _owner(module: str, cls: str):
    """The class ``module.cls`` from Keras, or None when this Keras has no such thing."""
    try:
        return getattr(importlib.import_module(module), cls)
    except (ImportError, AttributeError):
        return None


def replace(module: str, cls: str, name: str, make, opt_out_env: str, *, needs: tuple[str, ...] = ()) -> bool:
    """Replace ``cls.name`` (class ``cls`` of ``module``) by ``make(upstream)``; True when in place.

    ``make`` receives Keras' own method and returns the replacement, which
    calls ``upstream`` for anything it does not handle. ``needs`` names other
    attributes the replacement relies on: if any is missing, nothing changes.
    Returns False, changing nothing, when ``opt_out_env`` is set to anything
    but "" or "0", under a backend other than TensorFlow, or when the class
    or an attribute is missing. Safe to call more than once.
    """
    if os.environ.get(opt_out_env, "") not in ("", "0"):
        return False
    import keras

    if keras.backend.backend() != "tensorflow":
        return False
    owner = _owner(module, cls)
    upstream = getattr(owner, name, None)
    if upstream is None or not all(hasattr(owner, other) for other in needs):
        return False
    if getattr(upstream, _MARK, False):
        return True
    wrapper = make(upstream)
    setattr(wrapper, _MARK, True)
    wrapper.upstream = upstream
    wrapper.__doc__ = upstream.__doc__
    setattr(owner, name, wrapper)
    return True


def restore(module: str, cls: str, name: str) -> None:
    """Put Keras' own ``cls.name`` back if :func:`replace` replaced it."""
    owner = _owner(module, cls)
    current = getattr(owner, name, None)
    if getattr(current, _MARK, False):
        setattr(owner, name, current.upstream)


def installed(module: str, cls: str, name: str) -> bool:
    """Whether ``cls.name`` is a replacement made by :func:`replace`."""
    return bool(getattr(getattr(_owner(module, cls), name, None), _MARK, False))
