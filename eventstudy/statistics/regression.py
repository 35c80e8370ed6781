"""Cross-sectional regression of CARs on event or firm characteristics (robust standard errors)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from eventstudy.exceptions import ConfigError

__all__ = ["car_regression", "COV_TYPES"]

COV_TYPES = ("HC0", "HC1", "HC2", "HC3", "nonrobust")


def car_regression(
    car: pd.Series,
    data: pd.DataFrame,
    x: Sequence[str],
    *,
    cov_type: Literal["HC0", "HC1", "HC2", "HC3", "nonrobust"] = "HC1",
) -> Any:
    r"""Regress CAR_i on characteristics by OLS with heteroskedasticity-robust standard errors.

    Parameters
    ----------
    car : pandas.Series
        CAR per security-event, indexed by (event_id, ticker), decimals.
    data : pandas.DataFrame
        Characteristics: columns ``x`` plus the keys to match on, ``event_id`` and/or ``ticker``
        (an index with those names also works). Firm characteristics need only ``ticker``, event
        characteristics only ``event_id``.
    x : sequence of str
        Regressors; a constant is added.
    cov_type : {'HC1', 'HC0', 'HC2', 'HC3', 'nonrobust'}, default 'HC1'
        White (1980) heteroskedasticity-consistent covariance (HC1: n/(n-k) scaled; HC3:
        MacKinnon and White 1985, better in small samples).

    Returns
    -------
    statsmodels.regression.linear_model.RegressionResultsWrapper
        ``params``, ``bse``, ``tvalues``, ``pvalues``, ``conf_int()``, ``nobs``; security-events
        with a missing CAR or characteristic are left out (``nobs`` says how many remain).

    Raises
    ------
    ConfigError
        When a regressor or the key columns are missing, or fewer observations than parameters
        remain; the message names them.

    Notes
    -----
    .. math:: CAR_i = \gamma_0 + \gamma' z_i + u_i

    the second-stage regression of event studies (MacKinlay 1997, section 8), with the robust
    covariance because CAR variances differ across securities.

    References
    ----------
    .. [1] MacKinlay, A. C. (1997). Event studies in economics and finance. JEL 35(1), 13-39.
    .. [2] White, H. (1980). A heteroskedasticity-consistent covariance matrix estimator and a
       direct test for heteroskedasticity. Econometrica 48(4), 817-838.
    .. [3] MacKinnon, J. G., White, H. (1985). Some heteroskedasticity-consistent covariance matrix
       estimators with improved finite sample properties. J. Econometrics 29(3), 305-325.
    """
    import statsmodels.api as sm

    if cov_type not in COV_TYPES:
        raise ConfigError(f"regression cov_type must be one of {list(COV_TYPES)}, not {cov_type!r}")
    frame = data.reset_index() if any(n in ("event_id", "ticker") for n in data.index.names) \
        else data.copy()
    keys = [k for k in ("event_id", "ticker") if k in frame.columns]
    if not keys:
        raise ConfigError("regression data need an event_id and/or ticker column to match CARs")
    missing = [c for c in x if c not in frame.columns]
    if missing:
        raise ConfigError(f"regression data lack column(s) {missing} (have {list(frame.columns)})")
    if frame.duplicated(keys).any():
        raise ConfigError(f"regression data repeat a {'/'.join(keys)} key: one row per key")
    left = car.rename("car").reset_index()
    for k in keys:
        frame[k] = frame[k].astype(str)
    merged = left.merge(frame[[*keys, *x]], on=keys, how="left")
    merged = merged.replace([np.inf, -np.inf], np.nan).dropna(subset=["car", *x])
    if len(merged) <= len(x) + 1:
        raise ConfigError(f"regression: {len(merged)} security-events with a CAR and all of "
                          f"{list(x)}; need more than {len(x) + 1}")
    X = sm.add_constant(merged[list(x)].astype("float64"), has_constant="add")
    model = sm.OLS(merged["car"].astype("float64"), X)
    return model.fit() if cov_type == "nonrobust" else model.fit(cov_type=cov_type)
