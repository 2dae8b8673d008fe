"""Safe extraction of tar archives (HURSAT-B1 ships one .tar.gz per storm)."""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from pathlib import Path

from bootcamp.data.errors import VerificationError

MAX_MEMBER_BYTES = 512 * 2**20      # one netCDF frame is a few MB
MAX_TOTAL_BYTES = 8 * 2**30
MAX_MEMBERS = 20_000


def check_members(tar: tarfile.TarFile, *, max_member: int, max_total: int, max_members: int) -> list:
    """Refuse anything but regular files and folders inside the target."""
    members = tar.getmembers()
    if len(members) > max_members:
        raise VerificationError(f"archive has {len(members):,} members (limit {max_members:,})")
    total = 0
    for m in members:
        name = m.name
        parts = Path(name).parts
        if name.startswith(("/", "\\")) or os.path.isabs(name) or ".." in parts or (parts and ":" in parts[0]):
            raise VerificationError(f"archive member {name!r} would be written outside the target folder")
        if m.issym() or m.islnk():
            raise VerificationError(f"archive member {name!r} is a link ({m.linkname!r}); links are refused")
        if not (m.isfile() or m.isdir()):
            raise VerificationError(f"archive member {name!r} is a device, pipe or other special file")
        if m.size > max_member:
            raise VerificationError(f"archive member {name!r} claims {m.size:,} bytes (limit {max_member:,})")
        total += m.size
        if total > max_total:
            raise VerificationError(f"archive would unpack to over {max_total:,} bytes")
    return members


def safe_extract(archive: Path, target: Path, *, max_member: int = MAX_MEMBER_BYTES,
                 max_total: int = MAX_TOTAL_BYTES, max_members: int = MAX_MEMBERS) -> list[Path]:
    """Extract ``archive`` into ``target`` (created) and return the files.

    Everything is checked before anything is written; extraction goes to a
    temporary folder beside ``target`` that is renamed on success, so a
    refused or broken archive leaves nothing behind.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        tar = tarfile.open(archive, "r:*")
    except (tarfile.TarError, OSError, EOFError) as err:
        raise VerificationError(f"{Path(archive).name}: not a readable tar archive ({err})") from None
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        with tar:
            check_members(tar, max_member=max_member, max_total=max_total, max_members=max_members)
            tar.extractall(tmp, filter="data")
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except (tarfile.TarError, OSError, EOFError) as err:
        raise VerificationError(f"{Path(archive).name}: extraction failed ({err})") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return sorted(p for p in target.rglob("*") if p.is_file())
