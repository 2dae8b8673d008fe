"""Safe extraction: escaping names, links, special files and absurd sizes are
refused before anything is written, and nothing lands outside the target."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from bootcamp.data.archive import Limits, inspect, safe_extract
from bootcamp.data.errors import VerificationError


def make_tar(path: Path, members: list[tuple[str, object]]) -> Path:
    """``(name, bytes)`` for a file, ``(name, (tar type, link target))`` otherwise."""
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members:
            info = tarfile.TarInfo(name)
            if isinstance(content, tuple):
                info.type, info.linkname = content
                tar.addfile(info)
            else:
                assert isinstance(content, bytes)
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return path


def everything_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.parametrize("member, why", [
    (("../evil.txt", b"x"), "climbs out"),
    (("a/../../evil.txt", b"x"), "climbs out"),
    (("/tmp/evil.txt", b"x"), "absolute path"),
    (("C:/evil.txt", b"x"), "absolute path"),
    (("link", (tarfile.SYMTYPE, "/etc/passwd")), "is a link"),
    (("link", (tarfile.SYMTYPE, "../../outside")), "is a link"),
    (("hard", (tarfile.LNKTYPE, "/etc/passwd")), "is a link"),
    (("dev", (tarfile.CHRTYPE, "")), "device, FIFO"),
    (("fifo", (tarfile.FIFOTYPE, "")), "device, FIFO"),
])
def test_dangerous_members_are_refused_and_nothing_is_written(tmp_path, member, why):
    work = tmp_path / "work"
    work.mkdir()
    archive = make_tar(tmp_path / "bad.tar.gz", [("ok.txt", b"fine"), member])
    with pytest.raises(VerificationError, match=why):
        safe_extract(archive, work / "target")
    with pytest.raises(VerificationError, match=why):
        inspect(archive)
    assert everything_under(work) == []                      # no target, no staging folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.tar.gz", "work"]


def test_absurd_sizes_and_counts_are_refused(tmp_path):
    archive = make_tar(tmp_path / "big.tar.gz", [("a.bin", bytes(2000)), ("b.bin", bytes(2000))])
    with pytest.raises(VerificationError, match="claims 2,000 bytes"):
        safe_extract(archive, tmp_path / "o1", limits=Limits(max_member_bytes=1000))
    with pytest.raises(VerificationError, match="over 3,000 bytes"):
        safe_extract(archive, tmp_path / "o2", limits=Limits(max_total_bytes=3000))
    with pytest.raises(VerificationError, match="more than 1 members"):
        safe_extract(archive, tmp_path / "o3", limits=Limits(max_members=1))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.tar.gz"]


def test_a_good_archive_is_extracted_and_replaces_an_old_target(tmp_path):
    archive = make_tar(tmp_path / "ok.tar.gz", [("dir/", (tarfile.DIRTYPE, "")), ("dir/a.nc", b"A"),
                                                ("b.nc", b"B")])
    target = tmp_path / "out"
    target.mkdir()
    (target / "stale.txt").write_text("old")
    files = safe_extract(archive, target)
    assert [p.relative_to(target).as_posix() for p in files] == ["b.nc", "dir/a.nc"]
    assert (target / "dir" / "a.nc").read_bytes() == b"A" and not (target / "stale.txt").exists()


def test_broken_archives_and_repeated_names_are_refused(tmp_path):
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"\x1f\x8b\x08 not really gzip")
    with pytest.raises(VerificationError, match="not a readable tar archive|damaged"):
        safe_extract(broken, tmp_path / "o1")
    twice = make_tar(tmp_path / "twice.tar.gz", [("a.nc", b"1"), ("a.nc", b"2")])
    with pytest.raises(VerificationError, match="appears twice"):
        safe_extract(twice, tmp_path / "o2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.tar.gz", "twice.tar.gz"]
