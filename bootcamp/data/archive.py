"""Safe extraction of tar archives (HURSAT-B1 ships one ``.tar.gz`` per storm).

Every member is checked before anything is written. Refused: names that are
absolute or climb out of the target (``..``), links of any kind (the
archives we read hold only files and folders, so no link is needed and none
can point outside), device files, FIFOs and other special members, and
absurd sizes (per member, in total, and too many members; see
:class:`Limits`). Files are then written one by one into a temporary folder
beside the target, which is renamed into place only when all went well.
"""

from __future__ import annotations

import os
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bootcamp.data.errors import VerificationError
from bootcamp.data.files import publish_mode

_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Limits:
    """What an archive may hold; pass your own to :func:`safe_extract`."""

    max_member_bytes: int = 1 << 30        # one HURSAT-B1 frame is well under 1 MB
    max_total_bytes: int = 16 << 30
    max_members: int = 50_000


DEFAULT_LIMITS = Limits()


def _check_name(name: str) -> None:
    posix = name.replace("\\", "/")
    parts = PurePosixPath(posix).parts
    if not name or "\x00" in name:
        raise VerificationError(f"archive member {name!r} has an empty or invalid name")
    if posix.startswith("/") or _DRIVE.match(posix):
        raise VerificationError(f"archive member {name!r} has an absolute path: it would be written outside "
                                "the target folder")
    if ".." in parts:
        raise VerificationError(f"archive member {name!r} climbs out with '..': it would be written outside "
                                "the target folder")


def _check_member(member: tarfile.TarInfo, limits: Limits) -> None:
    _check_name(member.name)
    if member.issym() or member.islnk():
        raise VerificationError(f"archive member {member.name!r} is a link to {member.linkname!r}: "
                                "links are refused")
    if not (member.isfile() or member.isdir()):
        raise VerificationError(f"archive member {member.name!r} is a device, FIFO or other special file: refused")
    if member.size > limits.max_member_bytes:
        raise VerificationError(f"archive member {member.name!r} claims {member.size:,} bytes "
                                f"(limit {limits.max_member_bytes:,})")


def check_members(tar: tarfile.TarFile, limits: Limits = DEFAULT_LIMITS) -> list[tarfile.TarInfo]:
    """All members of an open archive, each checked; raises VerificationError."""
    members = []
    total = 0
    for member in tar:                       # iterating stops early on a huge member list
        members.append(member)
        if len(members) > limits.max_members:
            raise VerificationError(f"archive has more than {limits.max_members:,} members")
        _check_member(member, limits)
        total += member.size
        if total > limits.max_total_bytes:
            raise VerificationError(f"archive would unpack to over {limits.max_total_bytes:,} bytes")
    return members


def _open(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, "r:*")
    except (tarfile.TarError, OSError, EOFError) as err:
        raise VerificationError(f"{archive.name}: not a readable tar archive ({err})") from None


def inspect(archive: Path | str, limits: Limits = DEFAULT_LIMITS) -> list[tarfile.TarInfo]:
    """Check an archive without extracting it; return its members."""
    archive = Path(archive)
    try:
        with _open(archive) as tar:
            return check_members(tar, limits)
    except (tarfile.TarError, OSError, EOFError) as err:
        raise VerificationError(f"{archive.name}: damaged or incomplete archive ({err})") from None


def _write_members(tar: tarfile.TarFile, members: list[tarfile.TarInfo], root: Path) -> None:
    resolved_root = root.resolve()
    for member in members:
        dest = root / member.name.replace("\\", "/")
        if not dest.resolve().is_relative_to(resolved_root):        # belt and braces
            raise VerificationError(f"archive member {member.name!r} would be written outside the target")
        if member.isdir():
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(member)
        if source is None:
            raise VerificationError(f"archive member {member.name!r} cannot be read")
        try:
            with source, open(dest, "xb") as out:       # "x": a repeated name is refused, never overwritten
                shutil.copyfileobj(source, out, 1 << 20)
        except FileExistsError:
            raise VerificationError(f"archive member {member.name!r} appears twice") from None


def safe_extract(archive: Path | str, target: Path | str, *, limits: Limits = DEFAULT_LIMITS) -> list[Path]:
    """Extract ``archive`` into the folder ``target`` (replaced if it exists)
    and return the files written, sorted. Raises VerificationError and
    leaves nothing behind when the archive is refused or broken."""
    archive, target = Path(archive), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".unpack", dir=target.parent))
    try:
        with _open(archive) as tar:
            members = check_members(tar, limits)
            _write_members(tar, members, staging)
        publish_mode(staging, folder=True)              # mkdtemp made it private
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except (tarfile.TarError, OSError, EOFError) as err:
        raise VerificationError(f"{archive.name}: extraction failed ({err})") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return sorted(p for p in target.rglob("*") if p.is_file())
