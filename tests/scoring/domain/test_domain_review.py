"""Result review sampling (scoring.domain.review)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from compete.errors import ValidationFailed
from scoring.domain.review import review_outcome, review_sample


@pytest.mark.parametrize("n, top, rand", [(20, 6, 2), (5, 2, 0), (15, 5, 2), (1, 0, 0), (0, 0, 0)])
def test_sample_sizes(n: int, top: int, rand: int) -> None:
    # top = round_half_up(0.3·n); random = round_half_up(0.15·(n − top))
    sample = review_sample(list(range(100, 100 + n)), seed=7)
    assert len(sample.top) == top and len(sample.random) == rand
    assert sample.top == tuple(range(100, 100 + top))
    assert set(sample.random) <= set(range(100 + top, 100 + n))


def test_sample_is_reproducible_from_the_seed() -> None:
    ids = list(range(1, 41))
    assert review_sample(ids, 42) == review_sample(ids, 42)
    assert review_sample(ids, 42).all[:12] == tuple(range(1, 13))


@pytest.mark.parametrize("checked, errors, outcome",
                         [(100, 5, "pass"), (100, 6, "recheck_all"), (20, 1, "pass"),
                          (20, 2, "recheck_all"), (0, 0, "pass")])
def test_outcome(checked: int, errors: int, outcome: str) -> None:
    assert review_outcome(checked, errors) == outcome


def test_bad_ratio() -> None:
    with pytest.raises(ValidationFailed) as info:
        review_sample([1, 2], 1, top_ratio=D("1.5"))
    assert info.value.field == "top_ratio"
