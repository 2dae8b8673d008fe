"""Learning floors, metric records and the self-check protocol."""

import json

import numpy as np
import pytest

from bootcamp import checks
from bootcamp.selfcheck import curvefit, linreg, start_here


def test_floor_passes_records_and_fails_loudly(tmp_path, monkeypatch, capsys):
    metrics = tmp_path / "m.jsonl"
    monkeypatch.setenv("BOOTCAMP_METRICS_FILE", str(metrics))
    assert checks.floor("accuracy", 0.97, at_least=0.95) is None     # no stray Out[] value
    assert "accuracy = 0.97 (floor >= 0.95)" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="Learning floor missed: loss = 0.5, expected <= 0.1"):
        checks.floor("loss", 0.5, at_most=0.1)
    with pytest.raises(AssertionError):
        checks.floor("loss", float("nan"), at_most=0.1)
    rows = [json.loads(line) for line in metrics.read_text().splitlines()]
    assert [r["name"] for r in rows] == ["accuracy", "loss", "loss"]
    with pytest.raises(TypeError):
        checks.floor("x", 1.0)


def test_run_check_distinguishes_starter_wrong_and_right(capsys):
    def starter():
        checks.require(None, "answer")

    def wrong():
        checks.close(2.0, 3.0, "answer")

    assert checks.run_check("T", starter) is False
    assert "not attempted yet" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="T: not right yet. answer is 2.0, expected about 3.0"):
        checks.run_check("T", wrong)
    assert checks.run_check("T", lambda: None) is True


def test_call_answer_treats_not_implemented_as_starter():
    def todo():
        raise NotImplementedError("write me")

    with pytest.raises(checks.NotAttempted, match="write me"):
        checks.call_answer(todo)
    assert checks.call_answer(lambda: 3) == 3


def test_start_here_check():
    assert start_here.mnist_bytes(None) is False
    assert start_here.mnist_bytes(60_000 * 28 * 28 * 4) is True
    with pytest.raises(AssertionError, match="4 bytes"):
        start_here.mnist_bytes(60_000 * 28 * 28)


def line_data():
    rng = np.random.default_rng(0)
    x = 10 * rng.random((50, 1))
    return x, 0.3 * x + 0.5 * rng.random((50, 1))


def test_linreg_checks():
    x, y = line_data()
    slope, intercept = np.polyfit(x.ravel(), y.ravel(), 1)
    assert linreg.closed_form(None, None, x, y) is False
    assert linreg.closed_form(slope, intercept, x, y) is True
    with pytest.raises(AssertionError):
        linreg.closed_form(slope * 1.1, intercept, x, y)

    def gd(x, y, *, lr, steps):
        w = b = 0.0
        losses = []
        for _ in range(steps):
            r = w * x.ravel() + b - y.ravel()
            losses.append(np.mean(r**2))
            w, b = w - lr * 2 * np.mean(r * x.ravel()), b - lr * 2 * np.mean(r)
        return {"loss": np.array(losses)}

    limit = linreg.stability_limit(x)
    assert 0.02 < limit < 0.03
    assert linreg.largest_learning_rate(0.95 * limit, gd, x, y) is True
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(AssertionError, match="loss grows"):
        linreg.largest_learning_rate(1.1 * limit, gd, x, y)
    with pytest.raises(AssertionError, match="times higher"):
        linreg.largest_learning_rate(0.5 * limit, gd, x, y)


def test_curvefit_checks():
    assert curvefit.parameter_count(None) is False
    assert curvefit.parameter_count(64 + 1056 + 33) is True
    with pytest.raises(AssertionError):
        curvefit.parameter_count(1000)
    w, b = np.array([1.0, -2.0, 0.0]), np.array([0.5, 0.5, 1.0])
    assert curvefit.kink_positions(np.array([0.25, -0.5]), w, b) is True
    with pytest.raises(AssertionError):
        curvefit.kink_positions(np.array([0.5, -0.5]), w, b)
    table = {(2, 10): 1.0, (8, 10): 9.0, (2, 300): 0.5, (8, 300): 0.01}
    assert curvefit.best_order(8, table) is True
    with pytest.raises(AssertionError):
        curvefit.best_order(2, table)
