"""The quick-mode switch and the log-directory helper."""

import pytest

import bootcamp
from bootcamp import config


@pytest.mark.parametrize("raw, quick", [("1", True), ("true", True), ("YES", True), (" on ", True),
                                        ("0", False), ("", False), ("false", False), ("off", False)])
def test_quick_mode_reads_the_environment_each_time(monkeypatch, raw, quick):
    monkeypatch.setenv(config.QUICK_ENV, raw)
    assert config.is_quick() is quick
    assert bootcamp.choose(full="full", quick="quick") == ("quick" if quick else "full")
    assert config.mode_name() == ("quick" if quick else "full")


def test_unset_means_full_mode(monkeypatch):
    monkeypatch.delenv(config.QUICK_ENV, raising=False)
    assert not config.is_quick()
    assert bootcamp.choose(full=300, quick=30) == 300


def test_unrecognised_value_is_an_error_that_says_what_to_set(monkeypatch):
    monkeypatch.setenv(config.QUICK_ENV, "maybe")
    with pytest.raises(ValueError, match="BOOTCAMP_QUICK='maybe'.*set it to 1"):
        config.is_quick()


def test_logs_dir_is_relative_and_fresh_clears_old_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = bootcamp.logs_dir("lesson", "run")
    assert not path.is_absolute() and path.is_dir()
    (path / "old.txt").write_text("x")
    again = bootcamp.logs_dir("lesson", fresh=True)
    assert again.is_dir() and not (again / "run").exists()
