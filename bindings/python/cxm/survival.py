"""Retention curves and key drivers (docs/retention.md, docs/drivers.md):
Kaplan-Meier, log-rank, Cox proportional hazards, the shifted-beta-geometric
model and key driver analysis, over plain Python sequences.

>>> from cxm import survival
>>> curve = survival.kaplan_meier([1, 2, 3, 3, 4], [1, 0, 1, 1, 0])
>>> round(curve.steps[2].surv, 6)
0.266667
"""

from __future__ import annotations

import ctypes
import math
from ctypes import POINTER, byref, c_double, c_int32, c_size_t, c_uint8, c_uint64, c_void_p
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

from . import _lib as _c
from . import _check

__all__ = ["KmStep", "KaplanMeier", "kaplan_meier", "LogRank", "logrank", "CoxCoef", "Cox", "cox", "RetentionRow",
           "retention_rows", "cohorts", "store_drivers", "store_driver_table", "DriverTable",
           "Sbg", "sbg_fit", "sbg_survival", "sbg_retention", "DriverResult", "Drivers", "drivers", "TvRow",
           "retention_tv_rows"]


class _KmStep(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("time", c_double), ("n_risk", c_uint64), ("n_event", c_uint64),
                ("n_censor", c_uint64), ("surv", c_double), ("std_err", c_double), ("lower", c_double),
                ("upper", c_double)]


class _LogRank(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("chisq", c_double), ("df", c_int32), ("p", c_double)]


class _CoxOptions(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("ties", c_int32), ("max_iterations", c_int32), ("tolerance", c_double),
                ("conf_level", c_double)]


class _CoxCoef(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("beta", c_double), ("se", c_double), ("hr", c_double), ("hr_lower", c_double),
                ("hr_upper", c_double), ("z", c_double), ("p", c_double)]


class _CoxSummary(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("n", c_uint64), ("events", c_uint64), ("p", c_int32), ("iterations", c_int32),
                ("converged", c_int32), ("loglik0", c_double), ("loglik", c_double), ("lr_chisq", c_double),
                ("lr_p", c_double), ("score_chisq", c_double), ("wald_chisq", c_double)]


class _Sbg(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("alpha", c_double), ("beta", c_double), ("loglik", c_double),
                ("converged", c_int32)]


class _DriversOptions(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("outcome", c_int32), ("bootstrap", c_int32), ("seed", c_uint64),
                ("conf_level", c_double), ("scale_min", c_double), ("scale_max", c_double)]


class _DriversSummary(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("n_rows", c_uint64), ("n_used", c_uint64), ("p", c_int32),
                ("outcome", c_int32), ("r2", c_double), ("bootstrap", c_int32), ("bootstrap_ok", c_int32)]


class _Driver(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("weight", c_double), ("share", c_double), ("shapley", c_double),
                ("lower", c_double), ("upper", c_double), ("diff_lower", c_double), ("diff_upper", c_double),
                ("covers_zero", c_int32), ("mean_rating", c_double), ("performance", c_double),
                ("quadrant", c_int32)]


_declared = False


def _lib() -> ctypes.CDLL:
    global _declared
    lib = _c.lib()
    if not _declared:
        d = POINTER(c_double)
        u8 = POINTER(c_uint8)
        i32 = POINTER(c_int32)
        sigs = {
            "cxm_km_fit": [POINTER(c_void_p), c_void_p, d, d, u8, c_size_t, c_double],
            "cxm_km_steps": [c_void_p],
            "cxm_km_step_get": [POINTER(_KmStep), c_void_p, c_size_t],
            "cxm_km_median": [d, d, d, c_void_p],
            "cxm_km_survival_at": [d, c_void_p, c_double],
            "cxm_km_rmst": [d, d, c_void_p, c_double],
            "cxm_km_free": [c_void_p],
            "cxm_logrank_test": [POINTER(_LogRank), d, d, c_void_p, d, d, u8, i32, c_size_t, c_int32],
            "cxm_cox_options_init": [POINTER(_CoxOptions)],
            "cxm_cox_fit": [POINTER(c_void_p), c_void_p, d, d, u8, d, c_size_t, c_size_t, POINTER(_CoxOptions)],
            "cxm_cox_coef_get": [POINTER(_CoxCoef), c_void_p, c_size_t],
            "cxm_cox_summary_get": [POINTER(_CoxSummary), c_void_p],
            "cxm_cox_free": [c_void_p],
            "cxm_sbg_fit": [POINTER(_Sbg), d, c_size_t],
            "cxm_sbg_survival": [d, c_double, c_double, c_double],
            "cxm_sbg_retention": [d, c_double, c_double, c_double],
            "cxm_drivers_options_init": [POINTER(_DriversOptions)],
            "cxm_drivers_fit": [POINTER(c_void_p), c_void_p, d, d, c_size_t, c_size_t, POINTER(_DriversOptions)],
            "cxm_drivers_summary_get": [POINTER(_DriversSummary), c_void_p],
            "cxm_drivers_get": [POINTER(_Driver), c_void_p, c_size_t],
            "cxm_drivers_free": [c_void_p],
        }
        for name, args in sigs.items():
            fn = getattr(lib, name)
            fn.argtypes = args
            fn.restype = None if name.endswith(("_free", "_init")) else (c_size_t if name == "cxm_km_steps" else c_int32)
        _declared = True
    return lib


