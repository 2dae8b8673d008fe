"""One interface to the cyclone frames, labelled from HURDAT2, and the split.

:func:`frames` returns storm-centred infrared images with their labels and
metadata, from one of two sources:

* ``"synthetic"`` (the default, offline and in CI): images **generated** by
  :mod:`bootcamp.cyclone.synth` from the intensity of REAL best-track storms.
  The storms, their lives, the class imbalance and the frame-to-frame
  correlation are real; the pictures are not.
* ``"hursat"``: real HURSAT-B1 infrared frames of the storms whose archives
  were fetched or imported (:mod:`bootcamp.data.hursat`), matched to the
  best track by storm name, season and time.

Labels come from the best track in both cases: the intensity at a frame's
time is interpolated linearly in time between the storm's two neighbouring
6-hourly fixes (:func:`bootcamp.cyclone.tracks.interpolate_track`), then
binned into the eight intensity classes (NC, TD, TS and the Saffir-Simpson
hurricane categories H1-H5). A real storm that HURDAT2 (Atlantic) does not
hold is labelled from the best track each HURSAT-B1 frame carries
(IBTrACS); ``Frames.label_source`` says which, frame by frame.

Every lesson uses the same settings, kept here: the seasons, the frame
interval, the image size and crop, the generator's seed, the seasons locked
away for the competition and the storm-wise split with its fixed seed.
Change them here, never in one notebook.

The locked seasons (:data:`LOCKED_SEASONS`) are whole seasons that lessons
1-5 never see: :func:`unlocked_frames` and :func:`standard` leave them out,
and only the competition (05_cyclone_6) opens them, through
:func:`load_locked_set` (``tests/test_honesty.py`` checks that no other
lesson calls it).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import zlib
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from bootcamp.config import choose
from bootcamp.cyclone import synth
from bootcamp.cyclone.preprocess import resize_stack
from bootcamp.cyclone.tracks import interpolate_track
from bootcamp.data.hurdat2 import CLASSES, load_hurdat2, saffir_simpson_class

# ------------------------------------------------------------ shared settings
HOURS = 3.0                 # one frame every 3 h, as HURSAT-B1
PIXELS = 64                 # images are PIXELS x PIXELS ...
EXTENT_KM = 800.0           # ... covering EXTENT_KM across, centred on the storm (12.5 km per pixel)
CROP = 56                   # the network sees a CROP x CROP window (random in training, central otherwise)
SEED = 2018                 # the generator's seed
SPLIT_SEED = 86             # the storm-wise split's seed: of seeds 0..99, the only one that gives every set
                            # at least 40% of its fair share of every class, in both modes, once the locked
                            # seasons are left out (chosen on the labels only, before any model was trained)
FRACTIONS = (0.7, 0.15, 0.15)
QUICK_SEASONS = (2014, 2018)       # also the seasons of the excerpt shipped with the package
FULL_SEASONS = (1999, 2018)        # Pradhan et al. used 1999-2014
# Whole seasons locked away for the competition: one early, one middle, one late in the full-mode
# period, fixed before any model was trained. 2003 gives the full-mode locked set category-5 frames;
# 2015 is the one inside the quick-mode seasons, and of those the one whose removal leaves every
# class (category 5 included) in every part of the split.
LOCKED_SEASONS = (2003, 2010, 2015)
LOOK = 4                    # consecutive frames sharing one random look (see render_storm)
HURSAT_KM_PER_PIXEL = 8.0          # HURSAT-B1 grid spacing, about 0.07 degrees
# statuses kept: tropical and subtropical systems and their precursors; the
# extratropical stage (EX) no longer looks like what the Dvorak technique reads
TROPICAL = ("TD", "TS", "HU", "SD", "SS", "LO", "WV", "DB")
N_CLASSES = len(CLASSES)
LABEL_SOURCES = ("hurdat2", "hursat-best-track")   # where a frame's label came from (Frames.label_source)


SOURCE_ENV = "BOOTCAMP_CYCLONE_SOURCE"   # "synthetic" (default) or "hursat": the lessons' image source


def default_source() -> str:
    """The image source the lessons use: ``$BOOTCAMP_CYCLONE_SOURCE``, else "synthetic"."""
    return os.environ.get(SOURCE_ENV, "").strip().lower() or "synthetic"


def seasons() -> tuple[int, int]:
    """The seasons every lesson uses: 2014-2018 in quick mode, 1999-2018 in full mode."""
    return choose(full=FULL_SEASONS, quick=QUICK_SEASONS)


# ------------------------------------------------------------ the frames
@dataclass(frozen=True)
class Frames:
    """Images and, per image, its label and best-track metadata."""

    images: np.ndarray        # (N, H, W) float32 brightness temperature, kelvin
    labels: np.ndarray        # (N,) int64 intensity class, an index into CLASSES
    wind_kt: np.ndarray       # (N,) float, best-track wind interpolated to the frame time
    storm_id: np.ndarray      # (N,) str, HURDAT2 id, e.g. AL092017
    name: np.ndarray          # (N,) str, storm name
    time: np.ndarray          # (N,) datetime64[s]
    lat: np.ndarray           # (N,) float, degrees north
    lon: np.ndarray           # (N,) float, degrees east
    source: str = "synthetic"
    # (N,) str, one of LABEL_SOURCES: "hurdat2" (the default: every synthetic frame and the real frames
    # of storms in HURDAT2) or "hursat-best-track" (a real storm HURDAT2 does not hold, labelled from the
    # best track in its HURSAT-B1 files); storm_id is then the IBTrACS SID, e.g. 2005092S11102
    label_source: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.label_source is None:
            object.__setattr__(self, "label_source", np.full(len(self.labels), LABEL_SOURCES[0]))

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, which) -> Frames:
        """The frames selected by a boolean mask or an index array."""
        which = np.asarray(which)
        values = {f.name: getattr(self, f.name)[which] for f in fields(self) if f.name != "source"}
        return Frames(**values, source=self.source)

    @property
    def storms(self) -> np.ndarray:
        return np.unique(self.storm_id)

    def class_counts(self) -> np.ndarray:
        return np.bincount(self.labels, minlength=N_CLASSES)

    @property
    def seasons(self) -> np.ndarray:
        """The season of each frame's storm (see :func:`season_of`)."""
        return season_of(self.storm_id)

    def table(self) -> pd.DataFrame:
        """The metadata as a table (no images)."""
        return pd.DataFrame({"storm_id": self.storm_id, "name": self.name, "time": self.time, "lat": self.lat,
                             "lon": self.lon, "wind_kt": self.wind_kt,
                             "label": np.asarray(CLASSES)[self.labels]})


