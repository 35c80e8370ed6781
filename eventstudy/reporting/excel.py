"""Write tables.xlsx: one worksheet per table, written straight as SpreadsheetML.

The whole package (content types, relationships, workbook, styles and one worksheet per table) is
assembled here as text and zipped with :mod:`zipfile`; openpyxl is not used (it took about 0.2 ms
a row: 1.2-1.7 s of CPU for the DeepSeek tables, its import included). Each sheet's text is built
column by column by Arrow compute functions, a few microseconds a row.

The package holds only what a reader needs (ECMA-376 Part 1, SpreadsheetML): no theme, no document
properties, and a fixed timestamp on every zip entry, so the same tables give the same bytes.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["DOLLAR_COLUMNS", "PERCENT_COLUMNS", "write_workbook", "worksheet_xml",
           "sheet_names"]

PERCENT_COLUMNS = frozenset({"ret", "ar", "car", "caar", "aar", "normal_ret", "bhar", "weight",
                             "contribution", "share_of_move", "index_without_group",
                             "equal_weighted", "index_return", "reconstructed", "gap",
                             "market_return"})
"""Decimal columns that tables.xlsx shows with a percentage format (the cells stay decimals)."""

DOLLAR_COLUMNS = frozenset({"dollar_change", "market_value_before"})
"""US-dollar columns that tables.xlsx shows as whole dollars with thousands separators."""

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

# Cell style ids: positions in the cellXfs list of _STYLES.
_BOLD, _PERCENT, _FLOAT, _DATETIME, _DOLLARS = 1, 2, 3, 4, 5
_STYLES = (
    f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="0.0000"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>'
    '<fonts count="2">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="6">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    # 10 is the built-in format 0.00%
    '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    # 3 is the built-in format #,##0
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)

# Characters XML 1.0 does not allow (openpyxl refused them); removed from text. The same class
# for Python's re and for Arrow's RE2.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ILLEGAL_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"
_SHEET_NAME_BAD = re.compile(r"[\\/?*\[\]:]")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial 0; right for dates from 1900-03-01 on


def _column_letters(n: int) -> list[str]:
    """Return the column letters of the first ``n`` columns: A, B, ..., Z, AA, ..."""
    out = []
    for i in range(n):
        s, i = "", i + 1
        while i:
            i, r = divmod(i - 1, 26)
            s = chr(65 + r) + s
        out.append(s)
    return out


def _text(value: str) -> str:
    """Return the ``<t>`` element of one string: illegal characters removed, escaped."""
    value = _ILLEGAL.sub("", value)
    if value != value.strip():  # Excel trims leading and trailing spaces without it
        return f'<t xml:space="preserve">{escape(value)}</t>'
    return f"<t>{escape(value)}</t>"


def _object_body(value: object) -> str | None:
    """Return the cell body of one value of a column of mixed types (None: no cell).

    Missing values (None, NaN, NA, NaT), empty strings and infinities give no cell; booleans
    and numbers keep their type (no number format); anything else is written as its text.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return f' t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, np.integer)):
        return f"><v>{int(value)}</v></c>"
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return f"><v>{v!r}</v></c>" if np.isfinite(v) else None
    text = value if isinstance(value, str) else str(value)
    return f' t="inlineStr"><is>{_text(text)}</is></c>' if text else None


def _arrow(values: pd.Series, type: pa.DataType | None = None) -> pa.Array:
    """Return ``values`` as one Arrow array (of ``type``), null where pandas has missing values.

    (A pandas column backed by Arrow can come as several chunks.)
    """
    array = pa.array(values, type=type, from_pandas=True)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _numbers(values: np.ndarray) -> pa.Array:
    """Return float64 ``values`` as text, null where not finite (Excel holds no NaN nor inf).

    Arrow writes the shortest text that reads back as the same double, as ``repr`` does, in an
    eighth of the time.
    """
    return pa.array(values, mask=~np.isfinite(values)).cast(pa.string())