def _doubles(values: Sequence[float]):
    return (c_double * max(1, len(values)))(*values)


def _bytes01(values: Sequence[int]):
    return (c_uint8 * max(1, len(values)))(*[1 if v else 0 for v in values])


@dataclass(frozen=True)
class KmStep:
    time: float
    n_risk: int
    n_event: int
    n_censor: int
    surv: float
    std_err: float
    lower: float
    upper: float


@dataclass(frozen=True)
class KaplanMeier:
    steps: List[KmStep]
    median: float
    median_lower: float
    median_upper: float
    rmst: Optional[float]
    rmst_se: Optional[float]
    survival_at: Tuple[float, ...] = ()


def kaplan_meier(time: Sequence[float], event: Sequence[int], entry: Optional[Sequence[float]] = None,
                 conf_level: float = 0.95, tau: Optional[float] = None, at: Sequence[float] = ()) -> KaplanMeier:
    """Kaplan-Meier curve with Greenwood errors and log(-log) intervals;
    ``entry`` gives delayed entry times; ``tau`` the restricted-mean horizon;
    ``at`` times whose S(t) is wanted (``survival_at``, cxm_km_survival_at:
    the step function, 1 before the first step)."""
    lib = _lib()
    n = len(time)
    if len(event) != n or (entry is not None and len(entry) != n):
        raise ValueError("time, event and entry must have the same length")
    km = c_void_p()
    _check(lib.cxm_km_fit(byref(km), None, None if entry is None else _doubles(entry), _doubles(time),
                          _bytes01(event), n, conf_level), "kaplan_meier")
    try:
        steps = []
        for i in range(lib.cxm_km_steps(km)):
            st = _KmStep(size=ctypes.sizeof(_KmStep))
            _check(lib.cxm_km_step_get(byref(st), km, i))
            steps.append(KmStep(st.time, st.n_risk, st.n_event, st.n_censor, st.surv, st.std_err, st.lower, st.upper))
        med, lo, hi = c_double(), c_double(), c_double()
        _check(lib.cxm_km_median(byref(med), byref(lo), byref(hi), km))
        rmst = rmst_se = None
        if tau is not None:
            r, se = c_double(), c_double()
            _check(lib.cxm_km_rmst(byref(r), byref(se), km, tau), "tau")
            rmst, rmst_se = r.value, se.value
        surv = []
        for x in at:
            s = c_double()
            _check(lib.cxm_km_survival_at(byref(s), km, float(x)), "at")
            surv.append(s.value)
        return KaplanMeier(steps, med.value, lo.value, hi.value, rmst, rmst_se, tuple(surv))
    finally:
        lib.cxm_km_free(km)


@dataclass(frozen=True)
class LogRank:
    chisq: float
    df: int
    p: float
    observed: List[float]
    expected: List[float]


def logrank(time: Sequence[float], event: Sequence[int], group: Sequence[int],
            entry: Optional[Sequence[float]] = None) -> LogRank:
    """Log-rank test of equal survival in groups 0..k-1 (k - 1 df)."""
    lib = _lib()
    n = len(time)
    k = max(group) + 1 if n else 0
    res = _LogRank(size=ctypes.sizeof(_LogRank))
    obs, exp = (c_double * max(1, k))(), (c_double * max(1, k))()
    _check(lib.cxm_logrank_test(byref(res), obs, exp, None, None if entry is None else _doubles(entry),
                                _doubles(time), _bytes01(event), (c_int32 * max(1, n))(*group), n, k), "logrank")
    return LogRank(res.chisq, res.df, res.p, list(obs)[:k], list(exp)[:k])


