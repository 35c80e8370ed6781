"""The DeepSeek study gives the same numbers at every supported release of its libraries (issue 18).

CI runs the suite twice, at the newest releases and at the declared minimums
(``.ci/constraints-min.txt``); both must reproduce the CAARs and every test statistic and p-value of
``configs/deepseek_2025.yaml`` stored in ``tests/reference/deepseek_2025_numbers.csv`` (written at
the newest releases of 2026-12: numpy 2.4, pandas 3.1, scipy 1.17, statsmodels 0.15,
exchange_calendars 4.13) to rtol 1e-10. A release that changed a default or a computation fails
here; one that moved a session (exchange_calendars < 4.7 keep the NYSE open on 2025-01-09, a day
without prices) fails ``tests/data/test_cli_data.py`` by the warning it adds. After an intended
change of the numbers, rewrite the file::

    .venv/bin/python tests/test_same_numbers.py
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy
from eventstudy.data import BundledSource

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "reference" / "deepseek_2025_numbers.csv"
KEY = ["event_id", "group", "tau_start", "tau_end", "test"]


def numbers() -> pd.DataFrame:
    """Return the study's CAARs (as test ``caar``) and its tests, one row per key, sorted."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy.from_yaml(REPO / "configs" / "deepseek_2025.yaml",
                                   source=BundledSource()).fit()
    caar = res.caar_table().rename(columns={"caar": "statistic"}).assign(test="caar")
    caar = caar[[*KEY, "statistic", "p_value", "n"]]
    tests = res.tests[[*KEY, "statistic", "p_value", "n"]]
    out = pd.concat([caar, tests], ignore_index=True)
    out["n"] = out["n"].astype("int64")
    return out.sort_values(KEY).reset_index(drop=True)


def test_deepseek_numbers_equal_the_reference():
    got = numbers()
    ref = pd.read_csv(GOLDEN, float_precision="round_trip", dtype={"event_id": str, "group": str,
                                                                   "test": str})
    assert got[KEY].astype(str).values.tolist() == ref[KEY].astype(str).values.tolist()
    assert got["n"].tolist() == ref["n"].tolist()
    for col in ("statistic", "p_value"):
        # rtol 1e-10: the bar for "the same numbers"; atol 1e-14 only for p-values that
        # are 0 to double precision (e.g. Patell's), whose last digits are the special function's
        np.testing.assert_allclose(got[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-10,
                                   atol=1e-14, equal_nan=True, err_msg=col)


@pytest.mark.parametrize("col", ["statistic", "p_value"])
def test_reference_file_is_not_trivial(col):
    ref = pd.read_csv(GOLDEN, float_precision="round_trip")
    assert len(ref) >= 100 and ref[col].notna().sum() >= 100
    assert ref.loc[ref["test"] == "caar", col].abs().max() > 0


if __name__ == "__main__":
    numbers().to_csv(GOLDEN, index=False, float_format="%.17g")
    print(f"wrote {GOLDEN.relative_to(REPO)}")