def _inline_strings(text: pa.Array) -> pa.Array:
    """Return the cell bodies of strings (:func:`_cell_bodies`); null for null or ``""``."""
    if pc.any(pc.match_substring_regex(text, _ILLEGAL_RE2)).as_py():
        text = pc.replace_substring_regex(text, _ILLEGAL_RE2, "")
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)  # no cell
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = pc.replace_substring(text, char, entity)
    # Excel trims leading and trailing spaces without xml:space
    tag = pc.if_else(pc.equal(pc.utf8_trim_whitespace(text), text), "<t>",
                     '<t xml:space="preserve">')
    return pc.binary_join_element_wise(' t="inlineStr"><is>', tag, text, "</t></is></c>", "")


def _cell_bodies(values: pd.Series) -> list[pa.Array | str]:
    """Return the text of each cell of a column after its reference, as pieces to join.

    The pieces joined element-wise give, for each row, e.g. ``' s="2"><v>0.1</v></c>'``, or
    null for an empty cell. Floats carry the number format of their column (percent for
    :data:`PERCENT_COLUMNS`, by ``values.name``), datetimes without time zone are Excel dates,
    booleans booleans, integers plain numbers (``t="n"`` is the default type), strings inline
    strings.
    """
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return [' t="b"><v>', pc.if_else(_arrow(values, pa.bool_()), "1", "0"), "</v></c>"]
    if pd.api.types.is_integer_dtype(dtype):
        return ["><v>", _arrow(values).cast(pa.string()), "</v></c>"]
    if pd.api.types.is_float_dtype(dtype):
        name = str(values.name)
        style = (_PERCENT if name in PERCENT_COLUMNS else _DOLLARS if name in DOLLAR_COLUMNS
                 else _FLOAT)
        floats = values.to_numpy(dtype="float64", na_value=np.nan)
        return [f' s="{style}"><v>', _numbers(floats), "</v></c>"]
    if isinstance(dtype, np.dtype) and dtype.kind == "M":  # no time zone: days from the epoch
        serial = ((values - _EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy(
            dtype="float64", na_value=np.nan)
        return [f' s="{_DATETIME}"><v>', _numbers(serial), "</v></c>"]
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        return [pa.array([_object_body(v) for v in values.astype(object).tolist()],
                         type=pa.string())]
    # strings repeat (tickers, groups, dates): each distinct one is written once
    codes = pc.dictionary_encode(_arrow(values, pa.string()))
    return [pc.take(_inline_strings(codes.dictionary), codes.indices)]


def worksheet_xml(frame: pd.DataFrame, *, selected: bool = False) -> str:
    """Return the worksheet XML of ``frame``: a bold, frozen header row and one row per row.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; its index is not written, its column names are the header.
    selected : bool, default False
        Mark the sheet as the selected tab (the workbook's first sheet).

    Returns
    -------
    str
        A SpreadsheetML ``<worksheet>`` element. Numbers are numbers (floats at full precision,
        the shortest text that reads back as the same double), booleans booleans, text inline
        strings (escaped); NaN, None, empty strings and the infinities are empty cells. Floats
        of :data:`PERCENT_COLUMNS` carry the number format ``0.00%``, other floats ``0.0000``,
        datetimes ``yyyy-mm-dd h:mm:ss``, integers none.

    Notes
    -----
    Built column by column with Arrow compute functions (the cells' text, then each row's), so
    no Python code runs per cell except in columns of mixed types.
    """
    n_rows, n_cols = frame.shape
    letters = _column_letters(n_cols)
    rows = []
    if n_cols:
        header = "".join(f'<c r="{letter}1" s="{_BOLD}" t="inlineStr"><is>{_text(str(c))}</is></c>'
                         for c, letter in zip(frame.columns, letters, strict=True))
        rows.append(f'<row r="1">{header}</row>')
    if n_rows and n_cols:
        number = pa.array(np.arange(2, n_rows + 2)).cast(pa.string())
        cells = [pc.binary_join_element_wise(f'<c r="{letter}', number, '"',
                                             *_cell_bodies(frame.iloc[:, j].rename(str(c))), "")
                 for j, (c, letter) in enumerate(zip(frame.columns, letters, strict=True))]
        body = pc.binary_join_element_wise('<row r="', number, '">', *cells, "</row>", "",
                                           null_handling="replace")  # an empty cell: ""
        rows.extend(body.to_pylist())
    dimension = f"A1:{letters[-1]}{n_rows + 1}" if n_cols else "A1"
    tab = ' tabSelected="1"' if selected else ""
    return (f'<worksheet xmlns="{_MAIN}"><dimension ref="{dimension}"/>'
            f'<sheetViews><sheetView{tab} workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetData>{"".join(rows)}</sheetData></worksheet>')


def sheet_names(names: list[str]) -> list[str]:
    r"""Return the sheet names of tables named ``names``: cut to Excel's 31 characters.

    Raises
    ------
    ValueError
        For a name that is empty, holds one of ``\ / ? * [ ] :``, or is the same as an earlier
        one once cut (Excel compares sheet names without case).
    """
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        sheet = _ILLEGAL.sub("", name)[:31]
        if not sheet or _SHEET_NAME_BAD.search(sheet) or sheet.lower() in seen:
            raise ValueError(f"table {name!r} cannot name an Excel sheet (sheet names are 1-31 "
                             "characters without \\ / ? * [ ] : and differ without case)")
        seen.add(sheet.lower())
        out.append(sheet)
    return out


def write_workbook(tables: Mapping[str, pd.DataFrame], path: str | Path, *,
                   compresslevel: int = 1) -> None:
    """Write one sheet per table to the xlsx file ``path``, in the order of ``tables``.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Sheet name (cut to 31 characters) to table; see :func:`worksheet_xml` for the cells.
    path : str or pathlib.Path
        The file to write (replaced if it exists).
    compresslevel : int, default 1
        zlib level of the zip entries: 1 costs a quarter of the CPU of 6 for a file a fifth
        larger (DeepSeek: 0.06 s and 1.9 MB, against 0.22 s and 1.6 MB).

    Raises
    ------
    ValueError
        When a table's name cannot name a sheet (:func:`sheet_names`).

    Notes
    -----
    Every sheet has a bold header row, frozen below it. The package holds
    ``[Content_Types].xml``, ``_rels/.rels``, ``xl/workbook.xml``, its relationships,
    ``xl/styles.xml`` (the cell formats) and ``xl/worksheets/sheetN.xml``; it reads in Excel,
    LibreOffice and openpyxl (hence ``pandas.read_excel``). Writing it here instead of letting
    openpyxl write a skeleton keeps the style ids the sheets refer to defined in the same file
    as the sheets, and spares the openpyxl import (about 0.2 s) and a second pass over the zip.
    """
    names = sheet_names([str(k) for k in tables])
    sheets = [f"xl/worksheets/sheet{i}.xml" for i in range(1, len(names) + 1)]
    content_types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        + "".join(f'<Override PartName="/{s}" ContentType="{_SHEET_TYPE}"/>' for s in sheets)
        + "</Types>")
    root_rels = (f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
                 f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    workbook = (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/>'
        '<bookViews><workbookView activeTab="0"/></bookViews><sheets>'
        + "".join(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
                  for i, name in enumerate(names, start=1))
        + "</sheets></workbook>")
    workbook_rels = (
        f'<Relationships xmlns="{_PKG_REL}">'
        + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" '
                  f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
        + f'<Relationship Id="rId{len(names) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        "</Relationships>")
    parts = [("[Content_Types].xml", content_types), ("_rels/.rels", root_rels),
             ("xl/workbook.xml", workbook), ("xl/_rels/workbook.xml.rels", workbook_rels),
             ("xl/styles.xml", _STYLES)]
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in parts:
            _write_part(zf, name, text, compresslevel)
        for i, (part, frame) in enumerate(zip(sheets, tables.values(), strict=True)):
            _write_part(zf, part, worksheet_xml(frame, selected=i == 0), compresslevel)


def _write_part(zf: zipfile.ZipFile, name: str, text: str, compresslevel: int) -> None:
    """Add one part, deflated, with a fixed timestamp (the same tables give the same bytes)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                       + text).encode("utf-8"), compresslevel=compresslevel)
