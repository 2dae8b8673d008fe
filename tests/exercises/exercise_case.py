"""The one shape of an exercise case (see test_exercises.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    context: Callable[[], dict]                                  # a fresh namespace for each attempt
    wrongs: list[tuple[str, str]] = field(default_factory=list)  # (answer source, regex of the hint)
