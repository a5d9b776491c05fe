"""A buyer's own taste, read from the SMEs it accepted and rejected before.

Two buyers with the same needs may want different SMEs: one takes handmade
goods, the other large workshops. What a buyer accepted before says so better
than any profile. :class:`BuyerTaste` keeps, per buyer, the sum of the
encoder vectors of the SMEs it accepted and of those it rejected; an SME's
affinity to the buyer is how much closer it is to the first than to the second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BuyerTaste"]


@dataclass(frozen=True)
class BuyerTaste:
    """Per buyer position: the summed vectors of the SMEs it accepted (or dealt with) and rejected, and how many.

    Examples
    --------
    >>> vectors = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> taste = BuyerTaste.build(1, vectors, np.array([0, 0]), np.array([True, False]))
    >>> taste.affinity(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 0])).round(2).tolist()
    [1.0, 0.0]
    """

    accepted: np.ndarray
    n_accepted: np.ndarray
    rejected: np.ndarray
    n_rejected: np.ndarray

    @classmethod
    def build(cls, n_buyers: int, vectors: np.ndarray, cols: np.ndarray, positive: np.ndarray) -> BuyerTaste:
        """From past proposals: each one's SME vector (rows of ``vectors``), buyer position and outcome."""
        dimension = vectors.shape[1] if vectors.ndim == 2 else 0
        sums = {}
        for name, mask in (("accepted", positive), ("rejected", ~positive)):
            total = np.zeros((n_buyers, dimension), dtype=np.float32)
            np.add.at(total, cols[mask], vectors[mask].astype(np.float32))
            sums[name] = total
        return cls(sums["accepted"], np.bincount(cols[positive], minlength=n_buyers).astype(np.float32),
                   sums["rejected"], np.bincount(cols[~positive], minlength=n_buyers).astype(np.float32))

    def affinity(self, vectors: np.ndarray, cols: np.ndarray, *, own: np.ndarray | None = None) -> np.ndarray:
        """How much closer each SME (``vectors``, one row per pair) is to the SMEs buyer ``cols`` accepted than to
        those it rejected, in [0, 1]; 0.5 where the buyer has no such history.

        ``own``, where given, marks pairs that are themselves past proposals
        (+1 accepted, -1 rejected, 0 not): their own outcome is left out, so
        that a proposal's feature never reads its label.
        """
        vectors = np.asarray(vectors, dtype=np.float32)
        accepted, n_accepted = self.accepted[cols], self.n_accepted[cols].copy()
        rejected, n_rejected = self.rejected[cols], self.n_rejected[cols].copy()
        if own is not None:
            accepted = accepted - vectors * (own > 0)[:, None]
            n_accepted -= own > 0
            rejected = rejected - vectors * (own < 0)[:, None]
            n_rejected -= own < 0

        def cosine(centroid, count):
            norm = np.linalg.norm(centroid, axis=1) * np.maximum(np.linalg.norm(vectors, axis=1), 1e-12)
            return np.where(count > 0, np.einsum("ij,ij->i", centroid, vectors) / np.maximum(norm, 1e-12), 0.0)

        return np.clip(0.5 + 0.5 * (cosine(accepted, n_accepted) - cosine(rejected, n_rejected)), 0.0, 1.0)
