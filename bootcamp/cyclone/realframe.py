"""One real HURSAT-B1 frame shipped with the package: :func:`real_frame`.

The lessons' images are generated (see :mod:`bootcamp.cyclone.synth`); this
is one real infrared frame to set beside them, with no download::

    from bootcamp.cyclone import real_frame
    frame = real_frame()
    plt.imshow(frame.irwin, extent=frame.extent, cmap="gray_r")   # north-up map, cold cloud white
    plt.plot(frame.lon, frame.lat, "r+")                            # the best-track centre

It is storm ADELINE (IBTrACS SID 2005092S11102, South Indian Ocean,
south-west of Sumatra), seen by GOES-9 in the 12Z slot of 2005-04-01
(viewing angle 61.6 degrees), best-track wind 13.2 kt: a weak system at that
time (class NC), not a hurricane. From NOAA NCEI's HURSAT-B1 v06 (public
domain; Knapp & Kossin 2007); the file was published as ``test.nc`` in the
GitHub repository engrodawood/deep-Phurie.

The shipped ``data/hursat_real_frame.npz`` is derived from that netCDF file
by :func:`build`, through the package's own reader
(:func:`bootcamp.data.hursat.read_file`, which turns it north-up): the
IRWIN brightness temperatures as uint16 in 0.01 K (0 = missing), the row
latitudes and column longitudes, the time, storm, SID, wind, satellite,
viewing angle and a provenance string. Anyone holding the netCDF file can
check it::

    python -m bootcamp.cyclone.realframe --check hursat-b1-v06-ADELINE-2005092S11102-GOES-9-20050401-12Z.nc
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bootcamp.data.hursat import IRFrame

NPZ = Path(__file__).resolve().parent / "data" / "hursat_real_frame.npz"
SOURCE_NAME = "hursat-b1-v06-ADELINE-2005092S11102-GOES-9-20050401-12Z.nc"
SOURCE_SHA256 = "0c719d362cd33ee7540a7be84fdf18eb4deb57eee5f823f294f434e8e3b00f9d"
CENTIKELVIN = 100.0            # irwin_cK = round(kelvin * 100); 0 = missing
PROVENANCE = ("HURSAT-B1 v06, NOAA NCEI (public domain; cite K. R. Knapp and J. P. Kossin, J. Appl. Remote "
              "Sens. 1, 013505, 2007). One frame: storm {storm} (IBTrACS SID {sid}), satellite {satellite}, "
              "slot {time}Z, IRWIN (10.2-11.4 um) brightness temperature turned north-up. Derived by "
              "bootcamp.cyclone.realframe.build from {source} (sha256 {sha256}), published as test.nc in the "
              "GitHub repository engrodawood/deep-Phurie (its original HURSAT file name is lost).")


@dataclass(frozen=True)
class RealFrame(IRFrame):
    """An :class:`~bootcamp.data.hursat.IRFrame` (north-up; see there) and where it came from."""

    provenance: str = ""


def _arrays(frame: IRFrame, source: Path) -> dict[str, np.ndarray]:
    """The npz content of one frame read by the package's reader."""
    kelvin = np.asarray(frame.irwin, dtype=np.float64)
    if np.nanmax(kelvin) * CENTIKELVIN >= np.iinfo(np.uint16).max:
        raise ValueError(f"{source.name}: brightness temperature above 655 K cannot be stored as uint16 cK")
    centikelvin = np.where(np.isfinite(kelvin), np.round(kelvin * CENTIKELVIN), 0).astype(np.uint16)
    sha256 = hashlib.sha256(source.read_bytes()).hexdigest()
    text = {"storm": frame.storm, "sid": frame.sid, "satellite": frame.satellite, "channel": "IRWIN",
            "source_file": source.name, "source_sha256": sha256,
            "provenance": PROVENANCE.format(storm=frame.storm, sid=frame.sid, satellite=frame.satellite,
                                            time=str(frame.time)[:13], source=source.name, sha256=sha256)}
    return {"irwin_cK": centikelvin, "lat": np.asarray(frame.lats, np.float32),
            "lon": np.asarray(frame.lons, np.float32), "time": np.array(frame.time, dtype="datetime64[s]"),
            "wind_kt": np.array(frame.wind_kt, np.float32), "centre_lat": np.array(frame.lat, np.float32),
            "centre_lon": np.array(frame.lon, np.float32), "vza": np.array(frame.vza, np.float32),
            **{key: np.array(value, dtype=str) for key, value in text.items()}}


