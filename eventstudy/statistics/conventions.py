"""Named conventions on which event-study tools disagree, with the project's defaults.

Published tools compute "the same" test differently in a handful of places. Each such choice is a
field of :class:`Conventions`; three presets exist: ``"eventstudy"`` (this project's defaults, the
textbook formulas), ``"estudy2"`` (the R package estudy2 0.10.0, whose numbers ``tests/reference``
reproduces) and ``"eventstudy_r"`` (the R package EventStudy of Mueller, behind EventStudyTools;
reproduced on closed-form panels in ``tests/statistics/test_conventions_eventstudy_r.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Literal

from eventstudy.exceptions import ConfigError

__all__ = ["Conventions", "CONVENTIONS", "get_conventions"]


@dataclass(frozen=True)
class Conventions:
    """Choices that change test statistics (not abnormal returns).

    Attributes
    ----------
    sigma_ddof : {'k', '1'}, default 'k'
        Denominator of the estimation-window residual variance used to standardise abnormal
        returns: ``'k'`` is the OLS s^2 = e'e / (M - k) (MacKinlay 1997, eq. 9); ``'1'`` the sample
        variance of the residuals, e'e / (M - 1) (estudy2).
    market_moments : {'complete', 'all'}, default 'complete'
        Where the forecast-error correction 1 + 1/M + (R_m,t - mean R_m)^2 / S_mm takes the market
        mean and S_mm from: the security's own valid estimation days (``'complete'``: the exact OLS
        prediction variance x'(X'X)^{-1}x) or every estimation day with a market return, also days
        the security is missing (``'all'``: estudy2; M stays the security's count). Only differs for
        securities with missing estimation days, and only when the market series passed to
        :class:`~eventstudy.EventStudy` is a Series (an aligned market frame hides those days).
    forecast_error : bool, default True
        Standardise ARs and CARs with the forecast-error variance (Patell 1976) instead of sigma^2.
    day_sums : {'sum', 'scaled'}, default 'sum'
        How the Corrado-Zivney sign and the rank tests sum over the securities present on an
        estimation day: ``'sum'`` adds them; ``'scaled'`` multiplies their mean by the number of
        securities in the study (estudy2's ``rowMeans(x) * ncol(x)``, which inflates days where some
        securities are missing).
    rank_centering : {'security', 'pooled'}, default 'security'
        Centre of the ranks in the CAR form of the Corrado rank test: each security's own mean rank
        (Cowan 1992) or the mean over securities (estudy2 ``car_rank_test``).
    gsign_p : {'mean', 'pooled'}, default 'mean'
        Expected share of positive ARs in the generalized sign test: the average over securities of
        each one's share over its estimation window (Cowan 1992) or the share over all pooled
        security-days (estudy2).
    car_variance : {'exact', 'sqrt_l', 'daily_sum'}, default 'exact'
        Variance of a CAR over L days (car.csv's t, SCAR and every test built on SCAR):
        ``'exact'`` the forecast-error variance sigma^2 (L + s'As), s the summed event-window
        regressors, which keeps the covariance that the shared estimates induce across days
        (MacKinlay 1997, eq. 12-14); ``'sqrt_l'`` L sigma^2, i.e. CAR / (sqrt(L) sigma) (Brown and
        Warner 1985; the R package EventStudy); ``'daily_sum'`` the sum of the daily forecast-error
        variances sigma^2 sum_t (1 + x_t'Ax_t) (Campbell, Lo and MacKinlay 1997, ignoring the
        covariance). With ``forecast_error=False`` 'exact' and 'daily_sum' reduce to L sigma^2.
    patell : {'scar', 'daily_fe'}, default 'scar'
        Patell's Z over a window: ``'scar'`` sums each security's standardised CAR (variance from
        ``car_variance``), Z = sum_i SCAR_i / sqrt(sum_i Q_i), Q_i = df_i / (df_i - 2) (Patell 1976;
        MacKinlay 1997); ``'daily_fe'`` standardises each day's AR by its forecast-error variance
        whatever ``forecast_error`` says, forms the daily Z_t = sum_i SAR_it / sqrt(sum_i Q_i) and
        sums them, Z = sum_t Z_t / sqrt(L) (the R package EventStudy, whose BMP uses the model
        sigma while its Patell is forecast-error corrected). One day: the daily Z of either form.
    rank_variance : {'mean_square', 'sample'}, default 'mean_square'
        Standard deviation of the daily mean rank in the Corrado rank test: ``'mean_square'``
        sqrt(sum_t k_t^2 / T) over the T combined days (Corrado 1989, eq. 4); ``'sample'`` the
        sample standard deviation with T - 1 and the mean removed (the R package EventStudy: its z
        is sqrt((T - 1)/T) times the default, sqrt(10/11) with 8 + 3 days).
    fe_regressors : {'model', 'market'}, default 'model'
        Regressors of the forecast-error term x'Ax of a factor model: ``'model'`` all of them,
        A = (X'X)^{-1} (the exact OLS prediction variance); ``'market'`` the intercept and the
        market factor only, 1/M + (R_m,t - mean R_m)^2 / S_mm, as for the market model (the R
        package EventStudy applies the market-model correction to every linear model). No effect
        on models with fewer than two regressors.

    References
    ----------
    .. [1] MacKinlay, A. C. (1997). Event studies in economics and finance. JEL 35(1), 13-39.
    .. [2] Patell, J. M. (1976). Corporate forecasts of earnings per share and stock price behavior.
       JAR 14(2), 246-276.
    .. [3] Cowan, A. R. (1992). Nonparametric event study tests. RQFA 2, 343-358.
    .. [4] Brown, S. J., Warner, J. B. (1985). Using daily stock returns. JFE 14(1), 3-31.
    .. [5] Corrado, C. J. (1989). A nonparametric test for abnormal security-price performance in
       event studies. JFE 23(2), 385-395.
    .. [6] Mueller, S. EventStudy: Event Study Analysis (R package), github.com/sipemu/eventstudy,
       R/single_event_test_statistics.R and R/multi_event_test_statistics.R.
    """

    sigma_ddof: Literal["k", "1"] = "k"
    market_moments: Literal["complete", "all"] = "complete"
    forecast_error: bool = True
    day_sums: Literal["sum", "scaled"] = "sum"
    rank_centering: Literal["security", "pooled"] = "security"
    gsign_p: Literal["mean", "pooled"] = "mean"
    car_variance: Literal["exact", "sqrt_l", "daily_sum"] = "exact"
    patell: Literal["scar", "daily_fe"] = "scar"
    rank_variance: Literal["mean_square", "sample"] = "mean_square"
    fe_regressors: Literal["model", "market"] = "model"

    def __post_init__(self) -> None:
        allowed = {
            "sigma_ddof": ("k", "1"),
            "market_moments": ("complete", "all"),
            "day_sums": ("sum", "scaled"),
            "rank_centering": ("security", "pooled"),
            "gsign_p": ("mean", "pooled"),
            "car_variance": ("exact", "sqrt_l", "daily_sum"),
            "patell": ("scar", "daily_fe"),
            "rank_variance": ("mean_square", "sample"),
            "fe_regressors": ("model", "market"),
        }
        for name, options in allowed.items():
            if getattr(self, name) not in options:
                raise ConfigError(
                    f"conventions.{name} must be one of {list(options)}, "
                    f"not {getattr(self, name)!r}"
                )
        if not isinstance(self.forecast_error, bool):
            raise ConfigError("conventions.forecast_error must be true or false")
        if self.fe_regressors == "market" and self.market_moments == "all":
            raise ConfigError("conventions.fe_regressors 'market' cannot be combined with "
                              "conventions.market_moments 'all'; choose one")


CONVENTIONS: dict[str, Conventions] = {
    "eventstudy": Conventions(),
    "estudy2": Conventions(
        sigma_ddof="1", market_moments="all", forecast_error=True, day_sums="scaled",
        rank_centering="pooled", gsign_p="pooled",
    ),
    "eventstudy_r": Conventions(
        sigma_ddof="k", market_moments="complete", forecast_error=False, day_sums="sum",
        rank_centering="security", gsign_p="mean", car_variance="sqrt_l", patell="daily_fe",
        rank_variance="sample", fe_regressors="market",
    ),
}


def get_conventions(value: str | Conventions | dict[str, Any] | None) -> Conventions:
    """Return conventions from a preset name, a mapping of fields over a preset, or an instance.

    A mapping may hold ``preset`` to start from a preset other than ``"eventstudy"``.

    Raises
    ------
    ValueError
        For an unknown preset or field, or a bad value; the message lists the choices.
    """
    if value is None:
        return CONVENTIONS["eventstudy"]
    if isinstance(value, Conventions):
        return value
    if isinstance(value, str):
        try:
            return CONVENTIONS[value]
        except KeyError:
            raise ConfigError(
                f"unknown conventions preset {value!r}; choose one of {sorted(CONVENTIONS)}"
            ) from None
    if isinstance(value, dict):
        opts = dict(value)
        base = get_conventions(str(opts.pop("preset", "eventstudy")))
        known = {f.name for f in fields(Conventions)}
        unknown = sorted(set(opts) - known)
        if unknown:
            raise ConfigError(f"unknown conventions key(s) {unknown}; known: {sorted(known)}")
        return replace(base, **opts)
    raise ConfigError(f"conventions must be a preset name or a mapping, not {type(value).__name__}")