@dataclass(frozen=True)
class CoxCoef:
    beta: float
    se: float
    hr: float
    hr_lower: float
    hr_upper: float
    z: float
    p: float


@dataclass(frozen=True)
class Cox:
    coefficients: List[CoxCoef]
    loglik0: float
    loglik: float
    score_chisq: float
    wald_chisq: float
    lr_chisq: float
    lr_p: float
    events: int
    converged: bool


def cox(stop: Sequence[float], event: Sequence[int], x: Sequence[Sequence[float]],
        start: Optional[Sequence[float]] = None, ties: str = "breslow", conf_level: float = 0.95) -> Cox:
    """Cox proportional hazards on (start, stop] rows; ``ties`` breslow or efron."""
    lib = _lib()
    n = len(stop)
    p = len(x[0]) if n else 0
    opt = _CoxOptions()
    lib.cxm_cox_options_init(byref(opt))
    opt.ties = {"breslow": 1, "efron": 2}[ties]
    opt.conf_level = conf_level
    flat = [float(v) for row in x for v in row]
    if len(flat) != n * p:
        raise ValueError("x must have one row of equal length per stop time")
    fit = c_void_p()
    _check(lib.cxm_cox_fit(byref(fit), None, None if start is None else _doubles(start), _doubles(stop),
                           _bytes01(event), _doubles(flat), n, p, byref(opt)), "cox")
    try:
        coefs = []
        for j in range(p):
            c = _CoxCoef(size=ctypes.sizeof(_CoxCoef))
            _check(lib.cxm_cox_coef_get(byref(c), fit, j))
            coefs.append(CoxCoef(c.beta, c.se, c.hr, c.hr_lower, c.hr_upper, c.z, c.p))
        s = _CoxSummary(size=ctypes.sizeof(_CoxSummary))
        _check(lib.cxm_cox_summary_get(byref(s), fit))
        return Cox(coefs, s.loglik0, s.loglik, s.score_chisq, s.wald_chisq, s.lr_chisq, s.lr_p, s.events,
                   bool(s.converged))
    finally:
        lib.cxm_cox_free(fit)


@dataclass(frozen=True)
class Sbg:
    alpha: float
    beta: float
    loglik: float


def sbg_fit(alive: Sequence[float]) -> Sbg:
    """Shifted-beta-geometric fit to the customers alive at periods 0..T."""
    lib = _lib()
    res = _Sbg(size=ctypes.sizeof(_Sbg))
    _check(lib.cxm_sbg_fit(byref(res), _doubles(alive), len(alive)), "sbg_fit")
    return Sbg(res.alpha, res.beta, res.loglik)


def sbg_survival(alpha: float, beta: float, t: float) -> float:
    """S(t) = B(alpha, beta + t) / B(alpha, beta)."""
    lib = _lib()
    out = c_double()
    _check(lib.cxm_sbg_survival(byref(out), alpha, beta, t), "sbg_survival")
    return out.value


def sbg_retention(alpha: float, beta: float, t: float) -> float:
    """The sBG retention rate of period t >= 1:
    r_t = (beta + t - 1) / (alpha + beta + t - 1) (cxm_sbg_retention)."""
    lib = _lib()
    out = c_double()
    _check(lib.cxm_sbg_retention(byref(out), alpha, beta, t), "sbg_retention")
    return out.value


_QUADRANTS = {1: "fix first", 2: "strength", 3: "maintain", 4: "low priority"}


@dataclass(frozen=True)
class DriverResult:
    weight: float
    share: float
    shapley: float
    lower: float
    upper: float
    diff_lower: float
    diff_upper: float
    covers_zero: bool
    mean_rating: float
    performance: float
    quadrant: str


@dataclass(frozen=True)
class Drivers:
    n_rows: int
    n_used: int
    r2: float
    bootstrap_used: int
    drivers: List[DriverResult]
    attributes: List[str] = field(default_factory=list)  # the columns' names (store_drivers)


