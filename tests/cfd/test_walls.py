"""The real shape's signed distance, and data sets solved with the interpolated wall."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import numpy as np
import pytest

from bootcamp.cfd import dataset
from bootcamp.cfd.dataset import DatasetSpec, generate
from bootcamp.cfd.flows import file_name
from bootcamp.cfd.lbm import link_fractions_from_sdf
from bootcamp.cfd.shapes import ALL_FAMILIES, Obstacle, _place, ellipse_mask, outline_distance, polygon_mask
from bootcamp.cfd.shapes import random_obstacle, rectangle_outline, shape_signed_distance

SMALL = dict(ny=16, nx=32, max_steps=300, check_every=100)


def test_a_circle_s_signed_distance_is_the_distance_to_the_circle():
    t = np.linspace(0.0, 2 * np.pi, 256, endpoint=False)
    outline = _place(7.3 * np.cos(t), 7.3 * np.sin(t), 20.4, 15.6, 0.3)
    mask = ellipse_mask(32, 40, cx=20.4, cy=15.6, a=7.3, b=7.3, angle=0.3)
    sdf = shape_signed_distance(Obstacle("ellipse", {}, mask, outline))
    y, x = np.mgrid[:32, :40]
    exact = np.hypot(x - 20.4, y - 15.6) - 7.3
    assert np.abs(sdf - exact).max() < 2e-3, "a 256-gon should be within 0.002 cells of its circle"
    assert sdf.dtype == np.float32 and ((sdf < 0) == mask).all()


def test_a_square_s_distance_is_exact_off_its_corners():
    outline = rectangle_outline(10.0, 10.0, 8.0, 8.0, 0.0, 0.0)          # from (6, 6) to (14, 14)
    distance = outline_distance(21, 21, outline)
    assert distance[10, 20] == pytest.approx(6.0)                     # right of the square
    assert distance[10, 10] == pytest.approx(4.0)                     # centre: 4 from every side
    assert distance[0, 0] == pytest.approx(np.hypot(6.0, 6.0))        # nearest the corner (6, 6)


@pytest.mark.parametrize("family", ALL_FAMILIES)
def test_every_family_s_outline_agrees_with_its_mask(family):
    """The solver accepts the distance: every link from fluid to solid is cut once, at 0 <= q <= 1."""
    for seed in range(5):
        obstacle = random_obstacle(np.random.default_rng([seed]), 48, 96, (family,))
        sdf = shape_signed_distance(obstacle)
        assert ((sdf < 0) == obstacle.mask).all()
        q = link_fractions_from_sdf(obstacle.mask, sdf)
        cut = q[np.isfinite(q) & (q >= 0)]
        assert cut.size and (cut <= 1).all()
        if family != "ellipse":   # polygons: the outline is the shape; the mask is its cells' centres inside
            np.testing.assert_array_equal(polygon_mask(48, 96, obstacle.outline), obstacle.mask)


def test_an_obstacle_without_an_outline_is_refused_with_advice():
    with pytest.raises(ValueError, match="half-way wall"):
        shape_signed_distance(Obstacle("ellipse", {}, np.eye(4, dtype=bool)))


def test_interpolated_flows_differ_from_half_way_ones_on_the_same_shapes():
    halfway = generate(2, seed=4, workers=1, progress=False, **SMALL)
    interpolated = generate(2, seed=4, workers=1, progress=False, wall="interpolated", **SMALL)
    np.testing.assert_array_equal(halfway["mask"], interpolated["mask"])
    np.testing.assert_array_equal(halfway["sdf"], interpolated["sdf"])     # the network's input: the mask's
    assert not np.array_equal(halfway["vx"], interpolated["vx"])
    assert json.loads(str(interpolated["manifest"]))["wall"] == "interpolated"
    assert "wall" not in json.loads(str(halfway["manifest"]))


def test_the_half_way_wall_keeps_the_names_of_files_made_before_it_was_a_setting():
    spec = DatasetSpec(n_samples=8, seed=1, **SMALL)
    before = {k: v for k, v in dataclasses.asdict(spec).items() if k != "wall"}   # the fields before 'wall'
    digest = hashlib.sha256(json.dumps(before, sort_keys=True).encode()).hexdigest()[:16]
    assert file_name(spec).endswith(f"-{digest}.npz")
    assert file_name(dataclasses.replace(spec, wall="interpolated")) != file_name(spec)


def test_an_unknown_wall_or_family_lists_the_choices():
    with pytest.raises(ValueError, match="halfway.*interpolated"):
        DatasetSpec(n_samples=1, wall="smooth")
    with pytest.raises(ValueError, match="unknown shape families.*naca"):
        DatasetSpec(n_samples=1, families=("ellipse", "blob"))


def test_the_command_line_takes_the_wall(tmp_path):
    out = tmp_path / "flows.npz"
    assert dataset.main(["--n", "1", "--ny", "16", "--nx", "32", "--max-steps", "200", "--wall", "interpolated",
                         "--workers", "1", "--quiet", "--out", str(out)]) == 0
    _, manifest = dataset.load(out)
    assert manifest["wall"] == "interpolated"
