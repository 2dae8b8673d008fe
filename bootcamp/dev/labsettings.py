"""Install JupyterLab's settings overrides for a workshop room: no news pop-up, no update check.

``python -m bootcamp.dev.labsettings`` writes ``overrides.json`` into
``<sys.prefix>/share/jupyter/lab/settings/``, where JupyterLab reads the
defaults that override its own for every user of that environment
(``make venv``, the Docker image and the Apptainer image all run it). The
``--LabApp.news_url=None`` flag alone does not stop JupyterLab 4 from asking
"Would you like to get notified about official Jupyter news?"; this does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def install(prefix: str | Path = sys.prefix) -> Path:
    """Merge :data:`OVERRIDES` into the environment's overrides.json; return its path."""
    path = Path(prefix, "share", "jupyter", "lab", "settings", "overrides.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        current = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = {}
    for plugin, settings in OVERRIDES.items():
        current.setdefault(plugin, {}).update(settings)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


if __name__ == "__main__":
    print(f"JupyterLab settings overrides: {install()}")