def drivers(y: Sequence[float], x: Sequence[Sequence[float]], binary: bool = False, bootstrap: int = 200,
            seed: int = 1, conf_level: float = 0.95, scale: tuple = (1.0, 7.0)) -> Drivers:
    """Key driver analysis: relative weights, Shapley R^2 (linear outcome),
    bootstrap intervals, importance-performance quadrants. NaN = missing."""
    lib = _lib()
    n = len(y)
    p = len(x[0]) if n else 0
    flat = [float(v) for row in x for v in row]
    if len(flat) != n * p:
        raise ValueError("x must have one row of equal length per outcome")
    opt = _DriversOptions()
    lib.cxm_drivers_options_init(byref(opt))
    opt.outcome = 2 if binary else 1
    opt.bootstrap = bootstrap
    opt.seed = seed
    opt.conf_level = conf_level
    opt.scale_min, opt.scale_max = scale
    res = c_void_p()
    _check(lib.cxm_drivers_fit(byref(res), None, _doubles(y), _doubles(flat), n, p, byref(opt)), "drivers")
    try:
        s = _DriversSummary(size=ctypes.sizeof(_DriversSummary))
        _check(lib.cxm_drivers_summary_get(byref(s), res))
        out = []
        for j in range(p):
            v = _Driver(size=ctypes.sizeof(_Driver))
            _check(lib.cxm_drivers_get(byref(v), res, j))
            out.append(DriverResult(v.weight, v.share, v.shapley, v.lower, v.upper, v.diff_lower, v.diff_upper,
                                    bool(v.covers_zero), v.mean_rating, v.performance, _QUADRANTS[v.quadrant]))
        return Drivers(s.n_rows, s.n_used, s.r2, s.bootstrap_ok, out)
    finally:
        lib.cxm_drivers_free(res)


# -- from a store (cxm/retention.h, cxm_store_driver_rows) --

class _RetentionOptions(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("from_", ctypes.c_int64), ("to", ctypes.c_int64), ("lapse_days", c_int32),
                ("origin", c_int32), ("sla_target_seconds", ctypes.c_int64), ("calendar", c_void_p)]


class _RetentionRow(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("handle", ctypes.c_uint32), ("entry", c_double), ("time", c_double),
                ("lost", c_int32), ("nps", c_int32), ("first", ctypes.c_int64), ("high_effort", c_int32),
                ("channel", c_int32), ("segment", c_int32), ("sla", c_int32)]


class _TvRow(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("handle", ctypes.c_uint32), ("start", c_double), ("stop", c_double),
                ("lost", c_int32), ("x", c_double * 4)]


class _DriverTableOptions(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("outcome", c_int32), ("respondent", c_int32)]


_NPS = {0: "none", 1: "detractor", 2: "passive", 3: "promoter"}
_store_declared = False


def _store_lib() -> ctypes.CDLL:
    global _store_declared
    lib = _lib()
    if not _store_declared:
        lib.cxm_retention_options_init.argtypes = [POINTER(_RetentionOptions)]
        lib.cxm_retention_options_init.restype = None
        lib.cxm_store_retention.argtypes = [POINTER(c_void_p), c_void_p, POINTER(_RetentionOptions)]
        lib.cxm_retention_count.argtypes = [c_void_p]
        lib.cxm_retention_count.restype = c_size_t
        lib.cxm_retention_row_get.argtypes = [POINTER(_RetentionRow), c_void_p, c_size_t]
        lib.cxm_retention_free.argtypes = [c_void_p]
        lib.cxm_retention_free.restype = None
        lib.cxm_store_cohorts.argtypes = [POINTER(c_void_p), c_void_p, ctypes.c_int64, ctypes.c_int64]
        lib.cxm_cohorts_count.argtypes = [c_void_p]
        lib.cxm_cohorts_count.restype = c_size_t
        lib.cxm_cohorts_get.argtypes = [POINTER(ctypes.c_int64), POINTER(c_uint64), POINTER(c_uint64),
                                        POINTER(c_size_t), c_size_t, c_void_p, c_size_t]
        lib.cxm_cohorts_free.argtypes = [c_void_p]
        lib.cxm_cohorts_free.restype = None
        lib.cxm_store_retention_tv.argtypes = [POINTER(c_void_p), c_void_p, POINTER(_RetentionOptions)]
        lib.cxm_tv_rows_count.argtypes = [c_void_p]
        lib.cxm_tv_rows_count.restype = c_size_t
        lib.cxm_tv_row_get.argtypes = [POINTER(_TvRow), c_void_p, c_size_t]
        lib.cxm_tv_rows_free.argtypes = [c_void_p]
        lib.cxm_tv_rows_free.restype = None
        lib.cxm_store_driver_rows.argtypes = [POINTER(c_double), POINTER(c_double), POINTER(c_size_t), c_void_p,
                                              c_int32, c_size_t]
        lib.cxm_driver_table_options_init.argtypes = [POINTER(_DriverTableOptions)]
        lib.cxm_driver_table_options_init.restype = None
        lib.cxm_store_driver_table.argtypes = [POINTER(c_double), POINTER(c_double), POINTER(c_size_t),
                                               POINTER(c_size_t), c_void_p, POINTER(_DriverTableOptions), c_size_t]
        for name in ("cxm_store_retention", "cxm_retention_row_get", "cxm_store_cohorts", "cxm_cohorts_get",
                     "cxm_store_driver_rows", "cxm_store_retention_tv", "cxm_tv_row_get", "cxm_store_driver_table"):
            getattr(lib, name).restype = c_int32
        _store_declared = True
    return lib


