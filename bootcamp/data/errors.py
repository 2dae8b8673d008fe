"""The data layer's errors and warnings, each written to tell the learner what to do."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bootcamp.data.settings import MIRRORS_ENV, OFFLINE_ENV, offline


class DataError(Exception):
    """Base class of every data-layer error."""


class UnknownDataset(DataError, KeyError):
    """A dataset name that is not in the registry; the message lists the valid ones."""

    def __init__(self, name: str, valid: Iterable[str]):
        self.name = name
        self.valid = sorted(valid)
        super().__init__(f"Unknown dataset {name!r}. Valid names: {', '.join(self.valid)}.")

    def __str__(self) -> str:          # KeyError would wrap the message in quotes
        return str(self.args[0])


class VerificationError(DataError):
    """A file failed its checksum or structural check; it was not used."""


class UsageError(DataError):
    """A request that cannot be carried out as asked (e.g. an ambiguous storm
    name, a path holding none of the dataset's files)."""


class DownloadError(DataError):
    """One transfer failed.

    ``status`` is the HTTP status code when the server answered, and
    ``retryable`` says whether trying again later may help.
    """

    def __init__(self, url: str, reason: str, *, status: int | None = None, retryable: bool = False):
        self.url, self.reason, self.status, self.retryable = url, reason, status, retryable
        super().__init__(f"{url}: {reason}")

    @property
    def not_found(self) -> bool:
        return self.status in (404, 410)


class DatasetUnavailable(DataError):
    """No source could provide a verified copy of a dataset.

    The message names the dataset, every source tried and why it failed, the
    mirror variable, how to bring files in by hand, and the offline fallback.
    """

    def __init__(self, name: str, title: str, tried: Sequence[str], fallback: str, *,
                 hints: Sequence[str] = ()):
        self.name, self.title, self.tried, self.fallback = name, title, list(tried), fallback
        lines = [f"Could not get the dataset {name!r} ({title}).", "Tried, in order:"]
        lines += [f"  - {t}" for t in self.tried] or ["  - nothing: no source is configured"]
        lines += [
            "What you can do:",
            "  * check the internet connection, then run the cell (or `make data`) again;",
            f"  * in a workshop, set {MIRRORS_ENV} to the folder or URL your instructor gives,",
            f"    e.g. `export {MIRRORS_ENV}=/shared/datasets`, then restart the kernel;",
        ]
        if offline():
            lines.append(f"  * {OFFLINE_ENV}=1 forbids downloads: unset it if this machine is online;")
        lines.append(f"  * download the files by hand, then: python -m data_scripts import {name} --from PATH")
        lines += [f"  * {hint}" for hint in hints]
        lines.append(f"Offline fallback: {fallback}")
        super().__init__("\n".join(lines))


class FallbackDataWarning(UserWarning):
    """Issued whenever a loader hands out fallback data instead of the real dataset."""
