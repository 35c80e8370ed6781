"""tables.xlsx: every sheet written as SpreadsheetML by eventstudy.reporting.excel, read back."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from eventstudy.reporting import export
from eventstudy.reporting.excel import sheet_names, write_workbook
from eventstudy.reporting.export import excel_headline, report_tables

# ret is a decimal-return column (PERCENT_COLUMNS), t another float, n an integer
FRAME = pd.DataFrame({
    "ticker": ["NVDA", "<&>", "Zürich €—日本", None],
    "ret": [0.0123, -0.5, np.nan, 1e-7],
    "t": [1.5, np.inf, -2.25, 0.1 + 0.2],
    "n": [1, 2, 3, -4],
    "flag": [True, False, True, False],
    "note": [" padded ", "a\x01b", "", "line\nbreak"],
})
OTHER = pd.DataFrame({"when": pd.to_datetime(["2025-01-27 00:00", "2025-01-28 13:30", None]),
                      "mixed": [1, "x", True], "car": [0.25, -0.125, 0.0]})
EMPTY = pd.DataFrame({"group": pd.Series([], dtype=object), "caar": pd.Series([], dtype=float)})


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    """FRAME, OTHER and EMPTY written in the order zeta, alpha, empty (not alphabetical)."""
    path = tmp_path_factory.mktemp("xlsx") / "tables.xlsx"
    write_workbook({"zeta": FRAME, "alpha": OTHER, "empty": EMPTY}, path)
    return path


def test_sheets_keep_their_names_and_order(workbook):
    assert load_workbook(workbook, read_only=True).sheetnames == ["zeta", "alpha", "empty"]


def test_header_is_bold_and_frozen_on_every_sheet(workbook):
    wb = load_workbook(workbook)
    for ws, frame in zip(wb, (FRAME, OTHER, EMPTY), strict=True):
        assert [c.value for c in ws[1]] == list(frame.columns)
        assert all(c.font.b for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert ws.max_row == len(frame) + 1
    assert not wb["zeta"]["A2"].font.b  # the body is not bold


def test_cells_keep_values_types_and_formats(workbook):
    ws = load_workbook(workbook)["zeta"]
    rows = [[(c.value, c.data_type, c.number_format) for c in r]
            for r in ws.iter_rows(min_row=2, max_col=5)]
    assert rows[0] == [("NVDA", "s", "General"), (0.0123, "n", "0.00%"), (1.5, "n", "0.0000"),
                       (1, "n", "General"), (True, "b", "General")]
    assert rows[1][0][0] == "<&>"  # escaped in the XML, read back as written
    assert rows[2][0][0] == "Zürich €—日本"
    assert rows[3][0][0] is None  # a missing text: an empty cell
    assert rows[2][1][0] is None  # NaN: an empty cell
    assert rows[1][2][0] is None  # inf (Excel holds none): an empty cell
    assert rows[3][2][0] == 0.1 + 0.2  # full precision, not 0.3
    assert rows[3][1][:2] == (1e-7, "n")
    assert [r[3][0] for r in rows] == [1, 2, 3, -4]
    assert all(type(r[3][0]) is int for r in rows)  # integers, not floats or booleans
    assert [r[4][0] for r in rows] == [True, False, True, False]


def test_text_keeps_spaces_and_drops_what_xml_cannot_hold(workbook):
    ws = load_workbook(workbook)["zeta"]
    notes = [c.value for c in ws["F"][1:]]
    assert notes == [" padded ", "ab", None, "line\nbreak"]  # "" is an empty cell


def test_datetimes_are_dates_and_mixed_columns_keep_each_type(workbook):
    ws = load_workbook(workbook)["alpha"]
    when = [c.value for c in ws["A"][1:]]
    assert when == [pd.Timestamp("2025-01-27"), pd.Timestamp("2025-01-28 13:30"), None]
    assert ws["A2"].number_format == "yyyy-mm-dd h:mm:ss"
    assert [c.value for c in ws["B"][1:]] == [1, "x", True]
    assert [c.data_type for c in ws["B"][1:]] == ["n", "s", "b"]
    assert ws["C2"].number_format == "0.00%"  # by the column's name, on any sheet


def test_pandas_reads_back_the_frames(workbook):
    back = pd.read_excel(workbook, sheet_name=None, keep_default_na=False, na_values=[""])
    assert list(back) == ["zeta", "alpha", "empty"]
    expected = FRAME.assign(t=FRAME["t"].replace(np.inf, np.nan),
                            note=[" padded ", "ab", np.nan, "line\nbreak"])
    pd.testing.assert_frame_equal(back["zeta"], expected, check_exact=True)
    pd.testing.assert_frame_equal(back["alpha"], OTHER, check_exact=True, check_dtype=False)
    assert list(back["empty"].columns) == ["group", "caar"] and back["empty"].empty


def test_floats_round_trip_exactly(tmp_path):
    rng = np.random.default_rng(12)
    x = np.concatenate([rng.standard_normal(2000) * 10.0 ** rng.integers(-12, 12, 2000),
                        [5e-324, 1.7976931348623157e308, -0.0, 1e16, 1e21, 123456789.123]])
    write_workbook({"ar": pd.DataFrame({"ar": x})}, tmp_path / "x.xlsx")
    back = pd.read_excel(tmp_path / "x.xlsx")["ar"].to_numpy()
    assert np.array_equal(back, x)  # bit for bit (-0.0 == 0.0 aside)


def test_same_tables_give_the_same_bytes(tmp_path):
    # report.manifest hashes every file: tables.xlsx no longer changes with the clock
    write_workbook({"zeta": FRAME}, tmp_path / "a.xlsx")
    write_workbook({"zeta": FRAME}, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as zf:  # the same in another second, too
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_package_holds_only_its_parts(workbook):
    with zipfile.ZipFile(workbook) as zf:
        assert zf.namelist() == ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                                 "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                                 "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
                                 "xl/worksheets/sheet3.xml"]
        sheet = zf.read("xl/worksheets/sheet1.xml")
    assert b"&lt;&amp;&gt;" in sheet
    assert b'<t xml:space="preserve"> padded </t>' in sheet  # Excel would trim it otherwise


def test_sheet_names_are_cut_to_31_characters_and_checked():
    assert sheet_names(["a" * 40, "b"]) == ["a" * 31, "b"]
    for bad in (["a/b"], ["x[1]"], [""], ["a" * 32, "a" * 33], ["Tests", "tests"]):
        with pytest.raises(ValueError, match="cannot name an Excel sheet"):
            sheet_names(bad)


def test_deepseek_tables_read_back_equal(deepseek, tmp_path):
    sheets = {"headline": excel_headline(deepseek), **report_tables(deepseek)}
    export._write_excel(sheets, tmp_path / "tables.xlsx")
    back = pd.read_excel(tmp_path / "tables.xlsx", sheet_name=None, keep_default_na=False,
                         na_values=[""])
    assert list(back) == list(sheets)
    for name, frame in sheets.items():
        # an empty string is an empty cell, as it was with openpyxl
        # (per text column: DataFrame.replace warns of downcasting at pandas 2.2, the minimum)
        blank = frame.apply(lambda c: c.where(c.astype(str) != "", np.nan)
                            if c.dtype == object or pd.api.types.is_string_dtype(c) else c)
        pd.testing.assert_frame_equal(back[name], blank, check_exact=True,
                                      check_dtype=False, obj=name)
    # every sheet formatted, the 11,000-row AR sheet too (it was written plain)
    wb = load_workbook(tmp_path / "tables.xlsx", read_only=True)
    for name in sheets:
        header = [c.value for c in next(wb[name].iter_rows(max_row=1))]
        first = next(wb[name].iter_rows(min_row=2, max_row=2))
        for col, cell in zip(header, first, strict=True):
            if col in ("ar", "caar", "ret") and cell.value is not None:
                assert cell.number_format == "0.00%", (name, col)
            if col in ("t", "p_value") and cell.value is not None:
                assert cell.number_format == "0.0000", (name, col)
            if col in ("dollar_change", "market_value_before") and cell.value is not None:
                assert cell.number_format == "#,##0", (name, col)  # not -799577882470.7888
    assert len(back["ar"]) > 5000
    assert "market_value" in sheets
