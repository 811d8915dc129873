"""Consensus of several community runs: no one run decides the contexts.

The runs here are written by hand (labels per node), so each case isolates one reason
for the consensus: what the shares of runs say, whatever order the runs come in.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt

from peermap.analysis.consensus import consensus, label_of

CHAIN = np.arange(8, dtype=np.int64)  # edges (0-1), (1-2), ... (7-8): nine nodes in a row


def _chain_runs() -> list[npt.NDArray[np.int64]]:
    """Ten runs over nine nodes: the 2|3 link is cut in 4 runs, the 5|6 link in 3."""
    runs = []
    for k in range(10):
        cut_23, cut_56 = k < 4, 4 <= k < 7
        parts = [list(range(9))]
        if cut_23:
            parts = [[0, 1, 2], list(range(3, 9))]
        if cut_56:
            parts = [list(range(6)), [6, 7, 8]]
        runs.append(label_of([np.array(p, dtype=np.int64) for p in parts], 9))
    return runs


def _parts(parts: list[npt.NDArray[np.int64]]) -> list[list[int]]:
    return sorted(sorted(int(x) for x in p) for p in parts)


def test_a_chained_majority_is_cut_at_stricter_shares_whatever_the_order_of_runs() -> None:
    u, v = CHAIN, CHAIN + 1
    w = np.ones(len(u))

    def small(part: npt.NDArray[np.int64]) -> bool:
        return len(part) <= 4

    runs = _chain_runs()
    # Every link is kept by a majority, so the bare consensus is one group of nine,
    # too large: it is cut at its weakest link (2|3, together in 6 of 10 runs), then
    # the six left at the next weakest (5|6, 7 of 10). No run's own split decides: the
    # same answer for any order of the runs, the first of which used to be kept.
    expected = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    for order in itertools.islice(itertools.permutations(range(10)), 0, 3628800, 362880):
        result = consensus([runs[i] for i in order], u, v, w, small)
        assert _parts(result) == expected
    # Without the size limit the majority's group stands.
    assert _parts(consensus(runs, u, v, w, lambda part: True)) == [list(range(9))]
