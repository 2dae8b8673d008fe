"""Self-checks for 01_linear_regression."""

import numpy as np

from bootcamp.checks import close, require, run_check


def closed_form(slope, intercept, x, y) -> bool:
    def body():
        require(slope, "slope_cf")
        require(intercept, "intercept_cf")
        expected_slope, expected_intercept = np.polyfit(np.ravel(x), np.ravel(y), deg=1)
        close(slope, expected_slope, "slope_cf", rtol=1e-6)
        close(intercept, expected_intercept, "intercept_cf", rtol=1e-6)
    return run_check("Exercise 1 (least squares in closed form)", body)


def stability_limit(x) -> float:
    """Largest stable step for gradient descent on the MSE of a line fit:
    2 / (largest eigenvalue of the loss's Hessian)."""
    x = np.ravel(x).astype(float)
    hessian = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    return 2.0 / np.linalg.eigvalsh(hessian).max()


def largest_learning_rate(lr, gradient_descent, x, y, steps: int = 300) -> bool:
    """``gradient_descent(x, y, lr=..., steps=...)`` is the notebook's own loop."""
    def body():
        require(lr, "lr_max")
        limit = stability_limit(x)
        path = gradient_descent(x, y, lr=float(lr), steps=steps)
        losses = path["loss"]
        assert np.all(np.isfinite(losses)) and losses[-1] < losses[0], (
            f"with lr = {lr} the loss grows: that step is past the stability limit. Try smaller.")
        assert lr >= 0.8 * limit, (
            f"lr = {lr} is stable, but you can go at least {0.8 * limit / lr:.1f} times higher.")
    return run_check("Exercise 2 (largest stable learning rate)", body)
