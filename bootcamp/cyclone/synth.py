"""Storm-centred, IR-like brightness-temperature images made from intensity.

When no real satellite imagery (HURSAT-B1) can be had, the cyclone lessons
train on these. They are **synthetic**: a simple, physically motivated model
of what an infrared window channel shows, driven by real best-track fixes so
that class imbalance and the frame-to-frame correlation within a storm are
those of real storms. What the model encodes, following the Dvorak
technique's cues:

* a cold central dense overcast (CDO) whose cloud tops get colder and whose
  radius grows as the storm strengthens;
* an eye that appears near hurricane strength, then shrinks and warms (clears)
  as intensity rises;
* curved rain bands, logarithmic spirals winding in towards the centre
  (counter-clockwise inflow in the northern hemisphere, clockwise in the
  southern), more prominent in weaker, less organised storms;
* vertical-wind-shear asymmetry, displacing cold cloud to one side, strongest
  for weak systems;
* a warm ocean/clear-sky background, random orientation, cirrus texture and
  sensor noise;
* the surroundings: other cloud systems (monsoon troughs, scattered
  convection) over a random share of the frame, at a random height, most
  often around weak systems, whose centre is also less certain (the storm's
  pattern is displaced by tens of kilometres). This part is calibrated
  against one real frame (``bootcamp.cyclone.real_frame()``, a 13 kt system
  embedded in widespread cloud): the frame lies inside the spread of
  generated frames of its wind (``tests/cyclone/test_synth.py``). One frame
  shows that the range is wide enough, not that its distribution is right.

Neighbouring classes overlap on purpose: each image draws its own storm size,
cloud-top temperature and shear, so intensity is not a deterministic function
of any single pixel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

T_BACKGROUND = 295.0     # K, warm sea surface / clear sky
T_COLDEST = 185.0        # K, the coldest overshooting tops
# The surroundings (calibrated so the real 13 kt frame lies inside the generated spread, see the module doc):
ENVIRONMENT_BETA = (0.8, 1.0)       # share of the frame under other cloud ~ Beta(a, b) around a weak system,
ENVIRONMENT_DAMPING = 1.0           # times (1 - this x organisation): mature hurricanes have clearer surroundings
ENVIRONMENT_TOPS_K = (215.0, 275.0)  # cloud-top temperatures of the surroundings' deck (uniform)
ENVIRONMENT_DEEP_K = 35.0           # how much colder the tops of its deep convective cells are
CENTRE_SPREAD_KM = 30.0             # a weak system's pattern is off the best-track centre by N(0, this) per axis


@dataclass(frozen=True)
class Frame:
    """Intensity and geometry of one synthetic frame."""

    wind_kt: float
    lat: float = 20.0             # sign sets the hemisphere (rotation sense)
    shear_dir: float = 0.0        # radians, direction the convection is pushed
    shear: float = 0.5            # 0..1, strength of the asymmetry
    size: float = 1.0             # storm-size multiplier (small/large storms)
    environment: float | None = None   # 0..1, share of the frame under other cloud; None: drawn


def _smoothstep(x: np.ndarray | float, lo: float, hi: float):
    t = np.clip((np.asarray(x, dtype=np.float32) - lo) / (hi - lo), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _noise_field(rng: np.random.Generator, n: int, scale: int) -> np.ndarray:
    """Smooth random texture: coarse Gaussian noise upsampled bilinearly."""
    coarse = rng.standard_normal((n // scale + 2, n // scale + 2)).astype(np.float32)
    idx = np.arange(n, dtype=np.float32) / scale
    i0 = idx.astype(int)
    f = idx - i0
    rows = coarse[i0] * (1 - f)[:, None] + coarse[i0 + 1] * f[:, None]
    return rows[:, i0] * (1 - f)[None, :] + rows[:, i0 + 1] * f[None, :]


def render(frame: Frame, *, pixels: int = 64, extent_km: float = 800.0,
           rng: np.random.Generator | None = None) -> np.ndarray:
    """One brightness-temperature image (kelvin, float32, ``pixels`` square,
    ``extent_km`` across, centred on the storm)."""
    rng = rng or np.random.default_rng()
    v = float(np.clip(frame.wind_kt, 10.0, 185.0))
    half = extent_km / 2
    axis = np.linspace(-half, half, pixels, dtype=np.float32)
    x, y = np.meshgrid(axis, -axis)
    rotation = rng.uniform(0, 2 * np.pi)
    organisation = _smoothstep(v, 20, 100)          # 0: loose cluster, 1: mature hurricane
    # a weak system's best-track centre is uncertain by tens of km: its pattern sits off the image centre
    dx, dy = rng.normal(0, CENTRE_SPREAD_KM, size=2) * (1 - organisation)
    r = np.hypot(x - dx, y - dy)
    theta = np.arctan2(y - dy, x - dx) + rotation
    size = frame.size * rng.uniform(0.85, 1.15)
    cdo_radius = size * (35 + 115 * _smoothstep(v, 25, 130))             # km
    top_temp = T_COLDEST + 55 * (1 - _smoothstep(v, 20, 150)) + rng.normal(0, 4)

    # shear: push the cold cloud towards shear_dir, more for weak storms
    shear_amp = frame.shear * (1.0 - 0.8 * organisation)
    tilt = shear_amp * np.cos(theta - rotation - frame.shear_dir)
    cdo = np.exp(-((r / (cdo_radius * (1 + 0.5 * tilt))) ** 2.5))

    # spiral bands: log spirals, phase = theta -/+ ln(r)/tan(pitch)
    sense = 1.0 if frame.lat >= 0 else -1.0
    pitch = np.deg2rad(rng.uniform(12, 22))
    arms = int(rng.integers(2, 4))
    phase = arms * (sense * theta - np.log1p(r / 30.0) / np.tan(pitch)) + rng.uniform(0, 2 * np.pi)
    band_reach = size * (180 + 140 * organisation)
    bands = (0.5 + 0.5 * np.cos(phase)) ** 2 * np.exp(-((r / band_reach) ** 2)) * _smoothstep(r, 15, 60)
    band_weight = 0.8 - 0.3 * organisation
    # weak systems: scattered convective clusters rather than a clean pattern
    clusters = (np.clip(_noise_field(rng, pixels, 5), 0, None) * np.exp(-((r / (size * 220)) ** 2))
                * (1 - organisation))

    cloud = np.maximum.reduce([cdo, band_weight * bands, 0.9 * clusters])
    cloud = np.clip(cloud + 0.08 * _noise_field(rng, pixels, 3), 0, 1.1)
    image = T_BACKGROUND - (T_BACKGROUND - top_temp) * cloud

    # the eye: forms near 65 kt, shrinks and clears as the storm intensifies
    eye_strength = _smoothstep(v, 60, 110)
    if eye_strength > 0:
        eye_radius = size * (40 - 22 * _smoothstep(v, 70, 160)) * rng.uniform(0.8, 1.2)
        eye_temp = top_temp + (280 - top_temp) * (0.35 + 0.65 * _smoothstep(v, 80, 150))
        offset = rng.normal(0, 4, size=2) * (1 - organisation)
        eye = np.exp(-((np.hypot(x - offset[0], y - offset[1]) / eye_radius) ** 4))
        image = image + eye_strength * eye * np.clip(eye_temp - image, 0, None)

    coverage = _environment_coverage(rng, organisation) if frame.environment is None else frame.environment
    if coverage > 0:
        image = np.minimum(image, _surroundings(rng, pixels, coverage))      # the colder (higher) cloud shows

    image += 1.5 * _noise_field(rng, pixels, 2) + rng.normal(0, 0.8, size=image.shape)
    return np.clip(image, 170, 310).astype(np.float32)


def _environment_coverage(rng: np.random.Generator, organisation: float) -> float:
    """Share of the frame under other cloud: wide-ranging, largest around weak systems."""
    return float(rng.beta(*ENVIRONMENT_BETA) * (1 - ENVIRONMENT_DAMPING * organisation))


def _surroundings(rng: np.random.Generator, pixels: int, coverage: float) -> np.ndarray:
    """Brightness temperatures of the cloud around the storm: a deck of patches of ~100 km over
    ``coverage`` of the frame, its tops at one random height with their own texture, and deep
    convective cells (colder tops) in the thickest third of it; clear sky elsewhere."""
    field = _noise_field(rng, pixels, 8) + 0.35 * _noise_field(rng, pixels, 3)
    cloud = np.clip((field - np.quantile(field, 1 - coverage)) / 0.3, 0, 1)
    deep = np.clip((field - np.quantile(field, 1 - coverage / 3)) / 0.3, 0, 1)
    tops = rng.uniform(*ENVIRONMENT_TOPS_K) + 6 * _noise_field(rng, pixels, 4) - ENVIRONMENT_DEEP_K * deep
    return (T_BACKGROUND - (T_BACKGROUND - tops) * cloud).astype(np.float32)


def render_many(winds, *, lats=None, seed: int = 0, pixels: int = 64, extent_km: float = 800.0,
                shear=None, shear_dir=None, size=None, environment=None) -> np.ndarray:
    """A stack of images, one per wind speed; deterministic for a seed.

    Per-frame shear, shear direction and size may be given (e.g. drawn once
    per storm so a storm keeps its character); otherwise each is drawn here.
    ``environment`` (a share, or one per frame) fixes the cloud around the
    storm; by default each frame draws its own (0 leaves the storm alone).
    Image ``i`` depends only on ``(seed, i)`` and its own inputs.
    """
    winds = np.asarray(winds, dtype=np.float32)
    n = len(winds)
    root = np.random.SeedSequence(seed)
    draws = np.random.default_rng(root.spawn(1)[0])
    lats = np.full(n, 20.0) if lats is None else np.asarray(lats, dtype=np.float32)
    shear = draws.uniform(0.1, 0.9, n) if shear is None else np.asarray(shear, dtype=np.float32)
    shear_dir = draws.uniform(0, 2 * np.pi, n) if shear_dir is None else np.asarray(shear_dir)
    size = draws.lognormal(0, 0.15, n) if size is None else np.asarray(size, dtype=np.float32)
    environment = [None] * n if environment is None else np.broadcast_to(np.asarray(environment, float), (n,))
    out = np.empty((n, pixels, pixels), dtype=np.float32)
    for i, child in enumerate(np.random.SeedSequence([seed, 1]).spawn(n)):
        frame = Frame(float(winds[i]), float(lats[i]), float(shear_dir[i]), float(shear[i]), float(size[i]),
                      None if environment[i] is None else float(environment[i]))
        out[i] = render(frame, pixels=pixels, extent_km=extent_km, rng=np.random.default_rng(child))
    return out
