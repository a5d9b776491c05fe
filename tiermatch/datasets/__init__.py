"""Synthetic registers for demos, tests and benchmarks, with their ground truth.

Like ``sklearn.datasets.make_*``: :func:`make_register` returns a seeded,
reproducible register (SMEs, buyers, a history of proposals) and keeps what
each profile truly makes and needs, so that a benchmark can judge a ranking
against a perfect reader (:func:`true_relevance`). The matcher never imports
this package: nothing it ranks with may come from the truth.
"""

from ._register import (
    DemoRegister,
    make_register,
    profile_utility,
    split_partnerships,
    true_relevance,
    write_register,
)

__all__ = [
    "DemoRegister",
    "make_register",
    "profile_utility",
    "split_partnerships",
    "true_relevance",
    "write_register",
]
