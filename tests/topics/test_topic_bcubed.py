"""B-cubed scoring: known values, and the 'either of two threads' rule."""

from __future__ import annotations

import pytest

from reader.topics import bcubed


def test_perfect_clustering_scores_one() -> None:
    gold = {"a": ["x"], "b": ["x"], "c": ["y"]}
    result = bcubed({"a": "1", "b": "1", "c": "2"}, gold)
    assert (result.precision, result.recall, result.f1) == (1.0, 1.0, 1.0)


def test_everything_in_one_cluster() -> None:
    gold = {"a": ["x"], "b": ["x"], "c": ["y"], "d": ["y"]}
    result = bcubed({k: "1" for k in gold}, gold)
    assert result.precision == pytest.approx(0.5)
    assert result.recall == pytest.approx(1.0)
    assert result.f1 == pytest.approx(2 / 3)


def test_all_singletons() -> None:
    gold = {"a": ["x"], "b": ["x"], "c": ["x"]}
    result = bcubed({"a": "1", "b": "2", "c": "3"}, gold)
    assert result.precision == pytest.approx(1.0)
    assert result.recall == pytest.approx(1 / 3)


def test_textbook_example() -> None:
    # Cluster 1 = {a, b, c} (x, x, y), cluster 2 = {d, e} (y, y).
    gold = {"a": ["x"], "b": ["x"], "c": ["y"], "d": ["y"], "e": ["y"]}
    predicted = {"a": "1", "b": "1", "c": "1", "d": "2", "e": "2"}
    result = bcubed(predicted, gold)
    # Precision per item: a 2/3, b 2/3, c 1/3, d 1, e 1 -> 11/15.
    assert result.precision == pytest.approx(11 / 15)
    # Recall per item: a 1, b 1, c 1/3, d 2/3, e 2/3 -> 11/15.
    assert result.recall == pytest.approx(11 / 15)


def test_an_item_acceptable_in_two_threads_counts_correct_in_either() -> None:
    gold = {"a": ["x"], "b": ["x"], "c": ["x", "y"], "d": ["y"]}
    with_x = bcubed({"a": "1", "b": "1", "c": "1", "d": "2"}, gold)
    with_y = bcubed({"a": "1", "b": "1", "c": "2", "d": "2"}, gold)
    assert with_x.f1 == pytest.approx(1.0)
    assert with_y.f1 == pytest.approx(1.0)
    wrong = bcubed({"a": "1", "b": "2", "c": "2", "d": "2"}, gold)
    assert wrong.f1 < 0.9


def test_items_without_labels_are_ignored() -> None:
    result = bcubed({"a": "1", "b": "1", "zzz": "1"}, {"a": ["x"], "b": ["x"]})
    assert result.f1 == pytest.approx(1.0)
