"""bootcamp._hooks: the Keras methods the course replaces are replaced once,
given back whole, and left alone when the opt-out is set or the method is
missing."""

import importlib

import pytest

pytest.importorskip("keras")

from bootcamp import _hooks, inorder, oneiter, tracing  # noqa: E402

HOOKED = [pytest.param(inorder, id="inorder"), pytest.param(oneiter, id="oneiter"), pytest.param(tracing, id="tracing")]


def method(hook):
    module, cls, name = hook
    return getattr(getattr(importlib.import_module(module), cls), name)


@pytest.fixture(params=HOOKED)
def hooked(request):
    """One hooking module, with Keras as shipped before and after the test."""
    request.param.uninstall()
    yield request.param
    request.param.uninstall()


def test_install_is_idempotent_and_gives_keras_back(hooked):
    shipped = method(hooked.HOOK)
    assert not _hooks.installed(*hooked.HOOK)
    assert hooked.install() and hooked.install()
    assert _hooks.installed(*hooked.HOOK)
    assert method(hooked.HOOK).upstream is shipped, "a second install wrapped the wrapper"
    assert method(hooked.HOOK).__doc__ == shipped.__doc__
    hooked.uninstall()
    assert method(hooked.HOOK) is shipped
    hooked.uninstall()                         # giving back twice is harmless
    assert method(hooked.HOOK) is shipped


@pytest.mark.parametrize("value, expected", [("1", False), ("yes", False), ("0", True), ("", True)])
def test_the_opt_out_variable_is_respected(hooked, monkeypatch, value, expected):
    shipped = method(hooked.HOOK)
    monkeypatch.setenv(hooked.OPT_OUT_ENV, value)
    assert hooked.install() is expected
    assert (method(hooked.HOOK) is shipped) is not expected


def test_a_missing_class_or_method_changes_nothing():
    def make(upstream):
        raise AssertionError("nothing should be wrapped")

    assert not _hooks.replace("keras.no_such_module", "Trainer", "fit", make, "BOOTCAMP_TEST_UNSET")
    module, cls, _ = tracing.HOOK
    assert not _hooks.replace(module, cls, "no_such_method", make, "BOOTCAMP_TEST_UNSET")
    assert not _hooks.replace(*tracing.HOOK, make, "BOOTCAMP_TEST_UNSET", needs=("no_such_helper",))
    assert not _hooks.installed(module, cls, "no_such_method")
    _hooks.restore("keras.no_such_module", "Trainer", "fit")    # nothing to give back: no error
