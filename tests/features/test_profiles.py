import pytest
from pydantic import ValidationError

from tiermatch.features import Buyer, Partnership, Supplier

BASE = dict(supplier_id="S-1", name="Siam Parts", sector="automotive", products="stamped metal parts", province="Rayong")


def test_defaults_and_province_centre():
    s = Supplier(**BASE)
    assert (s.max_buyers, s.export_ready, s.otop, s.certifications) == (3, False, False, [])
    assert s.latitude == pytest.approx(12.68, abs=0.1) and s.region == "East"


def test_blank_optional_cells_take_defaults():
    s = Supplier(**BASE, max_buyers="", capacity_thb_per_month=" ", certifications="", export_ready="", cluster="")
    assert (s.max_buyers, s.capacity_thb_per_month, s.certifications, s.cluster) == (3, None, [], None)


def test_lists_numbers_and_flags_are_parsed():
    s = Supplier(**BASE, certifications="IATF16949; ISO 9001;iso9001", capacity_thb_per_month="1,200,000",
                 export_ready="yes", otop="ไม่")
    assert s.certifications == ["IATF 16949", "ISO 9001"]
    assert s.capacity_thb_per_month == 1_200_000 and s.export_ready and not s.otop


@pytest.mark.parametrize("field, value, message", [
    ("sector", "spaceships", "sector"),
    ("province", "Atlantis", "unknown Thai province"),
    ("capacity_thb_per_month", "lots", "capacity_thb_per_month"),
    ("capacity_thb_per_month", "-5", "greater than or equal"),
    ("export_ready", "maybe", "expected true or false"),
    ("products", "", "products"),
])
def test_invalid_fields_are_named(field, value, message):
    with pytest.raises(ValidationError, match=message):
        Supplier(**{**BASE, field: value})


def test_lone_coordinate_is_rejected():
    with pytest.raises(ValidationError, match="together"):
        Supplier(**BASE, latitude="13.1")


def test_explicit_coordinates_override_the_province_centre():
    s = Supplier(**BASE, latitude="13.1", longitude="101.0")
    assert (s.latitude, s.longitude) == (13.1, 101.0)


def test_buyer_and_partnership():
    b = Buyer(buyer_id="B1", name="X", buyer_type="First Tier", sector="Gems & Jewelry", needs="silver rings",
              province="จันทบุรี", required_certifications="RJC", max_distance_km="250")
    assert (b.buyer_type, b.sector, b.province, b.max_suppliers, b.max_distance_km) == (
        "first_tier", "gems_jewelry", "Chanthaburi", 5, 250)
    p = Partnership(supplier_id="S1", buyer_id="B1", outcome="Deal", date="2016-05-31")
    assert p.outcome == "deal" and p.date.year == 2016
    with pytest.raises(ValidationError, match="outcome"):
        Partnership(supplier_id="S1", buyer_id="B1", outcome="maybe")
