"""Product text as vectors: supplier products and buyer needs in one space."""

from __future__ import annotations

import unicodedata

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

__all__ = ["ProfileVectorizer"]


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class ProfileVectorizer(TransformerMixin, BaseEstimator):
    """Character n-gram TF-IDF over product and needs text, L2-normalised rows.

    Parameters
    ----------
    ngram_range : tuple of int
        Character n-gram sizes (within word boundaries).
    min_df : int
        Ignore n-grams seen in fewer texts.

    Examples
    --------
    >>> v = ProfileVectorizer().fit(["stamped metal parts", "herbal soap"])
    >>> X = v.transform(["metal stamping", "soap"])
    >>> X.shape[0], round(float((X[0] @ v.transform(["stamped metal parts"]).T).toarray()[0, 0]), 2) > 0
    (2, True)
    """

    def __init__(self, ngram_range=(2, 4), min_df=1):
        self.ngram_range = ngram_range
        self.min_df = min_df

    def fit(self, texts, y=None):
        self.tfidf_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=self.ngram_range, min_df=self.min_df,
            preprocessor=_plain, dtype=np.float32, sublinear_tf=True,
        ).fit(list(texts))
        return self

    def transform(self, texts):
        check_is_fitted(self, "tfidf_")
        return self.tfidf_.transform(list(texts)).tocsr()