@dataclass(frozen=True)
class RetentionRow:
    customer_handle: int
    entry: float
    time: float
    lost: bool
    nps: str
    high_effort: bool
    first: int
    channel: str = "unknown"  # of the customer's earliest event naming one before ``end``
    segment: str = "unknown"  # likewise
    sla: str = "none"  # its contacts against the SLA at ``end``: "none" (no contact), "met", "breached"


_SLA = {0: "none", 1: "met", 2: "breached"}


def retention_rows(store, start, end, lapse_days: int = 90, origin: str = "tenure", sla_target: int = 28800,
                   calendar=None) -> List[RetentionRow]:
    """One survival row per customer of ``store`` active in [start, end)
    (UTC midnights, as for Store queries): docs/retention.md. ``sla_target``
    (business seconds) and ``calendar`` (a Calendar; None: Monday-Friday
    09:00-17:00 UTC) judge the contacts of ``sla``."""
    from . import _time
    lib = _store_lib()
    opt = _RetentionOptions()
    lib.cxm_retention_options_init(byref(opt))
    opt.from_, opt.to = _time(start, "start"), _time(end, "end")
    opt.lapse_days = lapse_days
    opt.origin = {"window": 1, "tenure": 2}[origin]
    opt.sla_target_seconds = sla_target
    opt.calendar = calendar._handle if calendar is not None else None
    h = c_void_p()
    _check(lib.cxm_store_retention(byref(h), store._handle, byref(opt)), "retention_rows")
    try:
        out = []
        for i in range(lib.cxm_retention_count(h)):
            r = _RetentionRow(size=ctypes.sizeof(_RetentionRow))
            _check(lib.cxm_retention_row_get(byref(r), h, i))
            out.append(RetentionRow(r.handle, r.entry, r.time, bool(r.lost), _NPS[r.nps], bool(r.high_effort), r.first,
                                    store.channel_name(r.channel) or "unknown",
                                    store.segment_name(r.segment) or "unknown", _SLA[r.sla]))
        return out
    finally:
        lib.cxm_retention_free(h)


#: The covariates of a TvRow, in the order of cxm_tv_covariate (cxm/retention.h).
TV_COVARIATES = ("detractor", "promoter", "complaints", "high_effort")


@dataclass(frozen=True)
class TvRow:
    """One (start, stop] row of a customer for a Cox model with
    time-varying experience covariates (struct cxm_tv_row): days from the
    origin; ``lost`` on the customer's last row when it was lost; ``x`` the
    covariates during the interval by name (TV_COVARIATES)."""

    customer_handle: int
    start: float
    stop: float
    lost: bool
    x: dict


def retention_tv_rows(store, start, end, lapse_days: int = 90, origin: str = "tenure") -> List[TvRow]:
    """The rows of retention_rows() split wherever a customer's experience
    covariates change (cxm_store_retention_tv; ``cxm retention --cox``
    fits its model on them): customers in handle order, each in time order."""
    from . import _time
    lib = _store_lib()
    opt = _RetentionOptions()
    lib.cxm_retention_options_init(byref(opt))
    opt.from_, opt.to = _time(start, "start"), _time(end, "end")
    opt.lapse_days = lapse_days
    opt.origin = {"window": 1, "tenure": 2}[origin]
    h = c_void_p()
    _check(lib.cxm_store_retention_tv(byref(h), store._handle, byref(opt)), "retention_tv_rows")
    try:
        out = []
        for i in range(lib.cxm_tv_rows_count(h)):
            r = _TvRow(size=ctypes.sizeof(_TvRow))
            _check(lib.cxm_tv_row_get(byref(r), h, i))
            out.append(TvRow(r.handle, r.start, r.stop, bool(r.lost), dict(zip(TV_COVARIATES, list(r.x)))))
        return out
    finally:
        lib.cxm_tv_rows_free(h)


