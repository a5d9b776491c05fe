import pytest

from tests.conftest import BUYER_HEADER, SUPPLIER_HEADER
from tiermatch.errors import InvalidFileError
from tiermatch.io import read_buyers, read_partnerships, read_suppliers

ROWS = [
    ["S1", "บริษัท สยามโลหะ จำกัด", "automotive", "ชิ้นส่วนโลหะปั๊มขึ้นรูป", "ชลบุรี", "IATF16949;ISO 9001", "2000000", "2", "true", "false"],
    ["S2", "Chiang Mai Silk", "textiles_garments", "ผ้าไหมทอมือ", "Chiang Mai", "", "", "", "", "true"],
]


@pytest.mark.parametrize("encoding, detected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp874", "cp874")])
def test_each_encoding_is_detected(write_csv, encoding, detected):
    path = write_csv("suppliers.csv", SUPPLIER_HEADER, ROWS, encoding=encoding)
    result = read_suppliers(path)
    assert result.encoding == detected and not result.errors
    assert [s.products for s in result.records] == ["ชิ้นส่วนโลหะปั๊มขึ้นรูป", "ผ้าไหมทอมือ"]
    assert result.records[0].province == "Chon Buri" and result.records[0].certifications == ["IATF 16949", "ISO 9001"]


def test_columns_in_any_order_and_case(write_csv):
    header = [c.upper() for c in reversed(SUPPLIER_HEADER)]
    path = write_csv("s.csv", header, [list(reversed(r)) for r in ROWS])
    assert [s.supplier_id for s in read_suppliers(path).records] == ["S1", "S2"]


@pytest.mark.parametrize("column, value, field, message", [
    ("sector", "spaceships", "sector", "should be 'automotive'"),
    ("province", "Atlantis", "province", "unknown Thai province"),
    ("capacity_thb_per_month", "a lot", "capacity_thb_per_month", "number"),
    ("supplier_id", "", "supplier_id", "at least 1 character"),
    ("max_buyers", "2.5", "max_buyers", "integer"),
])
def test_each_kind_of_bad_row_is_reported_and_skipped(write_csv, column, value, field, message):
    bad = list(ROWS[1])
    bad[SUPPLIER_HEADER.index(column)] = value
    path = write_csv("suppliers.csv", SUPPLIER_HEADER, [ROWS[0], bad])
    result = read_suppliers(path)
    assert [s.supplier_id for s in result.records] == ["S1"]
    [error] = result.errors
    assert (error.line, error.field, error.value) == (3, field, value)
    assert message in error.message
    assert "suppliers.csv, line 3" in str(error)


def test_duplicate_id_in_one_file_keeps_the_first(write_csv):
    path = write_csv("s.csv", SUPPLIER_HEADER, [ROWS[0], ROWS[1], ROWS[0]])
    result = read_suppliers(path)
    assert [s.supplier_id for s in result.records] == ["S1", "S2"]
    assert "first seen on line 2" in result.errors[0].message and result.errors[0].line == 4


def test_too_many_cells_is_reported(write_csv):
    path = write_csv("s.csv", SUPPLIER_HEADER, [ROWS[0], ROWS[1] + ["extra"]])
    result = read_suppliers(path)
    assert len(result.records) == 1 and result.errors[0].field == "(row)"


def test_missing_required_column_fails_clearly(write_csv):
    header = [c for c in SUPPLIER_HEADER if c != "province"]
    path = write_csv("s.csv", header, [[v for c, v in zip(SUPPLIER_HEADER, ROWS[0]) if c != "province"]])
    with pytest.raises(InvalidFileError, match="missing required column.*province"):
        read_suppliers(path)


def test_no_valid_row_fails_clearly(write_csv):
    bad = list(ROWS[0])
    bad[2] = "spaceships"
    path = write_csv("s.csv", SUPPLIER_HEADER, [bad])
    with pytest.raises(InvalidFileError, match="no valid row.*line 2.*sector"):
        read_suppliers(path)


def test_empty_and_unreadable_files(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InvalidFileError, match="empty"):
        read_suppliers(tmp_path / "empty.csv")
    with pytest.raises(InvalidFileError, match="cannot read"):
        read_suppliers(tmp_path / "missing.csv")


def test_buyers_and_partnerships(write_csv):
    buyers = write_csv("b.csv", BUYER_HEADER, [
        ["B1", "Denso-like", "first_tier", "automotive", "Sourcing stamped metal parts", "Rayong", "IATF 16949", "5000000", "3", "200"],
        ["B2", "Bad", "wholesaler", "automotive", "x", "Rayong", "", "", "", ""],
    ])
    result = read_buyers(buyers)
    assert [b.buyer_id for b in result.records] == ["B1"] and result.errors[0].field == "buyer_type"
    history = write_csv("p.csv", ["supplier_id", "buyer_id", "outcome", "date"],
                        [["S1", "B1", "accepted", "2024-01-31"], ["S1", "B1", "won", ""], ["S1", "B1", "deal", "31/01/2024"]])
    result = read_partnerships(history)
    assert len(result.records) == 1 and [e.field for e in result.errors] == ["outcome", "date"]
