"""Named conventions on which event-study tools disagree, with the project's defaults.

Published tools compute "the same" test differently in a handful of places. Each such choice is a field
of :class:`Conventions`; two presets exist: ``"eventstudy"`` (this project's defaults, the textbook
formulas) and ``"estudy2"`` (the R package estudy2 0.10.0, whose numbers ``tests/reference`` reproduces).
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
        Denominator of the estimation-window residual variance used to standardise abnormal returns:
        ``'k'`` is the OLS s^2 = e'e / (M - k) (MacKinlay 1997, eq. 9); ``'1'`` the sample variance of
        the residuals, e'e / (M - 1) (estudy2).
    market_moments : {'complete', 'all'}, default 'complete'
        Where the forecast-error correction 1 + 1/M + (R_m,t - mean R_m)^2 / S_mm takes the market mean
        and S_mm from: the security's own valid estimation days (``'complete'``: the exact OLS
        prediction variance x'(X'X)^{-1}x) or every estimation day with a market return, also days the
        security is missing (``'all'``: estudy2; M stays the security's count). Only differs for
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

    References
    ----------
    .. [1] MacKinlay, A. C. (1997). Event studies in economics and finance. JEL 35(1), 13-39.
    .. [2] Patell, J. M. (1976). Corporate forecasts of earnings per share and stock price behavior.
       JAR 14(2), 246-276.
    .. [3] Cowan, A. R. (1992). Nonparametric event study tests. RQFA 2, 343-358.
    .. [4] Brown, S. J., Warner, J. B. (1985). Using daily stock returns. JFE 14(1), 3-31.
    """

    sigma_ddof: Literal["k", "1"] = "k"
    market_moments: Literal["complete", "all"] = "complete"
    forecast_error: bool = True
    day_sums: Literal["sum", "scaled"] = "sum"
    rank_centering: Literal["security", "pooled"] = "security"
    gsign_p: Literal["mean", "pooled"] = "mean"
    car_variance: Literal["exact", "sqrt_l", "daily_sum"] = "exact"

    def __post_init__(self) -> None:
        allowed = {
            "sigma_ddof": ("k", "1"),
            "market_moments": ("complete", "all"),
            "day_sums": ("sum", "scaled"),
            "rank_centering": ("security", "pooled"),
            "gsign_p": ("mean", "pooled"),
            "car_variance": ("exact", "sqrt_l", "daily_sum"),
        }
        for name, options in allowed.items():
            if getattr(self, name) not in options:
                raise ConfigError(
                    f"conventions.{name} must be one of {list(options)}, not {getattr(self, name)!r}"
                )
        if not isinstance(self.forecast_error, bool):
            raise ConfigError("conventions.forecast_error must be true or false")


CONVENTIONS: dict[str, Conventions] = {
    "eventstudy": Conventions(),
    "estudy2": Conventions(
        sigma_ddof="1", market_moments="all", forecast_error=True, day_sums="scaled",
        rank_centering="pooled", gsign_p="pooled",
    ),
}


def get_conventions(value: str | Conventions | dict[str, Any] | None) -> Conventions:
    """Return conventions from a preset name, a mapping of fields (over the defaults) or an instance.

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