def join(*parts: Frames) -> Frames:
    """One Frames holding the frames of ``parts``, in order."""
    if not parts:
        raise ValueError("nothing to join")
    values = {f.name: np.concatenate([getattr(p, f.name) for p in parts])
              for f in fields(Frames) if f.name != "source"}
    return Frames(**values, source=parts[0].source)


_IBTRACS_SID = re.compile(r"(\d{4})\d{3}[NS]\d{5}")


def season_of(storm_ids) -> np.ndarray:
    """The season of each storm: the year in its HURDAT2 id (AL112017 is the
    eleventh storm of 2017), or the year an IBTrACS SID starts with (the
    storms HURDAT2 does not hold: 2005092S11102 began in 2005)."""
    ids = np.asarray(storm_ids, dtype=str)
    unique, inverse = np.unique(ids, return_inverse=True)
    years = np.empty(len(unique), dtype=int)
    for k, storm_id in enumerate(unique):
        sid = _IBTRACS_SID.fullmatch(storm_id)
        if sid:
            years[k] = int(sid[1])
        elif len(storm_id) >= 4 and storm_id[-4:].isdigit():
            years[k] = int(storm_id[-4:])
        else:
            raise ValueError(f"not a HURDAT2 storm id (basin, number, year, e.g. AL112017) nor an IBTrACS SID "
                             f"(e.g. 2005092S11102): {storm_id!r}")
    return years[np.ravel(inverse)]


def locked_seasons() -> tuple[int, ...]:
    """The locked seasons among :func:`seasons`, the ones the run mode's data hold."""
    first, last = seasons()
    return tuple(s for s in LOCKED_SEASONS if first <= s <= last)


def in_locked_season(storm_ids) -> np.ndarray:
    """True for each storm of a locked season (:data:`LOCKED_SEASONS`)."""
    return np.isin(season_of(storm_ids), LOCKED_SEASONS)


def best_track(table: pd.DataFrame | None = None, season_range: tuple[int, int] | None = None) -> pd.DataFrame:
    """The best-track fixes of the storms that started in ``season_range``
    (default :func:`seasons`), with a known wind."""
    table = load_hurdat2(allow_fallback=True) if table is None else table
    first, last = season_range or seasons()
    start = table.groupby("storm_id")["time"].transform("min").dt.year
    keep = (start >= first) & (start <= last) & table["wind_kt"].notna()
    return table[keep].reset_index(drop=True)


