import numpy as np
import pytest

from tiermatch.features import SECTORS, find_province, haversine_km, normalize_certification, provinces


def test_all_77_provinces_with_both_names_and_coordinates_inside_thailand():
    all_provinces = provinces()
    assert len(all_provinces) == 77
    assert len({p.name_en for p in all_provinces}) == 77
    assert len({p.name_th for p in all_provinces}) == 77
    for p in all_provinces:
        assert 5.5 < p.latitude < 20.5 and 97.3 < p.longitude < 105.7, p
        assert find_province(p.name_en) == p and find_province(p.name_th) == p


@pytest.mark.parametrize("spelling", ["Bangkok", "กรุงเทพฯ", "กรุงเทพมหานคร", "กทม.", "bangkok ", "BANGKOK", "TH-10", "Krung Thep"])
def test_bangkok_spellings(spelling):
    assert find_province(spelling).name_en == "Bangkok"


@pytest.mark.parametrize("spelling, expected", [
    ("Chonburi", "Chon Buri"), ("ชลบุรี", "Chon Buri"), ("จังหวัดชลบุรี", "Chon Buri"), ("Korat", "Nakhon Ratchasima"),
    ("Ayutthaya", "Phra Nakhon Si Ayutthaya"), ("สมุทรสาคร", "Samut Sakhon"), ("Chiangmai", "Chiang Mai"),
    ("น่าน", "Nan"), ("Surat Thani", "Surat Thani"),
])
def test_common_spellings(spelling, expected):
    assert find_province(spelling).name_en == expected


def test_unknown_province_and_nan_misspelling_are_not_found():
    assert find_province("Atlantis") is None
    # the shared table's second Thai spelling of Nan is wrong; it must not resolve
    assert find_province("แนน") is None


def test_regions_follow_the_six_region_scheme():
    assert find_province("Chon Buri").region == "East"
    assert find_province("Surat Thani").region == "South"
    assert find_province("Chiang Mai").region == "North"
    assert find_province("Khon Kaen").region == "Northeast"
    assert {p.region for p in provinces()} == {"Central", "East", "North", "Northeast", "South", "West"}


def test_sectors_are_the_six_plus_other():
    assert SECTORS == ("automotive", "cosmetics", "gems_jewelry", "processed_food", "textiles_garments", "palm_oil", "other")


@pytest.mark.parametrize("alias, canonical", [
    ("อย.", "Thai FDA"), ("IATF16949", "IATF 16949"), ("iatf 16949", "IATF 16949"), ("ฮาลาล", "Halal"),
    ("ISO9001", "ISO 9001"), ("Oeko-Tex Standard 100", "OEKO-TEX"), ("มอก.", "TIS"), ("TS 16949", "IATF 16949"),
])
def test_certification_aliases(alias, canonical):
    assert normalize_certification(alias) == canonical


def test_unknown_certification_is_kept_cleaned():
    assert normalize_certification("  ISO   45001 ") == "ISO 45001"


def test_haversine_bangkok_to_chiang_mai_is_about_580_km():
    bkk, cnx = find_province("Bangkok"), find_province("Chiang Mai")
    d = haversine_km(bkk.latitude, bkk.longitude, cnx.latitude, cnx.longitude)
    assert 570 < d < 600
    assert np.allclose(haversine_km([1, 2], [100, 100], [1, 2], [100, 100]), 0)