def build(source: Path | str, out: Path | str = NPZ) -> Path:
    """Write the npz of the frame in netCDF file ``source`` (read with
    :func:`bootcamp.data.hursat.read_file`, so north-up and with bad pixels
    missing) to ``out`` (default: the shipped file); returns ``out``."""
    from bootcamp.data.hursat import read_file

    source, out = Path(source), Path(out)
    frames = read_file(source)
    if len(frames) != 1:
        raise ValueError(f"{source.name}: holds {len(frames)} frames, one expected")
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **_arrays(frames[0], source))
    return out


def differences(source: Path | str, npz: Path | str = NPZ) -> list[str]:
    """What differs between the npz and what :func:`build` makes of ``source``
    now (the zip's bytes carry timestamps, so the arrays are compared); [] when
    they agree."""
    from bootcamp.data.hursat import read_file

    source = Path(source)
    expected = _arrays(read_file(source)[0], source)
    with np.load(npz, allow_pickle=False) as stored:
        found = {key: stored[key] for key in stored.files}
    problems = [f"{key}: missing" for key in expected if key not in found]
    problems += [f"{key}: not expected" for key in found if key not in expected]
    for key in expected.keys() & found.keys():
        a, b = expected[key], found[key]
        if a.dtype != b.dtype or a.shape != b.shape or not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
            problems.append(f"{key}: differs ({b.dtype}{list(b.shape)} stored, {a.dtype}{list(a.shape)} made)")
    return sorted(problems)


def real_frame(path: Path | str = NPZ) -> RealFrame:
    """The real HURSAT-B1 frame shipped with the package, north-up.

    Returns a :class:`RealFrame`, an :class:`~bootcamp.data.hursat.IRFrame`
    like those :func:`bootcamp.data.hursat.read_file` gives, plus its
    ``provenance``:

    * ``irwin``: (301, 301) float32 brightness temperature in kelvin, NaN where
      missing; row 0 is the NORTHERNMOST row, column 0 the westernmost;
    * ``lats`` (301,), decreasing, and ``lons`` (301,), increasing: the
      latitude of each row and the longitude of each column (degrees);
      ``extent``: (west, east, south, north) for ``imshow``;
    * ``lat``, ``lon``: the best-track storm centre; ``wind_kt``: the
      best-track wind (kt); ``time``: the nominal slot (datetime64[s]);
    * ``storm``, ``sid``, ``satellite``, ``vza`` (viewing angle, degrees).

    Read without pickle; nothing is downloaded.
    """
    path = Path(path)
    with np.load(path, allow_pickle=False) as npz:
        centikelvin = npz["irwin_cK"]
        kelvin = np.where(centikelvin > 0, centikelvin / CENTIKELVIN, np.nan).astype(np.float32)
        text = {key: str(npz[key]) for key in ("storm", "sid", "satellite", "channel", "provenance")}
        return RealFrame(time=np.datetime64(npz["time"][()], "s"), satellite=text["satellite"],
                         lat=float(npz["centre_lat"]), lon=float(npz["centre_lon"]), irwin=kelvin, path=path,
                         lats=npz["lat"].astype(np.float32), lons=npz["lon"].astype(np.float32),
                         wind_kt=float(npz["wind_kt"]), sid=text["sid"], storm=text["storm"],
                         vza=float(npz["vza"]), channels=(text["channel"],), provenance=text["provenance"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bootcamp.cyclone.realframe",
                                     description="Make (or check) the shipped real HURSAT-B1 frame from its "
                                                 f"netCDF file, {SOURCE_NAME}.")
    parser.add_argument("source", type=Path, help="the HURSAT-B1 netCDF file")
    parser.add_argument("--out", type=Path, default=NPZ, help=f"where to write the npz (default {NPZ})")
    parser.add_argument("--check", action="store_true", help="compare with the npz instead of writing it")
    args = parser.parse_args(argv)
    sha256 = hashlib.sha256(args.source.read_bytes()).hexdigest()
    if sha256 != SOURCE_SHA256:
        print(f"note: {args.source.name} has sha256 {sha256}, not the shipped frame's source {SOURCE_SHA256}")
    if args.check:
        problems = differences(args.source, args.out)
        for problem in problems:
            print(f"differs: {problem}")
        print(f"{args.out}: {'differs from' if problems else 'agrees with'} {args.source.name}")
        return 1 if problems else 0
    print(f"wrote {build(args.source, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
