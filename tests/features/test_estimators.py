"""The scikit-learn contract of every estimator, checked explicitly.

scikit-learn's generic checks (``parametrize_with_checks``) skip estimators that take text, so
each promise is written out here: parameters round-trip, a clone is unfitted, fitting never
changes its arguments (the mapper passed in included), and transforming before fitting raises.
"""

from __future__ import annotations

import copy
import pickle

import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from tiermatch.features import ConceptMapper, ProfileVectorizer

SUPPLIERS = ["รับผลิตชิ้นส่วนโลหะปั๊มขึ้นรูป", "สบู่สมุนไพร", "ยางรองแท่นหม้อแปลง", "ยางรองแท่นหม้อแปลงไฟฟ้า"]
BUYERS = ["Sourcing stamped metal parts", "herbal soap", "transformer rubber pads"]
HISTORY = ([(0, 0), (1, 1), (2, 2), (3, 2)], ["accepted", "deal", "accepted", "accepted"])

ESTIMATORS = {
    "ConceptMapper": lambda: ConceptMapper(parent_weight=0.2, min_support=1, n_jobs=1),
    "ProfileVectorizer": lambda: ProfileVectorizer(weights=(0.5, 0.2, 0.3), mapper=ConceptMapper(min_support=1)),
}


def fit(estimator):
    if isinstance(estimator, ProfileVectorizer):
        return estimator.fit(SUPPLIERS, BUYERS, history=HISTORY)
    return estimator.fit().learn_links(SUPPLIERS, BUYERS, *HISTORY)


def transform(estimator):
    return estimator.transform(SUPPLIERS)


def fitted_attributes(estimator) -> list[str]:
    return [name for name in vars(estimator) if name.endswith("_") and not name.startswith("_")]


@pytest.mark.parametrize("name", ESTIMATORS)
def test_parameters_round_trip(name):
    estimator = ESTIMATORS[name]()
    params = estimator.get_params(deep=False)
    other = type(estimator)().set_params(**params)
    assert other.get_params(deep=False) == params
    assert type(estimator)(**params).get_params(deep=False) == params


@pytest.mark.parametrize("name", ESTIMATORS)
def test_a_clone_is_unfitted_and_fits_alike(name):
    estimator = fit(ESTIMATORS[name]())
    copy_ = clone(estimator)
    assert fitted_attributes(copy_) == []
    with pytest.raises(NotFittedError):
        transform(copy_)
    assert (transform(fit(copy_)) != transform(estimator)).nnz == 0


@pytest.mark.parametrize("name", ESTIMATORS)
def test_transform_before_fit_raises(name):
    with pytest.raises(NotFittedError):
        transform(ESTIMATORS[name]())


def test_fit_never_changes_its_arguments():
    suppliers, buyers, history = list(SUPPLIERS), list(BUYERS), copy.deepcopy(HISTORY)
    unfitted = ConceptMapper(min_support=1)
    before = pickle.dumps(unfitted)
    ProfileVectorizer(mapper=unfitted).fit(suppliers, buyers, history=history)
    assert pickle.dumps(unfitted) == before and not fitted_attributes(unfitted)
    assert (suppliers, buyers, history) == (SUPPLIERS, BUYERS, HISTORY)


def test_a_fitted_mapper_given_is_shared_not_changed():
    """The vectorizer learns its links on a fork: the mapper another vectorizer uses keeps its own."""
    mapper = ConceptMapper(min_support=1).fit()
    first = ProfileVectorizer(mapper=mapper).fit(SUPPLIERS, BUYERS, history=HISTORY)
    links_before = mapper.links_.nnz
    second = ProfileVectorizer(mapper=mapper).fit(SUPPLIERS[:1], BUYERS[:1])
    assert mapper.links_.nnz == links_before == 0
    assert first.mapper_.links_.nnz > 0 and second.mapper_.links_.nnz == 0
    first.update_links(SUPPLIERS, BUYERS, *HISTORY)
    assert mapper.n_link_pairs_ == 0 and second.mapper_.n_link_pairs_ == 0
