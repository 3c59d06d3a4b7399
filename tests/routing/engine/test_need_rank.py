"""Ranking one need over arrays: the index's table form agrees with ``score_need``
bit for bit, and ``rank`` gives the same rows whichever way it works them out."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.engine import NeedRequest, Weights
from routing.engine import help as kinds_of_help
from routing.engine.exclusions import smallest
from routing.engine.need_rank import (
    _SORT_ALL,
    HELP_CODES,
    best_fitting,
    help_codes,
    need_tables,
    rank,
    score_need,
    score_need_coded,
    tier_codes,
)

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
KINDS = list(kinds_of_help.KINDS)
# Odd weights, so that a sum taken in another order would round differently.
ODD = Weights(specificity=40.3, kind=19.7, audience=15.1, severity=30.9, urgent_factor=2.3)

services = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 255), st.integers(0, 7), st.integers(0, 3),
              st.booleans(), st.floats(-50, 150), st.floats(-10, 20), st.floats(0, 15)),
    max_size=60)
needs = st.builds(
    NeedRequest, st.sampled_from(["MHW", "HOUSING", "SEND.ADHD"]), st.integers(1, 3),
    st.sampled_from(["", *kinds_of_help.SEVERITIES]),
    st.frozensets(st.sampled_from(KINDS), max_size=3),
    st.sampled_from(["", *kinds_of_help.AUDIENCES]))


@SETTINGS
@given(services, needs, st.sampled_from([Weights(), ODD]))
def test_it_scores_a_need_from_help_codes_as_from_the_columns(
    rows: list[tuple[int, int, int, int, bool, float, float, float]], need: NeedRequest,
    w: Weights,
) -> None:
    levels = np.array([r[0] for r in rows], dtype=np.int8)
    kinds = np.array([r[1] for r in rows], dtype=np.int64)
    audiences = np.array([r[2] for r in rows], dtype=np.int64)
    level_slots = np.array([r[3] for r in rows], dtype=np.int64)
    accepting = np.array([r[4] for r in rows], dtype=np.bool_)
    base, capacity, wait = (np.array([r[i] for r in rows], dtype=np.float64) for i in (5, 6, 7))
    score, fit, tier = score_need(need, w, base, levels, kinds, audiences, level_slots,
                                  capacity, wait, accepting)
    codes = help_codes(kinds, audiences, level_slots, accepting)
    assert ((codes >= 0) & (codes < HELP_CODES)).all()
    coded_score, fitting, coded_tier = score_need_coded(
        need, w, base, tier_codes(levels, codes), (capacity, wait))
    assert coded_score.tobytes() == score.tobytes()  # the same bits
    assert coded_tier.tolist() == tier.tolist()
    assert fitting.tolist() == best_fitting(fit, tier).tolist()


def test_it_needs_the_figures_of_an_urgent_need() -> None:
    codes = np.zeros(1, dtype=np.int64)
    levels = np.zeros(1, dtype=np.int8)
    with pytest.raises(ValueError, match="urgent"):
        score_need_coded(NeedRequest("MHW", priority=1), Weights(), np.zeros(1),
                         tier_codes(levels, codes), None)


def test_it_keeps_the_tables_read_only() -> None:
    tables = need_tables(0, "child", 0, Weights())
    assert not tables.best.flags.writeable and not tables.fit.flags.writeable


def _reference_rank(score: list[float], tier: list[int], k: int) -> list[int]:
    """Positions 0..n-1 by highest tier, then highest score, then lowest position."""
    return sorted(range(len(score)), key=lambda p: (-tier[p], -score[p], p))[:max(k, 0)]


@SETTINGS
@given(st.integers(0, 3 * _SORT_ALL), st.integers(0, 12), st.integers(0, 2**32 - 1),
       st.booleans())
def test_it_ranks_few_or_many_services_by_tier_then_score_then_position(
    n: int, k: int, seed: int, coarse: bool
) -> None:
    rng = np.random.default_rng(seed)
    # Coarse scores and few tiers make many ties, which positions must break.
    score = (rng.integers(0, 4, n) * 2.5 if coarse else rng.normal(size=n)).astype(np.float64)
    tier = rng.integers(0, 3, n).astype(np.int16) * 100
    positions = np.arange(n, dtype=np.int64)
    assert rank(positions, score, tier, k, smallest).tolist() == _reference_rank(
        score.tolist(), tier.tolist(), k)
