"""Exercise cases of 06_cfd_1_flow_data (see test_exercises.py).

The namespaces hold small stand-ins for the notebook's objects (an ellipse on
the notebook's grid, a fake steady flow, a fake training split), so every
case runs in well under a second without the solver or the data set.
"""

from types import SimpleNamespace

import numpy as np
from exercise_case import Case

from bootcamp.cfd.shapes import ellipse_mask
from bootcamp.selfcheck import cfd


def ellipse():
    return {"np": np, "cfd": cfd,
            "obstacle": ellipse_mask(48, 144, cx=40, cy=23.5, a=9, b=5, angle=0.4)}


def steady_flow():
    rng = np.random.default_rng(3)
    flow = SimpleNamespace(rho=1 + 0.01 * rng.random((6, 9)), vx=0.1 * rng.random((6, 9)))
    return {"np": np, "cfd": cfd, "flow": flow}


def training_split():
    rng = np.random.default_rng(4)
    train = SimpleNamespace(vx=rng.uniform(-0.02, 0.13, (5, 6, 9)), vy=rng.normal(0, 0.02, (5, 6, 9)))
    return {"np": np, "cfd": cfd, "data": SimpleNamespace(train=train), "spec": SimpleNamespace(u_max=0.1)}


CASES = {
    1: Case(context=ellipse, wrongs=[
        ("def reynolds(mask, u_max, nu):\n    return u_max * np.any(mask, axis=1).sum() / nu", r"2/3"),
        ("def reynolds(mask, u_max, nu):\n    return 2 / 3 * u_max * np.any(mask, axis=0).sum() / nu",
         r"across the flow"),
        ("def reynolds(mask, u_max, nu):\n    return 2 / 3 * u_max * mask.sum() / nu", r"every solid cell"),
        ("def reynolds(mask, u_max, nu):\n    return 2 / 3 * u_max * mask.shape[0] / nu", r"channel's height"),
    ]),
    2: Case(context=steady_flow, wrongs=[
        ("flux = (flow.rho * flow.vx).sum(axis=1)", r"one number per row"),
        ("flux = flow.vx.sum(axis=0)", r"density rho"),
        ("flux = (flow.rho * flow.vx).mean(axis=0)", r"expected about"),
    ]),
    3: Case(context=training_split, wrongs=[
        ("peak = np.sqrt(data.train.vx**2 + data.train.vy**2).max(axis=(1, 2))", r"divide by u_max"),
        ("peak = np.abs(data.train.vx).max(axis=(1, 2)) / spec.u_max", r"largest \|vx\|"),
        ("peak = np.sqrt(data.train.vx**2 + data.train.vy**2).max() / spec.u_max", r"shape"),
    ]),
}
