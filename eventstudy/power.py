r"""Size and power of an event-study design on the study's own data (Brown and Warner 1985).

Placebo security-events are drawn from the study's panel (securities and day-0 sessions away from
the real events), an abnormal return of a given size is added on day 0 (optionally with
event-induced variance), and the study's tests are run on each placebo sample: the share of
samples in which a test rejects at level alpha is its size (AR = 0) or power (AR > 0). Every
sample is fitted with the batched model fit and tested with the same test functions as the study
(:func:`eventstudy.models.fit_batch`, :func:`eventstudy.statistics.run_test`), so the figures
describe exactly the tests the report uses.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from eventstudy._typing import Float64Array, Window
from eventstudy.eventtime import gather
from eventstudy.exceptions import ConfigError, DataUnavailableError, EventStudyWarning
from eventstudy.models import NormalReturnModel, fit_batch, get_model
from eventstudy.statistics.battery import check_test_names, run_test
from eventstudy.statistics.conventions import Conventions, get_conventions
from eventstudy.statistics.panel import TestPanel, build_panel
from eventstudy.windows import check_windows, span, taus, window_length

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["power", "simulate_power", "PowerResults", "wilson_interval", "POWER_COLUMNS"]

MIN_PLACEBO_DATES = 60
"""Fewer distinct placebo sessions than this and :func:`simulate_power` warns."""

POWER_COLUMNS = ["test", "n_events", "ar", "variance_multiple", "rejections", "reps", "rate",
                 "ci_low", "ci_high"]


def wilson_interval(k: Float64Array, n: int, level: float = 0.95) -> tuple[Float64Array, ...]:
    r"""Return the Wilson score interval of a binomial proportion k / n.

    Notes
    -----
    .. math:: \frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
       inference. JASA 22(158), 209-212.
    """
    from scipy.special import ndtri

    z = float(ndtri(0.5 + level / 2.0))
    p = np.asarray(k, dtype="float64") / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


@dataclass(frozen=True)
class PowerResults:
    """Rejection rates of each test on placebo samples (frozen).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per test x sample size x AR size x variance multiple: test, n_events, ar (decimal
        added on day 0), variance_multiple, rejections, reps, rate (share of samples with p <
        alpha), ci_low, ci_high (95% Wilson interval of the rate).
    alpha : float
        Level of the tests.
    window : tuple of int
        Tau window the tests are run over.
    reps : int
        Placebo samples per sample size.
    seed : int
    dates : {'random', 'common'}
        Placebo day 0 drawn per security-event, or one date per sample (clustered events).
    candidates : int
        Placebo security-days the panel offered.
    placebo_dates : int
        Distinct sessions among them (few sessions make the rates describe those days only).
    model : str
    estimation_window : tuple of int
    """

    table: pd.DataFrame
    alpha: float
    window: Window
    reps: int
    seed: int
    dates: str
    candidates: int
    placebo_dates: int
    model: str
    estimation_window: Window

    def rate(self, test: str, n_events: int, ar: float, variance_multiple: float = 1.0) -> float:
        """Return the rejection rate of one test, sample size and AR size.

        Raises
        ------
        KeyError
            When that combination was not simulated.
        """
        t = self.table
        row = t[(t["test"] == test) & (t["n_events"] == n_events) & np.isclose(t["ar"], ar)
                & np.isclose(t["variance_multiple"], variance_multiple)]
        if row.empty:
            raise KeyError(f"not simulated: {test}, n_events={n_events}, ar={ar}, "
                           f"variance_multiple={variance_multiple}")
        return float(row["rate"].to_numpy()[0])

    def finding(self) -> str:
        """Return the headline in one sentence.

        With the sample size nearest 20 and the AR size nearest 1%: which test detects it how
        often, and the size of the tests at AR 0 when simulated.
        """
        t = self.table[np.isclose(self.table["variance_multiple"],
                                  self.table["variance_multiple"].min())]
        sizes = np.sort(t["n_events"].unique())
        n = int(sizes[np.argmin(np.abs(sizes - 20))])
        ars = np.sort(t.loc[t["ar"] > 0, "ar"].unique())
        if not len(ars):
            sub = t[t["n_events"] == n]
            return (f"With {n} events and no abnormal return, the tests reject "
                    f"{100 * sub['rate'].min():.0f}-{100 * sub['rate'].max():.0f}% of "
                    f"{self.reps:,} placebo samples at the {100 * self.alpha:g}% level (size)")
        ar = float(ars[np.argmin(np.abs(ars - 0.01))])
        sub = t[(t["n_events"] == n) & np.isclose(t["ar"], ar)].sort_values("rate")
        best = sub.iloc[-1]
        text = (f"With {n} events, a {100 * ar:g}% day-0 abnormal return is detected "
                f"{100 * best['rate']:.0f}% of the time by {best['test']}")
        zero = t[(t["n_events"] == n) & np.isclose(t["ar"], 0.0)]
        if len(zero):
            text += (f" (size at 0%: {100 * zero['rate'].min():.0f}-"
                     f"{100 * zero['rate'].max():.0f}%)")
        return text

    def plot(self, ax: Any = None) -> Figure:
        """Plot rejection rate against AR size, one panel per sample size, one line per test.

        Returns
        -------
        matplotlib.figure.Figure
            A new figure when ``ax`` is None (one axes per sample size), else ``ax``'s figure with
            every sample size on it.
        """
        import matplotlib.pyplot as plt

        from eventstudy.reporting.layout import MARKERS, PALETTE

        t = self.table[np.isclose(self.table["variance_multiple"],
                                  self.table["variance_multiple"].min())]
        sizes = sorted(t["n_events"].unique())
        if ax is None:
            fig, axes = plt.subplots(1, len(sizes), figsize=(3.6 * len(sizes) + 1, 3.8),
                                     sharey=True, squeeze=False)
            axs = list(axes[0])
        else:
            fig, axs = ax.figure, [ax] * len(sizes)
        # one style per test, the same in every panel: Okabe-Ito colour, marker and dashes, so
        # two tests that agree (bmp and kolari_pynnonen on random dates) stay two lines
        tests = list(dict.fromkeys(t["test"]))
        dashes = ["-", "--", "-.", ":"]
        style = {name: {"color": PALETTE[i % len(PALETTE)], "marker": MARKERS[i % len(MARKERS)],
                        "ls": dashes[i % len(dashes)], "ms": 5 - 0.4 * (i % 3), "mfc": "none"
                        if i % 2 else PALETTE[i % len(PALETTE)]}
                 for i, name in enumerate(tests)}
        for a, n in zip(axs, sizes, strict=True):
            for test, g in t[t["n_events"] == n].groupby("test", sort=False):
                g = g.sort_values("ar")
                x = 100 * g["ar"].to_numpy()
                st = style[str(test)]
                a.plot(x, 100 * g["rate"], lw=1.4, **st, label=f"{test}"
                       + (f" (N={n})" if len(set(axs)) == 1 and len(sizes) > 1 else ""))
                a.fill_between(x, 100 * g["ci_low"], 100 * g["ci_high"], alpha=0.12,
                               color=st["color"], lw=0)
            a.axhline(100 * self.alpha, color="grey", ls="--", lw=0.8)
            a.set_title(f"{n} events")
            a.set_xlabel("abnormal return added on day 0 (%)")
            a.set_ylim(0, 100)
        axs[0].set_ylabel(f"rejection rate at {100 * self.alpha:g}% (%)")
        axs[0].legend(fontsize=8, loc="lower right")
        fig.suptitle(self.finding(), fontsize=10)
        fig.tight_layout()
        return fig


def _placebo_pool(
    valid: np.ndarray, est: Window, lo: int, hi: int, min_obs: int, blocked: np.ndarray,
) -> np.ndarray:
    """(rows, securities) True where day 0 at that row gives a complete placebo security-event."""
    n_rows, n_sec = valid.shape
    c = np.vstack([np.zeros((1, n_sec), dtype=np.int64), np.cumsum(valid, axis=0)])
    p = np.arange(n_rows)
    ok_rows = (p + est[0] >= 0) & (p + hi < n_rows)
    pr = np.clip(p, 0, None)
    a, b = np.clip(pr + est[0], 0, n_rows), np.clip(pr + est[1] + 1, 0, n_rows)
    n_est = c[b] - c[a]
    e0, e1 = np.clip(pr + lo, 0, n_rows), np.clip(pr + hi + 1, 0, n_rows)
    full_evt = (c[e1] - c[e0]) == (hi - lo + 1)
    return ok_rows[:, None] & (n_est >= min_obs) & full_evt & ~blocked[:, None]


def simulate_power(
    returns: pd.DataFrame,
    market: pd.Series | pd.DataFrame,
    *,
    model: str | NormalReturnModel = "market",
    estimation_window: Window = (-250, -11),
    window: Window = (0, 0),
    ar_sizes: Sequence[float] = (0.0, 0.005, 0.01, 0.02),
    n_events: Sequence[int] = (10, 20, 50),
    reps: int = 1000,
    tests: Sequence[str] = ("t", "bmp", "corrado_rank"),
    variance_multiple: float | Sequence[float] = 1.0,
    alpha: float = 0.05,
    seed: int = 0,
    dates: Literal["random", "common"] = "random",
    exclude_dates: Sequence[Any] = (),
    exclude_window: Window | None = None,
    min_estimation_obs: int | None = None,
    conventions: str | Conventions | None = None,
    chunk: int = 200,
) -> PowerResults:
    r"""Simulate the size and power of event-study tests on placebo events from a return panel.

    Parameters
    ----------
    returns : pandas.DataFrame
        (n_sessions, n_securities) decimal returns indexed by sorted session dates.
    market : pandas.Series or pandas.DataFrame
        Market returns (a Series on the same index, or one column per security).
    model : str or NormalReturnModel, default 'market'
        A model on the market alone (market, market_adjusted, constant_mean).
    estimation_window : tuple of int, default (-250, -11)
    window : tuple of int, default (0, 0)
        Tau window of the tests; it must contain day 0, where the abnormal return is added.
    ar_sizes : sequence of float, default (0, 0.005, 0.01, 0.02)
        Abnormal returns added on day 0, decimals (0 measures the size of the tests).
    n_events : sequence of int, default (10, 20, 50)
        Sample sizes; the smaller samples are the first draws of the larger (nested).
    reps : int, default 1000
        Placebo samples per sample size.
    tests : sequence of str, default ('t', 'bmp', 'corrado_rank')
        Keys of :data:`eventstudy.statistics.TESTS`.
    variance_multiple : float or sequence of float, default 1.0
        Event-induced variance: day 0's AR variance is multiplied by this (extra normal noise with
        variance (v - 1) sigma_i^2, Boehmer et al. 1991's design).
    alpha : float, default 0.05
    seed : int, default 0
        Seed of every draw (placebo events and noise): the same seed gives the same table.
    dates : {'random', 'common'}, default 'random'
        Each placebo security-event gets its own day 0, or all events of a sample share one date
        (a market-wide event: clustering, cross-correlated ARs).
    exclude_dates : sequence of date-like
        Real event dates: no placebo window may overlap ``exclude_window`` around them.
    exclude_window : tuple of int, optional
        Span around each excluded date (default: ``window``).
    min_estimation_obs : int, optional
        Fewest valid estimation returns (default half the window, rounded up).
    conventions : str or Conventions, optional
    chunk : int, default 200
        Samples fitted per batch (bounds memory: chunk x max(n_events) security-events at once).

    Returns
    -------
    PowerResults

    Raises
    ------
    ConfigError
        For a window without day 0, unknown tests, a multi-input or GARCH model, bad sizes.
    DataUnavailableError
        When the panel cannot supply enough placebo events; the message says how many it found
        and how many are needed.

    Notes
    -----
    Brown and Warner (1985): for each of ``reps`` samples, draw ``max(n_events)`` security-days
    without replacement from those with a complete estimation window (``min_estimation_obs``
    valid returns) and a complete test window, none within the excluded real-event windows; fit
    the model on each estimation window; add

    .. math:: AR^*_{i0} = AR_{i0} + \delta + \sqrt{v - 1}\,\hat\sigma_i z_i,\quad z_i \sim N(0,1)

    and run each test over ``window``. The rejection rate is the share of samples with p <
    alpha, its 95% interval Wilson's. The same draws serve every AR size (common random
    numbers), so differences across sizes are not noise.

    References
    ----------
    .. [1] Brown, S. J., Warner, J. B. (1985). Using daily stock returns: the case of event
       studies. JFE 14(1), 3-31.
    .. [2] Boehmer, E., Musumeci, J., Poulsen, A. B. (1991). Event-study methodology under
       conditions of event-induced variance. JFE 30(2), 253-272.
    """
    mdl = get_model(model)
    if mdl.inputs != ("market",) or mdl.name == "market_garch":
        raise ConfigError(f"power simulation supports models on the market return alone "
                          f"(market, market_adjusted, constant_mean), not {mdl.name!r}")
    names = check_test_names(list(tests))
    window = (int(window[0]), int(window[1]))
    if not window[0] <= 0 <= window[1]:
        raise ConfigError(f"power: window {list(window)} must contain day 0, where the abnormal "
                          "return is added")
    check_windows(estimation_window, [window])
    sizes = sorted({int(n) for n in n_events})
    if not sizes or sizes[0] < 2:
        raise ConfigError("power: n_events must be integers of at least 2")
    if int(reps) < 1:
        raise ConfigError("power: reps must be at least 1")
    vms = [float(v) for v in np.atleast_1d(np.asarray(variance_multiple, dtype="float64"))]
    if min(vms) < 1:
        raise ConfigError("power: variance_multiple must be at least 1 (1 = no extra variance)")
    if dates not in ("random", "common"):
        raise ConfigError(f"power: dates must be 'random' or 'common', not {dates!r}")
    conv = get_conventions(conventions)
    ars = np.asarray(list(ar_sizes), dtype="float64")

    R = returns.to_numpy(dtype="float64")
    index = returns.index
    if isinstance(market, pd.Series):
        M = np.broadcast_to(market.reindex(index).to_numpy(dtype="float64")[:, None], R.shape)
    else:
        M = market.reindex(index=index, columns=returns.columns).to_numpy(dtype="float64")
    n_rows = len(index)
    L_est = window_length(estimation_window)
    min_obs = int(min_estimation_obs) if min_estimation_obs is not None else -(-L_est // 2)
    lo, hi = window
    ex = exclude_window or window
    blocked = np.zeros(n_rows, dtype=bool)
    if len(exclude_dates):
        pos = np.searchsorted(index.values, pd.DatetimeIndex(list(exclude_dates)).values)
        for p in pos:  # no placebo test window may overlap a real event's window
            blocked[max(p + ex[0] - hi, 0):max(min(p + ex[1] - lo + 1, n_rows), 0)] = True
    valid = np.isfinite(R) & np.isfinite(M)
    pool = _placebo_pool(valid, (int(estimation_window[0]), int(estimation_window[1])), lo, hi,
                         min_obs, blocked)
    need = sizes[-1]
    if dates == "random":
        cand = np.flatnonzero(pool.ravel())
        if len(cand) < need:
            raise DataUnavailableError(
                f"power: the panel offers {len(cand)} placebo security-days with {min_obs} valid "
                f"estimation returns in {list(estimation_window)} and a complete window "
                f"{list(window)} (outside the real events); {need} are needed for n_events "
                f"{need}: use a longer price history, more securities or smaller n_events")
        n_cand = len(cand)
        n_dates = int(pool.any(axis=1).sum())
    else:
        per_day = pool.sum(axis=1)
        ok_days = np.flatnonzero(per_day >= need)
        if not len(ok_days):
            raise DataUnavailableError(
                f"power: no session has {need} securities with a complete placebo window "
                f"(at most {int(per_day.max()) if len(per_day) else 0} on one day; "
                f"{int((per_day > 0).sum())} sessions have any); dates='common' needs {need} on "
                "one day: use smaller n_events or dates='random'")
        n_cand = int(per_day[ok_days].sum())
        n_dates = len(ok_days)
    if n_dates < MIN_PLACEBO_DATES:
        used = index[np.flatnonzero(pool.any(axis=1))]
        warnings.warn(
            f"power: the placebo events come from only {n_dates} sessions "
            f"({used[0].date()}..{used[-1].date()}); the "
            f"rates describe those days: give a longer return history (at least "
            f"{MIN_PLACEBO_DATES} sessions beyond the estimation window)",
            EventStudyWarning, stacklevel=2)
    rng = np.random.default_rng(seed)
    n_sec = R.shape[1]
    RT, MT = np.ascontiguousarray(R.T), np.ascontiguousarray(M.T)
    est_tau, evt_tau = taus(estimation_window), taus(window)
    i0 = int(np.flatnonzero(evt_tau == 0)[0])
    reps = int(reps)
    hits = np.zeros((len(names), len(sizes), len(ars), len(vms)), dtype=np.int64)
    done = 0
    while done < reps:
        b = min(chunk, reps - done)
        draws = np.empty((b, need), dtype=np.int64)
        for r in range(b):
            if dates == "random":
                draws[r] = cand[rng.choice(n_cand, size=need, replace=False)]
            else:
                day = ok_days[rng.integers(len(ok_days))]
                secs = np.flatnonzero(pool[day])
                draws[r] = day * n_sec + rng.choice(secs, size=need, replace=False)
        z = rng.standard_normal((b, need))
        flat = draws.ravel()
        p0, col = flat // n_sec, flat % n_sec
        est_pos = p0[:, None] + est_tau[None, :]
        evt_pos = p0[:, None] + evt_tau[None, :]
        y_est, m_est = gather(RT, col, est_pos), gather(MT, col, est_pos)
        ok = np.isfinite(y_est) & np.isfinite(m_est)
        fit = fit_batch(mdl, y_est, m_est, ok)
        y_evt, m_evt = gather(RT, col, evt_pos), gather(MT, col, evt_pos)
        x_evt = mdl.regressors(m_evt)
        normal = np.einsum("etk,ek->et", x_evt, fit.params) + mdl.offset(m_evt)
        big = build_panel(fit=fit, ar_evt=y_evt - normal, tau=evt_tau, x_evt=x_evt,
                          est_day=np.where(ok, est_pos, -1), evt_day=evt_pos, ret_evt=y_evt,
                          normal_evt=normal, conventions=conv)
        sigma = np.sqrt(fit.sigma2).reshape(b, need)
        for r in range(b):
            for j, n in enumerate(sizes):
                rows = slice(r * need, r * need + n)
                for v, vm in enumerate(vms):
                    noise = np.sqrt(vm - 1.0) * sigma[r, :n] * z[r, :n]
                    for a, ar in enumerate(ars):
                        panel = _rows(big, rows, i0, ar + noise)
                        for t, name in enumerate(names):
                            p = run_test(panel, name, window).pvalue
                            hits[t, j, a, v] += bool(p < alpha)
        done += b
    out = []
    for t, name in enumerate(names):
        for j, n in enumerate(sizes):
            for v, vm in enumerate(vms):
                for a, ar in enumerate(ars):
                    out.append((name, n, float(ar), vm, int(hits[t, j, a, v]), reps))
    table = pd.DataFrame(out, columns=POWER_COLUMNS[:6])
    table["rate"] = table["rejections"] / reps
    table["ci_low"], table["ci_high"] = wilson_interval(table["rejections"].to_numpy(), reps)
    return PowerResults(table=table, alpha=float(alpha), window=window, reps=reps, seed=int(seed),
                        dates=dates, candidates=n_cand, placebo_dates=n_dates, model=mdl.name,
                        estimation_window=(int(estimation_window[0]), int(estimation_window[1])))


def _rows(panel: TestPanel, rows: slice, i0: int, add: Float64Array) -> TestPanel:
    """Return the security-events ``rows`` of ``panel`` (views) with ``add`` added on tau 0."""
    ar_evt = panel.ar_evt[rows].copy()
    ar_evt[:, i0] += add
    return TestPanel(
        ar_est=panel.ar_est[rows], ar_evt=ar_evt, tau=panel.tau, sigma2=panel.sigma2[rows],
        nobs=panel.nobs[rows], df=panel.df[rows], x_evt=panel.x_evt[rows], A=panel.A[rows],
        est_day=panel.est_day[rows], evt_day=panel.evt_day[rows], ret_evt=panel.ret_evt[rows],
        normal_evt=panel.normal_evt[rows], conventions=panel.conventions,
        missing_returns=panel.missing_returns)


def power(
    study: Any,
    *,
    ar_sizes: Sequence[float] = (0.0, 0.005, 0.01, 0.02),
    n_events: Sequence[int] = (10, 20, 50),
    reps: int = 1000,
    tests: Sequence[str] | None = None,
    window: Window | None = None,
    variance_multiple: float | Sequence[float] = 1.0,
    alpha: float = 0.05,
    seed: int = 0,
    dates: Literal["random", "common"] = "random",
    chunk: int = 200,
    returns: pd.DataFrame | None = None,
    market: pd.Series | pd.DataFrame | None = None,
) -> PowerResults:
    """Simulate the size and power of a study's own design on placebo events from its panel.

    Parameters
    ----------
    study : EventStudy or EventStudyResults
        The study whose returns, market, model, estimation window and conventions are used; its
        real event windows are excluded from the placebo draws.
    ar_sizes, n_events, reps, variance_multiple, alpha, seed, dates, chunk
        See :func:`simulate_power`.
    tests : sequence of str, optional
        Default: the study's tests that apply per window (t, bmp, corrado_rank, ... as chosen).
    window : tuple of int, optional
        Default: the study's first event window that contains day 0.
    returns, market : pandas.DataFrame and pandas.Series, optional
        A longer return history of the study's securities and market to draw placebo events
        from (a study loads only the sessions its windows need, which leaves few placebo dates);
        default the study's own panel.

    Returns
    -------
    PowerResults

    Raises
    ------
    ConfigError, DataUnavailableError
        See :func:`simulate_power`.

    References
    ----------
    .. [1] Brown, S. J., Warner, J. B. (1985). Using daily stock returns: the case of event
       studies. JFE 14(1), 3-31.

    Examples
    --------
    >>> from eventstudy import EventStudy
    >>> from eventstudy.power import power
    >>> study = EventStudy.from_yaml("configs/deepseek_2025.yaml")  # doctest: +SKIP
    >>> print(power(study, reps=200, n_events=[20]).finding())  # doctest: +SKIP
    """
    spec, options = study.spec, study.options  # an EventStudy or its results: both hold them
    if window is None:
        with_zero = [w for w in spec.event_windows if w[0] <= 0 <= w[1]]
        if not with_zero:
            raise ConfigError("power: no event window of the study contains day 0; pass window=")
        window = with_zero[0]
    if tests is None:
        tests = [t for t in options.tests if t != "bootstrap_t"] or ["t", "bmp"]
    if (returns is None) != (market is None):
        raise ConfigError("power: give both returns and market, or neither")
    return simulate_power(
        study.returns if returns is None else returns,
        study.market if market is None else market,
        model=spec.model, estimation_window=spec.estimation_window,
        window=window, ar_sizes=ar_sizes, n_events=n_events, reps=reps, tests=tests,
        variance_multiple=variance_multiple, alpha=alpha, seed=seed, dates=dates,
        exclude_dates=list(pd.DatetimeIndex(spec.events["date"])),
        exclude_window=span(list(spec.event_windows)), conventions=options.conventions,
        chunk=chunk, min_estimation_obs=spec.min_estimation_obs)


def write_power(res: PowerResults, folder: str | Path) -> tuple[Path, Path]:
    """Write ``power.csv`` and ``power.png`` (the chart) to ``folder``; return both paths."""
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / "power.csv"
    res.table.assign(alpha=res.alpha, window=f"{res.window[0]}..{res.window[1]}",
                     dates=res.dates, model=res.model, seed=res.seed).to_csv(csv, index=False)

    fig = res.plot()
    png = folder / "power.png"
    fig.savefig(png, dpi=120)
    plt.close(fig)
    return csv, png
