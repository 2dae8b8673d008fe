"""bootcamp.dev.labsettings: the overrides that keep JupyterLab quiet in a workshop room."""

import json

from bootcamp.dev import labsettings


def test_install_writes_and_merges_the_overrides(tmp_path):
    settings = tmp_path / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True)
    (settings / "overrides.json").write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "x"}}))
    path = labsettings.install(tmp_path)
    written = json.loads(path.read_text())
    assert written["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}
    assert written["@jupyterlab/apputils-extension:themes"] == {"theme": "x"}          # kept
    assert labsettings.install(tmp_path) == path and json.loads(path.read_text()) == written   # idempotent
    assert not list(settings.glob("*.tmp"))


def test_a_damaged_overrides_file_is_replaced(tmp_path):
    settings = tmp_path / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True)
    (settings / "overrides.json").write_text("{not json")
    written = json.loads(labsettings.install(tmp_path).read_text())
    assert written == labsettings.OVERRIDES
