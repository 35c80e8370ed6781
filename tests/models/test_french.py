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