def frame_table(track_table: pd.DataFrame, hours: float = HOURS) -> pd.DataFrame:
    """Frame times every ``hours`` along each storm, with the best-track
    intensity and position interpolated linearly in time between fixes.

    A frame is kept when the fix at or before it is tropical (status in
    :data:`TROPICAL`); nothing is extrapolated beyond a storm's first and last fix.
    """
    parts = []
    for storm_id, track in track_table.groupby("storm_id", sort=True):
        track = track.sort_values("time").drop_duplicates("time")
        if len(track) < 2:
            continue
        start = track["time"].min().ceil(f"{int(hours * 60)}min")
        times = pd.date_range(start, track["time"].max(), freq=pd.Timedelta(hours=hours))
        frame = interpolate_track(track, times)
        if frame.empty:
            continue
        previous = np.searchsorted(track["time"].to_numpy(), frame["time"].to_numpy(), side="right") - 1
        frame["status"] = track["status"].to_numpy()[previous]
        frame["name"] = track["name"].iloc[0]
        parts.append(frame[frame["status"].isin(TROPICAL)])
    table = pd.concat(parts, ignore_index=True)
    table["label"] = saffir_simpson_class(table["wind_kt"].to_numpy())
    return table


def storm_seed(seed: int, storm_id: str) -> int:
    """A stable seed per storm: the same storm gets the same images on every machine."""
    return int(np.random.SeedSequence([seed, zlib.crc32(storm_id.encode())]).generate_state(1)[0])