def cohorts(store, start, end) -> List[tuple]:
    """Monthly cohorts: (month start in Unix seconds, customers, [active per month since])."""
    from . import _time
    lib = _store_lib()
    h = c_void_p()
    _check(lib.cxm_store_cohorts(byref(h), store._handle, _time(start, "start"), _time(end, "end")), "cohorts")
    try:
        n = lib.cxm_cohorts_count(h)
        buf = (c_uint64 * max(1, n))()
        out = []
        for i in range(n):
            month, size, obs = ctypes.c_int64(), c_uint64(), c_size_t()
            _check(lib.cxm_cohorts_get(byref(month), byref(size), buf, byref(obs), n, h, i))
            out.append((month.value, size.value, list(buf)[:obs.value]))
        return out
    finally:
        lib.cxm_cohorts_free(h)


_DIMENSIONS = ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]


@dataclass(frozen=True)
class DriverTable:
    """Rows of cxm_store_driver_table(): y the outcome, x one list of
    cells per row, NaN where missing; ``attributes`` names the columns
    (the five SERVQUAL dimensions, then the rating attributes) and
    ``kinds`` says "perception" or "rating" for each."""
    y: List[float]
    x: List[List[float]]
    attributes: List[str]
    kinds: List[str]


def store_driver_table(store, by: str = "customer", promoter: bool = False) -> DriverTable:
    """Respondent rows of a store for key driver analysis: by "customer"
    (latest NPS answer, mean answers over all events) or by "ref" (the
    interaction refs with a rating; the latest NPS answer and the mean
    answers given on that ref), docs/drivers.md."""
    if by not in ("customer", "ref"):
        raise ValueError(f"by must be 'customer' or 'ref', not {by!r}")
    lib = _store_lib()
    opt = _DriverTableOptions()
    lib.cxm_driver_table_options_init(byref(opt))
    opt.outcome = 2 if promoter else 1
    opt.respondent = 2 if by == "ref" else 1
    n, p = c_size_t(), c_size_t()
    with store._use() as h:
        lib.cxm_store_driver_table(None, None, byref(n), byref(p), h, byref(opt), 0)
        y = (c_double * max(1, n.value))()
        x = (c_double * max(1, n.value * p.value))()
        _check(lib.cxm_store_driver_table(y, x, byref(n), byref(p), h, byref(opt), n.value), "store_driver_table")
    names = list(_DIMENSIONS) + [store.attribute_name(k + 1) or "" for k in range(p.value - 5)]
    cols = p.value
    return DriverTable(list(y)[:n.value], [list(x[cols * i:cols * i + cols]) for i in range(n.value)], names,
                       ["perception"] * 5 + ["rating"] * (cols - 5))


def store_drivers(store, promoter: bool = False, by: Optional[str] = None, **kwargs) -> Drivers:
    """Key drivers of the latest NPS answer (or promoter yes/no). Without
    ``by``: among the customers' mean SERVQUAL perception answers per
    dimension (cxm_store_driver_rows). With ``by`` ("customer" or "ref"):
    among every attribute (perception dimension or rating attribute) that
    a respondent with an NPS answer rated, as `cxm drivers --by` does;
    ``attributes`` of the result names the columns."""
    if by is not None:
        t = store_driver_table(store, by, promoter)
        keep = [k for k in range(len(t.attributes))
                if any(not math.isnan(yi) and not math.isnan(row[k]) for yi, row in zip(t.y, t.x))]
        d = drivers(t.y, [[row[k] for k in keep] for row in t.x], binary=promoter, **kwargs)
        return Drivers(d.n_rows, d.n_used, d.r2, d.bootstrap_used, d.drivers, [t.attributes[k] for k in keep])
    lib = _store_lib()
    n = c_size_t()
    lib.cxm_store_driver_rows(None, None, byref(n), store._handle, 2 if promoter else 1, 0)
    y = (c_double * max(1, n.value))()
    x = (c_double * max(1, 5 * n.value))()
    _check(lib.cxm_store_driver_rows(y, x, byref(n), store._handle, 2 if promoter else 1, n.value), "store_drivers")
    rows = [list(x[5 * i:5 * i + 5]) for i in range(n.value)]
    d = drivers(list(y)[:n.value], rows, binary=promoter, **kwargs)
    return Drivers(d.n_rows, d.n_used, d.r2, d.bootstrap_used, d.drivers, list(_DIMENSIONS))
