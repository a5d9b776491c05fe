"""Files as Thai offices save them: every encoding, separator and workbook read; broken records reported, the rest kept."""

import csv
import io

import openpyxl
import pytest

from tests.conftest import SUPPLIER_HEADER
from tiermatch.errors import InvalidFileError
from tiermatch.io import open_suppliers, read_suppliers, spreadsheet_safe

pytestmark = pytest.mark.abuse

ROWS = [
    ["S1", "บริษัท สยามโลหะ จำกัด", "automotive", "ชิ้นส่วนโลหะปั๊มขึ้นรูป", "ชลบุรี", "IATF16949", "2000000", "2", "true", "false"],
    ["S2", "Chiang Mai Silk", "textiles_garments", "ผ้าไหมทอมือ", "Chiang Mai", "", "", "", "", "true"],
]


def _csv(rows, delimiter=",", header=SUPPLIER_HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _read_both_ways(path):
    """What an import reads and what a run's partitions read, as (ids, error strings) each."""
    whole = read_suppliers(path)
    source = open_suppliers(path, partition_size=1)
    parts = [part.read() for part in source.partitions(source.scan().duplicates)]
    return ([s.supplier_id for s in whole.records], [str(e) for e in whole.errors]), (
        [s.supplier_id for part in parts for s in part.records], [str(e) for part in parts for e in part.errors])


@pytest.mark.parametrize("encoding, delimiter", [("utf-16", "\t"), ("utf-16-le", "\t"), ("utf-8", ";"),
                                                 ("cp874", "|"), ("utf-8-sig", ";")])
def test_excel_unicode_text_and_other_separators_read(tmp_path, encoding, delimiter):
    path = tmp_path / "suppliers.txt"
    path.write_bytes(_csv(ROWS, delimiter).encode(encoding))
    whole, parts = _read_both_ways(path)
    assert whole == parts == (["S1", "S2"], [])
    assert read_suppliers(path).records[0].products == "ชิ้นส่วนโลหะปั๊มขึ้นรูป"


def test_windows_874_detected_over_the_whole_file_not_its_start(tmp_path):
    # Two megabytes of ASCII rows, then Thai: a guess from the first megabyte would say UTF-8 and fail later.
    filler = [[f"A{i}", "Ascii Co", "automotive", "bolts and nuts " * 20, "Rayong", "", "", "", "", ""]
              for i in range(8000)]
    path = tmp_path / "suppliers.csv"
    path.write_bytes(_csv(filler + ROWS).encode("cp874"))
    assert path.stat().st_size > 2 << 20
    whole, parts = _read_both_ways(path)
    assert whole == parts and whole[1] == [] and whole[0][-2:] == ["S1", "S2"]
    assert read_suppliers(path).records[-1].products == "ผ้าไหมทอมือ"


def test_bytes_no_encoding_reads_name_the_line(tmp_path):
    raw = (_csv(ROWS).encode("utf-8") + "S3,ชื่อ,automotive,ชิ้นส่วน,Rayong\n".encode("utf-8")
           + b"S4,\xff\xfe\xfa,automotive,parts,Rayong\n")
    path = tmp_path / "suppliers.csv"
    path.write_bytes(raw)
    with pytest.raises(InvalidFileError, match=r"suppliers.csv, line 5: cannot decode .*UTF-8 nor Windows-874"):
        read_suppliers(path)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])  # a workbook renamed .csv is still a workbook
def test_excel_workbook_read_with_lines_and_typed_cells(tmp_path, suffix):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(SUPPLIER_HEADER)
    sheet.append(["S1", "บริษัท สยามโลหะ", "automotive", "ชิ้นส่วนโลหะปั๊ม", "ชลบุรี", "IATF16949", 2000000.0, 2, True, False])
    sheet.append(["S2", "Bad", "spaceships", "rockets", "Rayong", None, None, None, None, None])
    sheet.append(["S3", "Silk", "textiles_garments", "ผ้าไหม", "Chiang Mai", None, 1.5e6, None, None, None])
    path = tmp_path / f"suppliers{suffix}"
    book.save(path)
    whole, parts = _read_both_ways(path)
    assert whole[0] == parts[0] == ["S1", "S3"]
    assert len(whole[1]) == 1 and whole[1][0].startswith(f"{path}, line 3, field 'sector'")
    records = read_suppliers(path).records
    assert records[0].capacity_thb_per_month == 2_000_000 and records[0].max_buyers == 2 and records[0].export_ready
    assert records[1].capacity_thb_per_month == 1_500_000


def test_oversized_cell_is_one_bad_row_and_the_rest_kept(tmp_path):
    huge = list(ROWS[1])
    huge[0], huge[3] = "S9", "x" * 300_000
    path = tmp_path / "suppliers.csv"
    path.write_text(_csv([ROWS[0], huge, ROWS[1]]), encoding="utf-8")
    whole, parts = _read_both_ways(path)
    assert whole == parts
    assert whole[0] == ["S1", "S2"] and len(whole[1]) == 1
    assert whole[1][0].startswith(f"{path}, line 3, field 'products': String should have at most 20000")


def test_unclosed_quote_reported_at_the_line_it_opens(tmp_path):
    text = _csv(ROWS) + 'S3,"Open quote Co,automotive,parts,Rayong\r\nS4,Lost,automotive,parts,Rayong\r\n'
    path = tmp_path / "suppliers.csv"
    path.write_text(text, encoding="utf-8")
    whole, parts = _read_both_ways(path)
    assert whole == parts
    assert whole[0] == ["S1", "S2"]
    assert whole[1] == [f"{path}, line 4, field '(row)': a quote opened on line 4 is never closed: lines 4 to 5 "
                        "were read as one record (found 'S3,Open quote Co,automotive,parts,Rayong\\r\\n"
                        "S4,Lost,automotive,parts,Rayong\\r\\n')"]


def test_multi_line_record_reported_at_its_first_line(tmp_path):
    bad = list(ROWS[1])
    bad[1], bad[2] = "Chiang Mai\nSilk\nCo", "spaceships"
    path = tmp_path / "suppliers.csv"
    path.write_text(_csv([bad, ROWS[0]]), encoding="utf-8")
    whole, parts = _read_both_ways(path)
    assert whole == parts == (["S1"], [f"{path}, line 2, field 'sector': Input should be 'automotive', 'cosmetics', "
                                       "'gems_jewelry', 'processed_food', 'textiles_garments', 'palm_oil' or 'other' "
                                       "(found 'spaceships')"])


def test_cells_written_safe_for_spreadsheets_read_back_as_they_were(tmp_path):
    row = list(ROWS[0])
    row[1] = '=HYPERLINK("http://evil")'
    path = tmp_path / "suppliers.csv"
    path.write_text(_csv([[spreadsheet_safe(cell) for cell in row]]), encoding="utf-8")
    assert "'=HYPERLINK" in path.read_text(encoding="utf-8")
    assert read_suppliers(path).records[0].name == '=HYPERLINK("http://evil")'
