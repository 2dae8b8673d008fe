"""Random obstacles for the flow data set, and their signed distance function.

Coordinates are in cells: ``x`` is the column, ``y`` the row, and cell
``(y, x)`` has its centre at ``(x, y)``. A cell is solid when its centre lies
inside the shape. Shape sizes and positions are drawn in units of the
channel height ``ny``, so one seed gives the same shapes at any resolution.

Families: ``ellipse``, ``rectangle`` (rotated and sheared), ``polygon``
(random star-shaped polygon) and ``naca`` (a NACA 4-digit aerofoil at an
angle of attack: a family held out of training, to test generalisation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy import ndimage

__all__ = [
    "FAMILIES",
    "ALL_FAMILIES",
    "Obstacle",
    "ellipse_mask",
    "naca4_outline",
    "polygon_mask",
    "random_obstacle",
    "rectangle_outline",
    "shape_signed_distance",
    "signed_distance",
    "star_polygon_outline",
]

FAMILIES = ("ellipse", "rectangle", "polygon")  # the training families
ALL_FAMILIES = FAMILIES + ("naca",)  # plus the held-out aerofoils

MAX_TRIES = 200


@dataclass(frozen=True)
class Obstacle:
    """A rasterised obstacle: its family, the parameters that made it, the mask,
    and the outline of the real shape (``(n, 2)`` vertices ``(x, y)``, closed;
    an ellipse's is a fine polygon): what :func:`shape_signed_distance` measures
    the distance to, for the solver's interpolated wall."""

    family: str
    params: dict[str, float | int | str] = field(repr=True)
    mask: np.ndarray = field(repr=False)
    outline: np.ndarray | None = field(default=None, repr=False)


# --------------------------------------------------------------------------- rasterising


def ellipse_mask(ny: int, nx: int, *, cx: float, cy: float, a: float, b: float, angle: float) -> np.ndarray:
    """Cells whose centre is inside the ellipse with semi-axes ``a`` (along
    ``angle``, radians from the x axis) and ``b``, centred at ``(cx, cy)``."""
    y, x = np.mgrid[:ny, :nx].astype(np.float64)
    dx, dy = x - cx, y - cy
    along = dx * math.cos(angle) + dy * math.sin(angle)
    across = -dx * math.sin(angle) + dy * math.cos(angle)
    return (along / a) ** 2 + (across / b) ** 2 <= 1.0


def polygon_mask(ny: int, nx: int, vertices: np.ndarray) -> np.ndarray:
    """Cells whose centre is inside the closed polygon ``vertices`` (``(n, 2)``
    array of ``(x, y)``), by the even-odd crossing rule."""
    vertices = np.asarray(vertices, dtype=np.float64)
    if vertices.ndim != 2 or vertices.shape[1] != 2 or len(vertices) < 3:
        raise ValueError(f"vertices must be an (n >= 3, 2) array of (x, y), got shape {vertices.shape}")
    y, x = np.mgrid[:ny, :nx].astype(np.float64)
    inside = np.zeros((ny, nx), dtype=bool)
    for (x1, y1), (x2, y2) in zip(vertices, np.roll(vertices, -1, axis=0)):
        if y1 == y2:
            continue  # a horizontal edge crosses no horizontal ray
        straddles = (y1 > y) != (y2 > y)
        x_cross = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= straddles & (x < x_cross)
    return inside


def rectangle_outline(cx: float, cy: float, width: float, height: float, angle: float, shear: float) -> np.ndarray:
    """Corners of a ``width`` x ``height`` rectangle sheared along its width by
    ``shear`` (a parallelogram), rotated by ``angle`` and centred at ``(cx, cy)``."""
    u = np.array([-0.5, 0.5, 0.5, -0.5]) * width
    v = np.array([-0.5, -0.5, 0.5, 0.5]) * height
    return _place(u + shear * v, v, cx, cy, angle)


def star_polygon_outline(cx: float, cy: float, angles: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Polygon with a vertex at each (sorted) ``angle`` and ``radius`` around ``(cx, cy)``."""
    order = np.argsort(angles)
    angles, radii = np.asarray(angles)[order], np.asarray(radii)[order]
    return np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)])


def naca4_outline(code: str, chord: float, cx: float, cy: float, angle: float, points: int = 40) -> np.ndarray:
    """Outline of the NACA 4-digit aerofoil ``code`` (e.g. ``"2412"``).

    Standard formulas: maximum camber ``m`` (first digit, % chord) at ``p``
    (second digit, tenths of chord), thickness ``t`` (last two digits, %
    chord), closed trailing edge. The chord is centred at ``(cx, cy)`` and
    pitched nose-up by ``angle`` radians (the flow comes from -x).
    """
    if len(code) != 4 or not code.isdigit():
        raise ValueError(f"a NACA 4-digit code is four digits such as '2412', not {code!r}")
    m, p, t = int(code[0]) / 100, int(code[1]) / 10, int(code[2:]) / 100
    if t <= 0 or (m > 0 and not 0 < p < 1):
        raise ValueError(f"NACA {code}: needs a thickness > 0 and, when cambered, a camber position 1-9")
    s = 0.5 * (1 - np.cos(np.linspace(0.0, math.pi, points)))  # denser at nose and tail
    half = 5 * t * (0.2969 * np.sqrt(s) - 0.1260 * s - 0.3516 * s**2 + 0.2843 * s**3 - 0.1036 * s**4)
    if m > 0:
        front = s < p
        camber = np.where(front, m / p**2 * (2 * p * s - s**2), m / (1 - p) ** 2 * (1 - 2 * p + 2 * p * s - s**2))
        slope = np.where(front, 2 * m / p**2 * (p - s), 2 * m / (1 - p) ** 2 * (p - s))
    else:
        camber = slope = np.zeros_like(s)
    theta = np.arctan(slope)
    upper = np.column_stack([s - half * np.sin(theta), camber + half * np.cos(theta)])
    lower = np.column_stack([s + half * np.sin(theta), camber - half * np.cos(theta)])
    outline = np.vstack([upper, lower[::-1][1:-1]]) * chord
    # chord centred at the origin; a nose-up pitch is a clockwise rotation when the flow goes to +x
    return _place(outline[:, 0] - chord / 2, outline[:, 1], cx, cy, -angle)


def _place(u: np.ndarray, v: np.ndarray, cx: float, cy: float, angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.column_stack([cx + c * u - s * v, cy + s * u + c * v])


# --------------------------------------------------------------------------- random shapes

# An ellipse's outline for the interpolated wall: a polygon this fine lies within
# a*(1 - cos(pi/n)) of the true curve, under 0.002 cells for the largest ellipse
# of the 128-row grid (a = 19 cells).
ELLIPSE_VERTICES = 256


def random_obstacle(
    rng: np.random.Generator,
    ny: int,
    nx: int,
    families: tuple[str, ...] = FAMILIES,
    margin: float = 0.1,
) -> Obstacle:
    """Draw one obstacle of a random family from ``families``.

    The centre lies 0.4-0.7 channel heights from the inlet, near the middle
    of the channel; shapes that come closer than ``margin * ny`` cells (at
    least two) to a wall, or to the inlet or outlet, are drawn again.
    Deterministic for a given state of ``rng``.
    """
    unknown = set(families) - set(_SAMPLERS)
    if not families or unknown:
        raise ValueError(f"unknown shape families {sorted(unknown)}; choose from {list(_SAMPLERS)}")
    if ny < 16 or nx < ny:
        raise ValueError(f"the grid {ny}x{nx} is too small for obstacles: use ny >= 16 and nx >= ny")
    gap = max(2.0, margin * ny)
    for _ in range(MAX_TRIES):
        family = str(families[rng.integers(len(families))])
        cx = ny * rng.uniform(0.4, 0.7)
        cy = ny * (0.5 + rng.uniform(-0.1, 0.1))
        params, mask, outline = _SAMPLERS[family](rng, ny, nx, cx, cy)
        if _fits(mask, gap) and mask.sum() >= 4:
            params = {"family": family, "cx": cx, "cy": cy, **params}
            return Obstacle(family, _plain(params), ndimage.binary_fill_holes(mask), outline)
    raise RuntimeError(f"no obstacle fitted the {ny}x{nx} grid in {MAX_TRIES} tries; use a larger grid")


def _ellipse(rng: np.random.Generator, ny: int, nx: int, cx: float, cy: float):
    a = ny * rng.uniform(0.06, 0.15)
    b = a * rng.uniform(0.3, 1.0)
    angle = rng.uniform(0.0, math.pi)
    t = np.linspace(0.0, 2 * math.pi, ELLIPSE_VERTICES, endpoint=False)
    outline = _place(a * np.cos(t), b * np.sin(t), cx, cy, angle)
    return dict(a=a, b=b, angle=angle), ellipse_mask(ny, nx, cx=cx, cy=cy, a=a, b=b, angle=angle), outline


def _rectangle(rng: np.random.Generator, ny: int, nx: int, cx: float, cy: float):
    width = ny * rng.uniform(0.08, 0.28)
    height = ny * rng.uniform(0.08, 0.28)
    angle = rng.uniform(0.0, math.pi)
    shear = rng.uniform(-0.6, 0.6)
    outline = rectangle_outline(cx, cy, width, height, angle, shear)
    return dict(width=width, height=height, angle=angle, shear=shear), polygon_mask(ny, nx, outline), outline


def _polygon(rng: np.random.Generator, ny: int, nx: int, cx: float, cy: float):
    sides = int(rng.integers(3, 9))
    radius = ny * rng.uniform(0.08, 0.15)
    # angles spread round the circle, each jittered within its own sector
    angles = (np.arange(sides) + rng.uniform(0.1, 0.9, sides)) * (2 * math.pi / sides) + rng.uniform(0, 2 * math.pi)
    radii = radius * rng.uniform(0.5, 1.0, sides)
    outline = star_polygon_outline(cx, cy, angles, radii)
    return dict(sides=sides, radius=radius, vertices=outline.round(3).tolist()), polygon_mask(ny, nx, outline), outline


def _naca(rng: np.random.Generator, ny: int, nx: int, cx: float, cy: float):
    code = f"{rng.integers(0, 7)}{rng.integers(2, 7)}{rng.integers(10, 25):02d}"
    chord = ny * rng.uniform(0.25, 0.45)
    angle = math.radians(rng.uniform(-15.0, 15.0))
    outline = naca4_outline(code, chord, cx, cy, angle)
    return dict(code=code, chord=chord, angle=angle), polygon_mask(ny, nx, outline), outline


_SAMPLERS: dict[str, Callable] = {"ellipse": _ellipse, "rectangle": _rectangle, "polygon": _polygon, "naca": _naca}


def _fits(mask: np.ndarray, gap: float) -> bool:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return False
    ny, nx = mask.shape
    return rows[0] >= gap and rows[-1] <= ny - 1 - gap and cols[0] >= gap and cols[-1] <= nx - 1 - 2 * gap


def _plain(params: dict) -> dict:
    """JSON-ready copy: numpy scalars become Python numbers."""
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in params.items()}


# --------------------------------------------------------------------------- signed distance


def signed_distance(mask: np.ndarray) -> np.ndarray:
    """Signed distance (in cells) to the obstacle surface: negative inside the
    solid, positive in the fluid, float32.

    The surface is where the lattice-Boltzmann walls are, half-way between
    solid and fluid cell centres. Computed with scikit-fmm's fast marching
    (``skfmm.distance``) from a level set that is -1/2 in solid and +1/2 in
    fluid cells. The channel walls are not part of it.
    """
    import skfmm  # imported here: only the data set generator needs it

    mask = np.asarray(mask, dtype=bool)
    if mask.all() or not mask.any():
        raise ValueError("the mask must contain both solid and fluid cells to have a surface")
    phi = np.where(mask, -0.5, 0.5)
    return np.asarray(skfmm.distance(phi, dx=1.0), dtype=np.float32)


def shape_signed_distance(obstacle: Obstacle) -> np.ndarray:
    """Signed distance (in cells) from each cell centre to the real shape's
    outline: negative in the obstacle's solid cells, positive in the fluid,
    float32.

    Unlike :func:`signed_distance`, which measures to the staircase of the
    mask (the surface half-way between solid and fluid cells), this measures
    to the shape itself, so along a link from a fluid to a solid cell it says
    where the true surface cuts it: what the solver's interpolated wall needs
    (``solve(..., wall="interpolated", sdf=...)``). The sign is the mask's, so
    the two never disagree.
    """
    if obstacle.outline is None:
        raise ValueError("this obstacle has no outline (made without one): the interpolated wall needs the "
                         "real shape; use random_obstacle, or the half-way wall")
    ny, nx = obstacle.mask.shape
    distance = outline_distance(ny, nx, obstacle.outline)
    return np.where(obstacle.mask, -distance, distance).astype(np.float32)


def outline_distance(ny: int, nx: int, outline: np.ndarray) -> np.ndarray:
    """Distance from each cell centre to the closed polygon ``outline`` (``(n, 2)`` of ``(x, y)``)."""
    vertices = np.asarray(outline, dtype=np.float64)
    y, x = np.mgrid[:ny, :nx].astype(np.float64)
    best = np.full((ny, nx), np.inf)
    for (x1, y1), (x2, y2) in zip(vertices, np.roll(vertices, -1, axis=0)):
        ex, ey = x2 - x1, y2 - y1
        length2 = ex * ex + ey * ey
        t = np.zeros_like(x) if length2 == 0 else np.clip(((x - x1) * ex + (y - y1) * ey) / length2, 0.0, 1.0)
        np.minimum(best, np.hypot(x - (x1 + t * ex), y - (y1 + t * ey)), out=best)
    return best
