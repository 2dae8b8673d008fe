"""The one scoring function of the cyclone lessons and the competition."""

import numpy as np
import pytest

from bootcamp.cyclone import scoring


def one_hot(classes, n=8):
    return np.eye(n)[np.asarray(classes)]


def test_top_k_counts_the_true_class_among_the_k_best():
    p = np.array([[0.5, 0.3, 0.2, 0, 0, 0, 0, 0],
                  [0.1, 0.2, 0.7, 0, 0, 0, 0, 0],
                  [0.4, 0.35, 0.25, 0, 0, 0, 0, 0]])
    y = np.array([1, 2, 2])
    assert scoring.top_k_accuracy(p, y, 1) == pytest.approx(1 / 3)
    assert scoring.top_k_accuracy(p, y, 2) == pytest.approx(2 / 3)
    assert scoring.top_k_accuracy(p, y, 3) == 1.0
    with pytest.raises(ValueError, match="shape"):
        scoring.top_k_accuracy(p[:, :5], y)
    with pytest.raises(ValueError, match="labels"):
        scoring.top_k_accuracy(p, y[:2])


def test_rmse_uses_class_centre_winds():
    wind = np.array([50.0, 80.0, 150.0])
    predicted = np.array([2, 3, 7])                                  # TS 48.5, H1 73, H5 150
    expected = np.sqrt(np.mean(np.array([1.5, -7.0, 0.0]) ** 2))
    assert scoring.rmse_kt(predicted, wind) == pytest.approx(expected)
    assert scoring.class_to_wind([0, 7]).tolist() == [15.0, 150.0]


def test_centres_lie_inside_their_classes():
    from bootcamp.data.hurdat2 import saffir_simpson_class

    np.testing.assert_array_equal(saffir_simpson_class(scoring.CLASS_CENTRE_KT), np.arange(8))


def test_confusion_rows_are_true_classes_and_recall_is_nan_when_absent():
    labels, predicted = np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1])
    counts = scoring.confusion(labels, predicted)
    assert counts[0, 1] == 1 and counts[2, 1] == 1 and counts.sum() == 4
    recall = scoring.per_class_recall(labels, predicted)
    np.testing.assert_allclose(recall[:3], [0.5, 1.0, 0.0])
    assert np.isnan(recall[3:]).all()


def test_score_of_perfect_and_constant_predictions():
    labels = np.array([2, 2, 2, 3, 7])
    wind = scoring.CLASS_CENTRE_KT[labels]
    perfect = scoring.score(one_hot(labels), labels, wind)
    assert perfect == {"top1": 1.0, "top2": 1.0, "rmse_kt": 0.0, "balanced": 1.0}
    constant = scoring.constant_probabilities(np.array([2, 2, 3]), len(labels))
    guessed = scoring.score(constant, labels, wind)
    assert guessed["top1"] == pytest.approx(0.6) and guessed["top2"] == pytest.approx(0.8)
    assert guessed["balanced"] == pytest.approx(1 / 3)


def test_ranking_prefers_top1_then_rmse():
    a = {"top1": 0.7, "rmse_kt": 12.0}
    b = {"top1": 0.7, "rmse_kt": 11.0}
    c = {"top1": 0.6, "rmse_kt": 5.0}
    assert sorted([a, b, c], key=scoring.rank_key) == [b, a, c]
