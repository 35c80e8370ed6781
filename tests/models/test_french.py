"""Ken French daily factor files in their original layout (../shared/data/factors)."""

from __future__ import annotations

import numpy as np
import pytest

from eventstudy.data.french import read_french
from eventstudy.exceptions import DataShapeError


@pytest.fixture(scope="module")
def factors_dir(shared_data):
    return shared_data / "factors"


def test_five_factor_file_percent_to_decimals(factors_dir):
    f = read_french(factors_dir / "F-F_Research_Data_5_Factors_2x3_daily.CSV")
    assert list(f.columns) == ["Mkt-RF", "SMB", "HML", "RMW", "CMA", "RF"]
    row = f.loc["2025-01-27"]
    # Published values in percent: Mkt-RF -1.49, SMB 0.32, HML 2.52, RMW -0.13, CMA -1.70, RF 0.02.
    np.testing.assert_allclose(row.to_numpy(), [-0.0149, 0.0032, 0.0252, -0.0013, -0.0170, 0.0002],
                               rtol=1e-12)
    assert f.index[0].strftime("%Y-%m-%d") == "1963-07-01"
    assert f.index[-1].strftime("%Y-%m-%d") == "2026-01-30"  # footer not read as data
    assert f.index.is_monotonic_increasing and not f.isna().any().any()


def test_reformatted_dates_variant(factors_dir):
    f = read_french(factors_dir / "F-F_Research_Data_Factors_daily.reformatted.csv")
    assert list(f.columns) == ["Mkt-RF", "SMB", "HML", "RF"]
    assert f.loc["2025-01-27", "Mkt-RF"] == pytest.approx(-0.0149, rel=1e-12)
    assert f.loc["2025-01-27", "RF"] == pytest.approx(0.0002, rel=1e-12)
    assert f.loc["2025-01-27", "SMB"] == pytest.approx(-0.0067, rel=1e-12)  # FF3's SMB, not FF5's


def test_join_with_momentum(factors_dir):
    f = read_french(factors_dir / "F-F_Research_Data_5_Factors_2x3_daily.CSV",
                    factors_dir / "F-F_Momentum_Factor_daily.CSV")
    assert f.loc["2025-01-27", "Mom"] == pytest.approx(-0.0328, rel=1e-12)
    assert f.loc["2025-01-27", "Mkt-RF"] == pytest.approx(-0.0149, rel=1e-12)


def test_missing_codes_become_nan(tmp_path):
    p = tmp_path / "f.CSV"
    p.write_bytes(b"preamble line\r\n\r\n,Mkt-RF,RF\r\n20240102,  -99.99,  0.02\r\n"
                  b"20240103,   1.00, -999\r\n\r\nCopyright\r\n")
    f = read_french(p)
    assert np.isnan(f.loc["2024-01-02", "Mkt-RF"]) and np.isnan(f.loc["2024-01-03", "RF"])
    assert f.loc["2024-01-03", "Mkt-RF"] == pytest.approx(0.01)


def test_not_a_french_file_names_the_file(tmp_path):
    p = tmp_path / "prices.csv"
    p.write_text("ticker,close\nAAPL,10\n")
    with pytest.raises(DataShapeError, match="prices.csv"):
        read_french(p)
    q = tmp_path / "bad.CSV"
    q.write_text(",Mkt-RF,RF\n20240102, 1.0\n")
    with pytest.raises(DataShapeError, match="line 2"):
        read_french(q)


@pytest.mark.parametrize(("name", "vintage"), [
    ("F-F_Research_Data_5_Factors_2x3_daily.CSV", "202601"),
    ("F-F_Momentum_Factor_daily.CSV", "202601"),
    ("F-F_Research_Data_Factors_daily.reformatted.csv", "202604"),
])
def test_c43_vintage_of_the_real_files_is_read(factors_dir, name, vintage):
    # Their first line: "This file was created by using the 202601 CRSP database." (C43 wording:
    # "created using the 202504 CRSP database"); both must give the vintage, not 'not stated'.
    assert read_french(factors_dir / name).attrs["vintages"] == [vintage]


def test_c43_vintage_read_from_both_files_when_joined(factors_dir):
    f = read_french(factors_dir / "F-F_Research_Data_5_Factors_2x3_daily.CSV",
                    factors_dir / "F-F_Research_Data_Factors_daily.reformatted.csv")
    assert f.attrs["vintages"] == ["202601", "202604"]


@pytest.mark.parametrize(("first_line", "vintage"), [
    ("This file was created by using the 202601 CRSP database.", "202601"),  # French's files
    ("This file was created using the 202504 CRSP database. The 1-month TBill rate data until "
     "202405 are from Ibbotson Associates.", "202504"),  # case C43's wording
    ("This file was created with the 202512 CRSP data.", "202512"),
    ("This file was constructed using the\r\n2026-03 CRSP database.", "202603"),  # split over lines
    ("Created by using the 202601 crsp database", "202601"),
    ("Based on the 202511 CRSP database.", "202511"),  # no creation verb: the bare form
    ("The 1-month TBill rate data until 202405 are from Ibbotson Associates.", "not stated"),
])
def test_c43_vintage_wordings(tmp_path, first_line, vintage):
    p = tmp_path / "f.CSV"
    p.write_bytes(first_line.encode() + b"\r\n\r\n,Mkt-RF,RF\r\n20240102,  1.00,  0.02\r\n\r\n")
    assert read_french(p).attrs["vintages"] == [vintage]