def render_storm(winds, lats, *, seed: int, pixels: int = PIXELS, extent_km: float = EXTENT_KM,
                 frames_per_look: int = LOOK) -> np.ndarray:
    """Synthetic images of one storm's life, correlated as real frames are.

    The storm keeps its size, its shear drifts slowly, and consecutive frames
    share their random draws (orientation, band pattern, cloud texture) in
    runs of ``frames_per_look`` (12 h at the default 3-hourly frames): within
    a run, frames differ only as the intensity and shear change, like real
    satellite frames hours apart. A new run draws a new look.
    """
    winds = np.asarray(winds, dtype=np.float32)
    lats = np.asarray(lats, dtype=np.float32)
    n = len(winds)
    rng = np.random.default_rng(seed)
    size = rng.lognormal(0.0, 0.18)
    walk = np.cumsum(rng.normal(0.0, 1.0, (2, n)), axis=1) / np.sqrt(max(n, 1))
    shear = np.clip(rng.uniform(0.15, 0.85) + 0.25 * walk[0], 0.05, 0.95)
    shear_dir = rng.uniform(0, 2 * np.pi) + 1.5 * walk[1]
    out = np.empty((n, pixels, pixels), dtype=np.float32)
    for i in range(n):
        frame = synth.Frame(float(winds[i]), float(lats[i]), float(shear_dir[i]), float(shear[i]), float(size))
        look = np.random.default_rng([seed, i // frames_per_look])
        out[i] = synth.render(frame, pixels=pixels, extent_km=extent_km, rng=look)
    return out


def _synthetic_images(table: pd.DataFrame, seed: int, pixels: int) -> np.ndarray:
    images = np.empty((len(table), pixels, pixels), dtype=np.float32)
    for storm_id, rows in table.groupby("storm_id", sort=False).indices.items():
        images[rows] = render_storm(table["wind_kt"].to_numpy()[rows], table["lat"].to_numpy()[rows],
                                    seed=storm_seed(seed, storm_id), pixels=pixels)
    return images


def _as_frames(table: pd.DataFrame, images: np.ndarray, source: str) -> Frames:
    return Frames(images=images, labels=table["label"].to_numpy(np.int64),
                  wind_kt=table["wind_kt"].to_numpy(float), storm_id=table["storm_id"].to_numpy(str),
                  name=table["name"].to_numpy(str), time=table["time"].to_numpy("datetime64[s]"),
                  lat=table["lat"].to_numpy(float), lon=table["lon"].to_numpy(float), source=source,
                  label_source=table["label_source"].to_numpy(str) if "label_source" in table else None)


def _images_key(table: pd.DataFrame, seed: int, pixels: int) -> str:
    """A hash of everything the generated images depend on: the frames (storm,
    wind, latitude, in order), the seed, the size, the generator's code and
    NumPy's version (its random streams)."""
    from bootcamp.saved import code_version, fingerprint

    frames = fingerprint(table["storm_id"].to_numpy(str).astype("U"), table["wind_kt"].to_numpy(np.float64),
                         table["lat"].to_numpy(np.float64))
    code = sorted(code_version((synth, render_storm, _synthetic_images, storm_seed)).items())
    what = f"{frames}|{seed}|{pixels}|{EXTENT_KM}|{LOOK}|{np.__version__}|{code}"
    return hashlib.sha256(what.encode()).hexdigest()[:16]


def _cached_synthetic_images(table: pd.DataFrame, seed: int, pixels: int) -> np.ndarray:
    """:func:`_synthetic_images`, kept in the data cache (``<cache>/cyclone-frames``)
    so that each lesson does not draw the same thousands of images again: the
    file is named by :func:`_images_key`, written under a temporary name and
    renamed into place (atomic), and drawn again when missing or unreadable."""
    from bootcamp.data.files import replacing
    from bootcamp.data.settings import cache_dir

    folder = cache_dir() / "cyclone-frames"
    path = folder / f"synthetic-{_images_key(table, seed, pixels)}.npy"
    try:
        images = np.load(path, allow_pickle=False)
        if images.shape == (len(table), pixels, pixels) and images.dtype == np.float32:
            return images
    except (OSError, ValueError):
        pass
    images = _synthetic_images(table, seed, pixels)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with replacing(path) as temporary, open(temporary, "wb") as handle:
            np.save(handle, images, allow_pickle=False)
    except OSError:                           # a read-only or full cache: draw them again next time
        pass
    return images


@functools.lru_cache(maxsize=4)
def _default_synthetic(season_range: tuple[int, int], hours: float, pixels: int, seed: int) -> Frames:
    table = frame_table(best_track(None, season_range), hours)
    return _as_frames(table, _cached_synthetic_images(table, seed, pixels), "synthetic")


def frames(source: str | None = None, *, season_range: tuple[int, int] | None = None, hours: float = HOURS,
           pixels: int = PIXELS, seed: int = SEED, track_table: pd.DataFrame | None = None,
           archives: list[Path] | None = None) -> Frames:
    """The labelled frames of every storm of ``season_range`` (default :func:`seasons`).

    ``source`` defaults to :func:`default_source`. ``"synthetic"``: one
    generated image every ``hours`` along each storm's best track,
    deterministic for ``seed``. ``"hursat"``: the
    real HURSAT-B1 frames in ``archives`` (default: every archive in the
    cache), matched to the best track; see :func:`hursat_frames`.
    ``track_table`` replaces the HURDAT2 table (tests, other basins).
    Images are brightness temperatures in kelvin, ``pixels`` square,
    :data:`EXTENT_KM` across.
    """
    season_range = tuple(season_range or seasons())
    source = source or default_source()
    if source == "synthetic":
        if track_table is None:
            result = _default_synthetic(season_range, float(hours), int(pixels), int(seed))
            return result.subset(np.arange(len(result)))          # a copy: callers may modify theirs
        table = frame_table(best_track(track_table, season_range), hours)
        return _as_frames(table, _synthetic_images(table, seed, pixels), "synthetic")
    if source == "hursat":
        return hursat_frames(archives, track_table=track_table, pixels=pixels)
    raise ValueError(f"source must be 'synthetic' or 'hursat', got {source!r}")


# ------------------------------------------------------------ real frames
def prepare_hursat_image(irwin: np.ndarray, pixels: int = PIXELS, extent_km: float = EXTENT_KM,
                         km_per_pixel: float = HURSAT_KM_PER_PIXEL, max_missing: float = 0.01) -> np.ndarray | None:
    """A HURSAT-B1 IRWIN grid cut to the lessons' window: the central
    ``extent_km`` (about 100 of its 301 pixels), shrunk with INTER_AREA to
    ``pixels``. Missing pixels are NaN ones and any below the physical floor
    (:data:`bootcamp.data.hursat.MIN_KELVIN`, 150 K: bad pixels, never cloud).
    None when more than ``max_missing`` of the window is missing; fewer missing
    pixels are filled with the window's median, so the result is always finite
    and physical. The orientation is kept (the reader gives frames north-up)."""
    from bootcamp.data.hursat import MIN_KELVIN

    irwin = np.asarray(irwin, dtype=np.float32)
    side = min(int(round(extent_km / km_per_pixel)), *irwin.shape)
    top, left = (irwin.shape[0] - side) // 2, (irwin.shape[1] - side) // 2
    window = irwin[top:top + side, left:left + side].copy()
    missing = ~(window >= MIN_KELVIN)                                 # NaN and bad pixels alike
    if missing.mean() > max_missing:
        return None
    if missing.any():
        window[missing] = np.median(window[~missing])
    return resize_stack(window[None], pixels)[0]


def _hursat_storm(track_table: pd.DataFrame, year: int, name: str, times: np.ndarray) -> str | None:
    """The HURDAT2 storm of this season and name whose life covers the frames."""
    start_year = track_table.groupby("storm_id")["time"].transform("min").dt.year
    candidates = track_table[(start_year == year) & (track_table["name"].str.upper() == name.upper())]
    best, overlap = None, 0
    for storm_id, track in candidates.groupby("storm_id"):
        inside = ((times >= track["time"].min().to_datetime64()) & (times <= track["time"].max().to_datetime64()))
        if inside.sum() > overlap:
            best, overlap = storm_id, int(inside.sum())
    return best


def _best_views(archive: Path, pixels: int) -> list[tuple[object, np.ndarray]]:
    """Per time slot, the frame with the lowest view zenith angle whose
    window is usable (else the next lowest), with its prepared picture."""
    from bootcamp.data import hursat

    chosen = []
    for slot in hursat.iter_slots(archive):
        for frame in slot:
            picture = prepare_hursat_image(frame.irwin, pixels)
            if picture is not None:
                chosen.append((frame, picture))
                break
    return chosen


def _own_best_track(chosen: list, storm: str) -> pd.DataFrame:
    """The labels HURSAT-B1 carries in each frame: IBTrACS's wind and centre at the frame's time."""
    frames = [frame for frame, _ in chosen]
    return pd.DataFrame({"storm_id": [f.sid for f in frames], "time": pd.to_datetime([f.time for f in frames]),
                         "wind_kt": [f.wind_kt for f in frames], "lat": [f.lat for f in frames],
                         "lon": [f.lon for f in frames], "name": storm})


def hursat_frames(archives: list[Path] | None = None, *, track_table: pd.DataFrame | None = None,
                  pixels: int = PIXELS) -> Frames:
    """Real HURSAT-B1 frames, north-up, labelled from the best track.

    **One frame per time slot.** About four slots in five hold frames from
    two satellites: the one kept is the one with the lowest view zenith angle
    at the storm centre (``VZA``: least parallax and limb cooling, see
    :func:`bootcamp.data.hursat.one_per_slot`), unless more than 1 % of its
    window is missing, when the next lowest is taken (see
    :func:`prepare_hursat_image`; bad pixels below 150 K count as missing).

    **Labels.** A storm found in ``track_table`` (default: HURDAT2, the
    Atlantic) by season, name and time overlap is labelled from it, the
    intensity interpolated linearly in time between fixes as for the synthetic
    frames, and its frames outside the track are dropped
    (``label_source`` "hurdat2", ``storm_id`` its HURDAT2 id). Any other storm
    (eastern or western Pacific, Indian Ocean, southern hemisphere) is labelled
    from the best track HURSAT-B1 put in each frame, IBTrACS's ``WindSpd``,
    ``CentLat`` and ``CentLon`` at the frame's time (``label_source``
    "hursat-best-track", ``storm_id`` the IBTrACS SID, e.g. 2005092S11102);
    frames without a wind are dropped. Those winds are the responsible
    agency's: outside the Atlantic and eastern Pacific they may be 10-minute
    means, a little below HURDAT2's 1-minute winds.
    """
    from bootcamp.data import hursat

    archives = [Path(a) for a in (hursat.cached_archives() if archives is None else archives)]
    if not archives:
        raise FileNotFoundError(
            "no HURSAT-B1 archive in the cache: fetch storms with bootcamp.data.hursat.fetch_storm(year, name) "
            "or import archives you downloaded with `python -m data_scripts import hursat_b1 --from FILE` "
            "(see docs/cyclone.md)")
    track_table = load_hurdat2() if track_table is None else track_table
    tables, images = [], []
    for path in archives:
        meta = hursat.ArchiveName.parse(path.name)
        chosen = _best_views(path, pixels)
        if not chosen:
            continue
        pictures = {np.datetime64(frame.time, "s"): picture for frame, picture in chosen}
        times = np.array(list(pictures), dtype="datetime64[s]")
        storm_id = _hursat_storm(track_table, meta.year, meta.storm, times)
        if storm_id is not None:
            track = track_table[track_table["storm_id"] == storm_id]
            labelled = interpolate_track(track, pd.to_datetime(sorted(pictures)))
            labelled["name"] = track["name"].iloc[0]
            labelled["label_source"] = "hurdat2"
        else:
            labelled = _own_best_track(chosen, meta.storm)
            labelled["label_source"] = "hursat-best-track"
        labelled = labelled[np.isfinite(labelled["wind_kt"].to_numpy(float))
                            & (labelled["wind_kt"].to_numpy(float) >= 0)]
        if labelled.empty:
            continue
        tables.append(labelled)
        images.append(np.stack([pictures[t] for t in labelled["time"].to_numpy("datetime64[s]")]))
    if not tables:
        raise ValueError("none of the HURSAT-B1 archives gave a labelled frame (a HURDAT2 storm matched by "
                         "season, name and time, or the best-track wind in the frames themselves)")
    table = pd.concat(tables, ignore_index=True)
    table["label"] = saffir_simpson_class(table["wind_kt"].to_numpy())
    return _as_frames(table, np.concatenate(images).astype(np.float32), "hursat")


# ------------------------------------------------------------ the split
def split_storms(storm_ids, peak_wind, fractions=FRACTIONS, seed: int = SPLIT_SEED) -> list[np.ndarray]:
    """Storm-wise train/validation/test masks over frames, stratified by each
    storm's peak intensity.

    Storms are sorted by peak wind and dealt, in blocks of 20, 14/3/3 (for
    70/15/15) to the three sets in a random order within each block: every set
    gets weak and strong storms alike, and no storm is ever in two sets.
    """
    storm_ids = np.asarray(storm_ids)
    peaks = pd.Series(np.asarray(peak_wind, dtype=float)).groupby(storm_ids).max()
    rng = np.random.default_rng(seed)
    order = peaks.index.to_numpy()[np.lexsort((rng.random(len(peaks)), peaks.to_numpy()))]
    block = 20
    slots = np.repeat(np.arange(len(fractions)), np.round(np.asarray(fractions) * block).astype(int))
    if len(slots) != block:
        raise ValueError(f"fractions {fractions} must be multiples of 1/{block}")
    assignment = {}
    for start in range(0, len(order), block):
        members = order[start:start + block]
        dealt = rng.permutation(slots)[:len(members)]
        assignment.update(zip(members, dealt))
    which = np.array([assignment[s] for s in storm_ids]) if len(storm_ids) else np.array([], int)
    return [which == k for k in range(len(fractions))]


def split(data: Frames, seed: int = SPLIT_SEED) -> tuple[Frames, Frames, Frames]:
    """The lessons' train / validation / test frames: whole storms, stratified by peak intensity."""
    peak = pd.Series(data.wind_kt).groupby(data.storm_id).transform("max").to_numpy()
    masks = split_storms(data.storm_id, peak, seed=seed)
    return tuple(data.subset(m) for m in masks)


def unlocked_frames(source: str | None = None) -> Frames:
    """The frames of :func:`frames` with the shared settings, less the locked seasons: all
    that lessons 1-5 ever see."""
    data = frames(source)
    return data.subset(~in_locked_season(data.storm_id))


def standard(source: str | None = None) -> tuple[Frames, Frames, Frames]:
    """What lessons 2-6 start from: :func:`unlocked_frames`, then :func:`split`."""
    return split(unlocked_frames(source))


def load_locked_set(source: str | None = None) -> Frames:
    """The competition's locked storms: every frame of the :data:`LOCKED_SEASONS` within
    :func:`seasons`. Only the competition notebook (05_cyclone_6) calls this, once its entry
    is chosen; ``tests/test_honesty.py`` fails if any other lesson does."""
    data = frames(source)
    locked = data.subset(in_locked_season(data.storm_id))
    if not len(locked):
        raise ValueError(f"no frames of the locked seasons {LOCKED_SEASONS} among the {data.source} frames "
                         f"(seasons {'-'.join(map(str, seasons()))}); with real images, fetch or import the "
                         "HURSAT-B1 archives of those seasons too (docs/cyclone.md)")
    return locked
