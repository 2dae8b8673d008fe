"""Errors of the data layer, each written to tell the learner what to do."""

from __future__ import annotations


class DataError(Exception):
    """Base class for every data-layer error."""


class UnknownDataset(DataError, KeyError):
    def __init__(self, name: str, valid):
        self.name = name
        super().__init__(f"Unknown dataset {name!r}. Valid names: {', '.join(sorted(valid))}.")

    def __str__(self) -> str:                     # KeyError would add quotes
        return self.args[0]


class VerificationError(DataError):
    """A file failed its checksum or structural check; it was not used."""


class DownloadError(DataError):
    """One source failed; ``retryable`` says whether trying again may help."""

    def __init__(self, message: str, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


class DatasetUnavailable(DataError):
    """No source could provide a verified copy."""

    def __init__(self, name: str, title: str, tried: list[str], fallback: str, hint: str = ""):
        self.name, self.tried = name, tried
        lines = [f"Could not get the dataset {name!r} ({title}). Tried, in order:"]
        lines += [f"  - {t}" for t in tried] or ["  - nothing (no source configured)"]
        lines += [
            "What you can do:",
            "  * check your internet connection and run the cell again;",
            "  * in a workshop, set BOOTCAMP_MIRRORS to the directory or URL your instructor gives",
            "    (e.g. export BOOTCAMP_MIRRORS=/shared/datasets), then restart the kernel;",
            f"  * copy the files by hand, then: python -m data_scripts import {name} --from PATH",
        ]
        if hint:
            lines.append(f"  * {hint}")
        lines.append(f"Offline fallback: {fallback}")
        super().__init__("\n".join(lines))
