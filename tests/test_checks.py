"""Learning floors, metric records and the self-check protocol."""

import json

import pytest

from bootcamp import checks


def test_floor_passes_records_and_fails_loudly(tmp_path, monkeypatch, capsys):
    metrics = tmp_path / "m.jsonl"
    monkeypatch.setenv("BOOTCAMP_METRICS_FILE", str(metrics))
    assert checks.floor("accuracy", 0.97, at_least=0.95) is None     # no stray Out[] value
    assert "accuracy = 0.97 (floor >= 0.95)" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="Learning floor missed: loss = 0.5, expected <= 0.1"):
        checks.floor("loss", 0.5, at_most=0.1)
    with pytest.raises(AssertionError):
        checks.floor("loss", float("nan"), at_most=0.1)
    rows = [json.loads(line) for line in metrics.read_text().splitlines()]
    assert [r["name"] for r in rows] == ["accuracy", "loss", "loss"]
    with pytest.raises(TypeError):
        checks.floor("x", 1.0)


def test_a_floor_not_yet_seen_does_not_blame_the_run_when_missed(monkeypatch, capsys):
    monkeypatch.setenv("BOOTCAMP_QUICK", "0")
    with pytest.raises(AssertionError) as missed:
        checks.floor("held-out error", 0.0376, at_most=0.03, seen_in_full_mode=False)
    assert "expected <= 0.03" in str(missed.value) and "Nobody has yet seen this floor pass" in str(missed.value)
    assert "did not converge" not in str(missed.value)
    with pytest.raises(AssertionError, match="did not converge"):   # a NaN is a broken run all the same
        checks.floor("held-out error", float("nan"), at_most=0.03, seen_in_full_mode=False)
    checks.floor("held-out error", 0.02, at_most=0.03, seen_in_full_mode=False)
    assert "held-out error = 0.02 (floor <= 0.03)" in capsys.readouterr().out
    monkeypatch.setenv("BOOTCAMP_QUICK", "1")     # quick-mode bounds are checked by CI: a miss is the run's
    with pytest.raises(AssertionError, match="did not converge"):
        checks.floor("held-out error", 0.0376, at_most=0.03, seen_in_full_mode=False)


def test_run_check_distinguishes_starter_wrong_and_right(capsys):
    def starter():
        checks.require(None, "answer")

    def wrong():
        checks.close(2.0, 3.0, "answer")

    assert checks.run_check("T", starter) is False
    assert "not attempted yet" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="T: not right yet. answer is 2.0, expected about 3.0"):
        checks.run_check("T", wrong)
    assert checks.run_check("T", lambda: None) is True


def test_call_answer_treats_not_implemented_as_starter():
    def todo():
        raise NotImplementedError("write me")

    with pytest.raises(checks.NotAttempted, match="write me"):
        checks.call_answer(todo)
    assert checks.call_answer(lambda: 3) == 3


# The lessons' own self-checks are tested exercise by exercise, against the
# masters' starters, wrong answers and solutions, in tests/exercises/.


def test_passes_is_quiet_and_false_for_starter_wrong_or_broken(capsys):
    def starter():
        raise NotImplementedError

    assert checks.passes(lambda: checks.run_check("Ex", starter_body)) is False      # "not attempted yet"
    assert checks.passes(lambda: 1 / 0) is False                                    # a learner's bug
    assert checks.passes(wrong_body) is False                                       # a body that says wrong
    assert checks.passes(lambda: True) is True and checks.passes(lambda: None) is True
    assert checks.passes(starter) is False
    assert capsys.readouterr().out == ""                                            # nothing printed


def starter_body():
    raise checks.NotAttempted("still the starter")


def wrong_body():
    raise AssertionError("off by one")


def test_yours_or_course_picks_the_learner_only_once_the_check_passes(capsys):
    def course(x):
        return x + 1

    def mine(x):
        return x + 1

    def wrong(x):
        return x

    def check(fn):
        assert fn(1) == 2, "should add one"

    assert checks.yours_or_course(wrong, course, check, what="Exercise 1", course_name="course") is course
    out = capsys.readouterr().out
    assert "Exercise 1 is not solved yet" in out and "the course's course" in out
    assert checks.yours_or_course(mine, course, check, what="Exercise 1", course_name="course") is mine
    assert "Exercise 1 solved: the cells below use your mine." in capsys.readouterr().out
    pair = checks.yours_or_course((mine, mine), (course, course), lambda a, b: check(a) or check(b),
                                  what="Exercise 2", course_name="pair")
    assert pair == (mine, mine)
