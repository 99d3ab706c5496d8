"""Python binding of cxm, the customer-experience metrics library.

Uses only the standard library: libcxm is loaded with ctypes from
``$CXM_LIBRARY``, else a ``build*/src/libcxm.so`` of the source checkout
this package sits in, else the system (``ctypes.util.find_library``).

>>> import cxm
>>> with cxm.Store() as s:
...     _ = s.record("alice", "2025-03-01T10:00:00Z", "nps", 9, channel="email")
...     s.nps().score
100.0
"""

from __future__ import annotations

import ctypes
import os
import datetime as _dt
import math
from ctypes import byref, c_char_p, c_double, c_int32, c_int64, c_size_t, c_uint32, c_void_p
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from . import _lib as _c

__all__ = [
    "CxmError", "Store", "RowError", "IngestResult", "StoreStats", "Nps", "Csat", "Ces", "Gap", "Servqual",
    "Service", "Loyalty", "Consistency", "Group", "Driver", "ChurnRisk", "CalibrationBin", "Evaluation", "RiskModel",
    "Churn", "version",
]

Time = Union[int, str, _dt.datetime, _dt.date]
Code = Union[str, int, None]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_ANY = -1
_BY = {"channel": 0, "stage": 1, "segment": 2, "month": 3, "week": 4}
_DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
_MODELS = {"bgnbd": 1, "mbgnbd": 2, "pnbd": 3}
_BANDS = {0: "none", 1: "low", 2: "medium", 3: "high"}
_FEATURE_COUNT = _c.FEATURE_COUNT
_CXM_E_ARG = -1
_CXM_E_TIME = -6
_CXM_E_WINDOW = -15
_CXM_E_NOT_FOUND = -29
_CXM_E_OPTION = -31
_CXM_E_MODEL = -34
# A window that selects nothing ([0, 0) is aligned to any bucket): the
# slice of a channel or segment name the store has never seen.
_EMPTY_WINDOW = (0, 0)


class CxmError(Exception):
    """A negative status from libcxm: ``status`` (e.g. -8), ``name``
    ("CXM_E_VALUE") and ``message`` (the library's English description, or
    a more precise one from the binding)."""

    def __init__(self, status: int, message: Optional[str] = None, errors: Optional[List["RowError"]] = None):
        lib = _c.lib()
        self.status = status
        self.name = lib.cxm_status_name(status).decode()
        self.message = message if message is not None else lib.cxm_status_str(status).decode()
        #: Rows rejected before the failure (ingest only).
        self.errors: List[RowError] = errors if errors is not None else []
        super().__init__(f"{self.name}: {self.message}")


def _check(status: int, what: Optional[str] = None) -> int:
    if status < 0:
        raise CxmError(status, None if what is None else f"{_c.lib().cxm_status_str(status).decode()} ({what})")
    return status


def _num(x: float) -> Optional[float]:
    """NaN (the library's "absent") becomes None."""
    return None if math.isnan(x) else x


def version() -> str:
    """The version of the loaded libcxm, e.g. "0.1.0"."""
    return _c.lib().cxm_version_string().decode()


def _bytes(s: Union[str, bytes], what: str) -> bytes:
    if isinstance(s, bytes):
        return s
    if isinstance(s, str):
        return s.encode("utf-8", "surrogateescape")
    raise TypeError(f"{what} must be str or bytes, not {type(s).__name__}")


def _text(p: Any, n: int) -> str:
    return ctypes.string_at(p, n).decode("utf-8", "surrogateescape")


def _time(t: Time, what: str = "time") -> int:
    """Seconds since 1970 UTC from an int, an RFC 3339 string, a datetime
    (naive ones are taken as UTC) or a date (its UTC midnight)."""
    if isinstance(t, bool):
        raise TypeError(f"{what} must be an int, str, datetime or date")
    if isinstance(t, int):
        if not _INT64_MIN <= t <= _INT64_MAX:  # would wrap in the C int64_t
            raise CxmError(_CXM_E_TIME, f"{what} {t} is outside the 64-bit range of seconds")
        return t
    if isinstance(t, _dt.datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=_dt.timezone.utc)
        return math.floor(t.timestamp())
    if isinstance(t, _dt.date):
        return (t - _dt.date(1970, 1, 1)).days * 86400
    if isinstance(t, str):
        b = t.encode()
        out = c_int64()
        _check(_c.lib().cxm_time_parse(byref(out), b, len(b)), f"{what} {t!r}")
        return out.value
    raise TypeError(f"{what} must be an int, str, datetime or date, not {type(t).__name__}")


# ---- results -----------------------------------------------------------------


@dataclass(frozen=True)
class Nps:
    """NPS of a slice (docs/metrics.md); floats are None when n is 0."""

    n: int
    promoters: int
    passives: int
    detractors: int
    score: Optional[float]
    se: Optional[float]
    ci95: Tuple[Optional[float], Optional[float]]
    ci95_adjusted: Tuple[Optional[float], Optional[float]]


@dataclass(frozen=True)
class Csat:
    """CSAT (top-two box) of a slice; floats are None when n is 0."""

    n: int
    satisfied: int
    score: Optional[float]
    mean: Optional[float]
    ci95: Tuple[Optional[float], Optional[float]]


@dataclass(frozen=True)
class Ces:
    """CES of a slice; sd and the interval are None when n < 2."""

    n: int
    mean: Optional[float]
    sd: Optional[float]
    ci95: Tuple[Optional[float], Optional[float]]
    easy_pct: Optional[float]
    high_effort_pct: Optional[float]
    net: Optional[float]


@dataclass(frozen=True)
class Gap:
    """Service (internal rating) minus experience (customer rating) per interaction."""

    pairs: int
    mean: Optional[float]
    se: Optional[float]
    ci95: Tuple[Optional[float], Optional[float]]
    service: Optional[float]
    experience: Optional[float]
    delivery_gap: Optional[float]
    blind_spot_pct: Optional[float]
    delivery_z: Optional[float]
    blind_spots: int
    reverse_spots: int


@dataclass(frozen=True)
class Servqual:
    """SERVQUAL gaps (perception - expectation) per dimension, by name."""

    customers: dict
    gaps: dict
    score: Optional[float]


@dataclass(frozen=True)
class Service:
    """Contact-centre service levels of a slice."""

    contacts: int
    open: int
    replied: int
    resolved: int
    met: int
    breached: int
    first_response_median_s: Optional[float]
    first_response_p90_s: Optional[float]
    first_response_mean_s: Optional[float]
    resolution_median_s: Optional[float]
    resolution_p90_s: Optional[float]
    resolution_mean_s: Optional[float]
    within_sla_pct: Optional[float]


@dataclass(frozen=True)
class Loyalty:
    complaints: int
    compliments: int
    churned: int
    compliment_ratio: Optional[float]


@dataclass(frozen=True)
class Consistency:
    channels: int
    sd: Optional[float]
    mean: Optional[float]
    weakest: Optional[str]
    weakest_mean: Optional[float]


@dataclass(frozen=True)
class Group:
    """One group of Store.groups(): its key and survey metrics. Pass
    ``where=group`` to any other query for the group's other metrics."""

    key: str
    nps: Nps
    csat: Csat
    ces: Ces
    _filter: Tuple[int, int, int, int, int]


@dataclass(frozen=True)
class RowError:
    """A row the reader rejected (status < 0) or a warning (status > 0)."""

    line: int
    column: str
    status: int
    name: str
    reason: str


@dataclass(frozen=True)
class IngestResult:
    rows: int
    events: int
    rejected: int
    duplicates: int
    out_of_window: int
    warnings: int
    bytes: int
    errors: List[RowError]


@dataclass(frozen=True)
class StoreStats:
    events: int
    duplicates: int
    customers: int
    first: Optional[int]
    last: Optional[int]
    cells: int
    memory_bytes: int


@dataclass(frozen=True)
class Driver:
    """A factor raising a customer's churn log-odds, and by how much
    (its contribution b_j x_j; the JSON's ``{"factor", "weight"}``)."""

    factor: str
    weight: float


@dataclass(frozen=True)
class ChurnRisk:
    """One scored customer (struct cxm_churn_row, docs/churn.md)."""

    customer: str
    risk: float  # probability of churning within the horizon after scored_at
    band: str  # "low", "medium" or "high" ("none" only for a risk that is not a probability)
    p_alive: Optional[float]  # the purchase model's P(alive) at scored_at; None (C: NaN) for a customer who never bought
    logit: float  # log-odds of risk: the model's intercept + sum(contributions)
    features: Dict[str, float]  # the feature row, by feature name (cxm/features.h order)
    contributions: Dict[str, float]  # each feature's share of the log-odds, by name
    drivers: Tuple[Driver, ...]  # features raising the risk above the baseline customer's by > 0.05 (weight: coef x (value - baseline)), largest first
    p_no_purchase: Optional[float] = None  # the purchase model's P(no purchase in the horizon); None as p_alive
    expected_value: float = 0.0  # expected purchases in the horizon x expected spend (docs/churn.md, "Value at risk")
    value_at_risk: float = 0.0  # risk x expected_value


@dataclass(frozen=True)
class CalibrationBin:
    """One decile of the held-out customers sorted by predicted risk."""

    customers: int
    predicted: Optional[float]  # None when the bin is empty
    observed: Optional[float]


@dataclass(frozen=True)
class Evaluation:
    """Held-out evaluation of a fitted risk model (struct cxm_risk_evaluation)."""

    customers: int
    churned: int
    log_loss: Optional[float]
    auc: Optional[float]
    brier: Optional[float]
    calibration: Tuple[CalibrationBin, ...]


@dataclass(frozen=True)
class RiskModel:
    """How a Churn result was scored (struct cxm_churn_info)."""

    source: str  # "fitted", "default" or "purchase" (docs/churn.md, "Which model scores")
    fitted: bool
    cutoff: int  # the training cut-off, seconds since 1970
    scored_at: int  # the scoring time, seconds since 1970
    intercept: float
    coefficients: Dict[str, float]  # by feature name
    converged: bool  # False when a fit stopped at its best point (still used)
    iterations: int
    evaluation: Optional[Evaluation]  # held-out evaluation of the fit on every feature; None without a split
    heldout_auc: Optional[Dict[str, float]] = None  # held-out AUC of "default", "fitted", "purchase"; None without a split
    heldout_log_loss: Optional[Dict[str, float]] = None
    margin: Optional[float] = None  # the AUC margin the fitted model had to clear
    baseline: Optional[Dict[str, float]] = None  # the baseline customer (feature medians) drivers are measured against
    training_customers: int = 0  # customers labelled at the training cut-off
    training_lost: int = 0  # of them, lost in the horizon
    value_at_risk: float = 0.0  # the sum of the customers' value at risk
    expected_value: float = 0.0  # the sum of their expected value
    spend_model: str = "mean spend"  # "gamma-gamma", or the documented fallback "mean spend"


@dataclass(frozen=True)
class Churn:
    """Customers at risk, highest risk first, and the model that scored them."""

    customers: List[ChurnRisk]
    model: RiskModel


def _nps(r: Any) -> Nps:
    return Nps(r.n, r.promoters, r.passives, r.detractors, _num(r.score), _num(r.se),
               (_num(r.ci95_low), _num(r.ci95_high)), (_num(r.adjusted_low), _num(r.adjusted_high)))


def _survey(acc: Any) -> Tuple[Nps, Csat, Ces]:
    lib = _c.lib()
    n, c, e = _c.NpsResult(), _c.CsatResult(), _c.CesResult()
    _check(lib.cxm_nps_compute(byref(n), byref(acc.nps)))
    _check(lib.cxm_csat_compute(byref(c), byref(acc.csat)))
    _check(lib.cxm_ces_compute(byref(e), byref(acc.ces)))
    return (_nps(n),
            Csat(c.n, c.satisfied, _num(c.score), _num(c.mean), (_num(c.ci95_low), _num(c.ci95_high))),
            Ces(e.n, _num(e.mean), _num(e.sd), (_num(e.ci95_low), _num(e.ci95_high)), _num(e.easy_pct),
                _num(e.high_effort_pct), _num(e.net)))


# ---- the store -----------------------------------------------------------------


class Store:
    """An event store (cxm/store.h). Close it with close() or a ``with``
    block; the destructor frees it too, as a safety net. Not thread-safe:
    one writer at a time, like the C store."""

    def __init__(self, bucket_seconds: int = 86400) -> None:
        self._lib = _c.lib()
        self._h: Optional[int] = None
        opts = _c.StoreOptions()
        self._lib.cxm_store_options_init(byref(opts))
        opts.bucket_seconds = bucket_seconds
        h = c_void_p()
        _check(self._lib.cxm_store_new(byref(h), byref(opts)))
        self._h = h.value
        self._event = _c.Event()  # reused by record(): no allocation per call in C

    # -- lifetime --
    def close(self) -> None:
        """Free the store; later calls raise CxmError(CXM_E_ARG). Idempotent."""
        h, self._h = self._h, None
        if h is not None:
            self._lib.cxm_store_free(h)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing useful to do
            pass

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _handle(self) -> int:
        if self._h is None:
            raise CxmError(_CXM_E_ARG, "the store is closed")
        return self._h

    # -- codes --
    # Recording interns a new channel token or segment label (the store
    # learns it); queries only look names up (cxm_store_find_channel /
    # cxm_store_find_segment), so a query never writes the store.
    def _channel(self, channel: Code) -> int:
        if channel is None:
            return 0
        if isinstance(channel, int):
            return channel
        b = _bytes(channel, "channel")
        out = c_int32()
        _check(self._lib.cxm_store_channel(byref(out), self._handle, b, len(b)), f"channel {channel!r}")
        return out.value

    def _segment(self, segment: Code) -> int:
        if segment is None:
            return 0
        if isinstance(segment, int):
            return segment
        b = _bytes(segment, "segment")
        out = c_int32()
        _check(self._lib.cxm_store_segment(byref(out), self._handle, b, len(b)), f"segment {segment!r}")
        return out.value

    def _find(self, value: Union[str, bytes, int], what: str) -> Optional[int]:
        """The code of a channel or segment for a query, without interning;
        None for a name the store has never seen (CXM_E_NOT_FOUND). An
        invalid name still raises (CXM_E_CHANNEL, CXM_E_SEGMENT). The
        segment "unknown" is the empty segment (code 0), the key
        groups("segment") gives it, as the channel "unknown" is channel 0."""
        if isinstance(value, int):
            return value
        b = _bytes(value, what)
        if what == "segment" and b == b"unknown":
            return 0
        fn = self._lib.cxm_store_find_channel if what == "channel" else self._lib.cxm_store_find_segment
        out = c_int32()
        rc = fn(byref(out), self._handle, b, len(b))
        if rc == _CXM_E_NOT_FOUND:
            return None
        _check(rc, f"{what} {value!r}")
        return out.value

    def _parse(self, fn: Callable[..., int], value: Code, what: str) -> int:
        if value is None:
            return 0
        if isinstance(value, int):
            return value
        b = _bytes(value, what)
        out = c_int32()
        _check(fn(byref(out), b, len(b)), f"{what} {value!r}")
        return out.value

    # -- writing --
    def record(self, customer: Union[str, bytes], time: Time, kind: Union[str, int], value: Optional[float] = None,
               channel: Code = None, stage: Code = None, segment: Code = None, ref: Union[str, bytes, None] = None,
               dimension: Code = None, id: Union[str, bytes, None] = None) -> bool:
        """Record one event (docs/events.md). Returns False when its id was
        seen before (a duplicate, skipped), True otherwise. Raises CxmError
        for an invalid event, which leaves no event in the store (a new
        channel token or segment label given with it stays interned)."""
        lib = self._lib
        h = self._handle
        ev = self._event
        lib.cxm_event_init(byref(ev))
        cust = _bytes(customer, "customer")
        ev.customer = cust
        ev.customer_len = len(cust)
        ev.time = _time(time)
        ev.kind = self._parse(lib.cxm_kind_parse, kind, "kind")
        if value is not None:
            ev.has_value = 1
            ev.value = float(value)
        ev.channel = self._channel(channel)
        ev.stage = self._parse(lib.cxm_stage_parse, stage, "stage")
        ev.segment = self._segment(segment)
        ev.dimension = self._parse(lib.cxm_dimension_parse, dimension, "dimension")
        r = i = None
        if ref is not None:
            r = _bytes(ref, "ref")
            ev.ref, ev.ref_len = r, len(r)
        if id is not None:
            i = _bytes(id, "id")
            ev.id, ev.id_len = i, len(i)
        try:
            status = _check(lib.cxm_store_record(h, byref(ev)))
        finally:
            ev.customer = ev.ref = ev.id = None  # drop the borrowed bytes
        return status == 0

    def ingest(self, path: Union[str, bytes, "os.PathLike[str]"], format: Optional[str] = None,
               strict: bool = False) -> IngestResult:
        """Read a CSV or JSON Lines event file (format "csv" or "jsonl";
        default: by the extension, like the cxm command). Bad rows are
        skipped and listed in ``errors``; raises CxmError when the file
        cannot be read, the CSV header is unusable, or (strict) at the first
        bad row — the exception's ``errors`` lists the rows seen."""
        p = os.fsencode(path)
        if format is None:
            format = "jsonl" if p.endswith(b".jsonl") else "csv"
        if format not in ("csv", "jsonl"):
            raise ValueError(f"format must be 'csv' or 'jsonl', not {format!r}")
        lib = self._lib
        errors: List[RowError] = []

        def on_error(_user: Any, e: Any) -> None:
            e = e.contents
            errors.append(RowError(e.line, (e.column or b"").decode("utf-8", "replace"), e.status,
                                   lib.cxm_status_name(e.status).decode(),
                                   (e.reason or b"").decode("utf-8", "replace")))

        callback = _c.ROW_ERROR_FN(on_error)  # kept alive for the call
        opts = _c.ReaderOptions()
        lib.cxm_reader_options_init(byref(opts))
        opts.format = 1 if format == "jsonl" else 0
        opts.strict = 1 if strict else 0
        opts.on_error = callback
        st = _c.ReaderStats()
        st.size = ctypes.sizeof(st)
        status = lib.cxm_store_ingest_file(self._handle, p, byref(opts), byref(st))
        if status < 0:
            raise CxmError(status, f"{lib.cxm_status_str(status).decode()} ({os.fsdecode(p)})", errors)
        return IngestResult(st.rows, st.events, st.rejected, st.duplicates, st.out_of_window, st.warnings, st.bytes,
                            errors)

    def stats(self) -> StoreStats:
        st = _c.StoreStats()
        st.size = ctypes.sizeof(st)
        _check(self._lib.cxm_store_stats_get(byref(st), self._handle))
        empty = st.events == 0
        return StoreStats(st.events, st.duplicates, st.customers, None if empty else st.first,
                          None if empty else st.last, st.cells, st.memory_bytes)

    # -- queries --
    def _filter(self, where: Optional[Group], channel: Code, stage: Code, segment: Code, start: Optional[Time],
                end: Optional[Time]) -> Any:
        f = _c.Filter()
        self._lib.cxm_filter_init(byref(f))
        if where is not None:
            f.from_, f.to, f.channel, f.stage, f.segment = where._filter
        if start is not None:
            f.from_ = _time(start, "start")
        if end is not None:
            f.to = _time(end, "end")
        unseen = False
        if channel is not None:
            code = self._find(channel, "channel")
            unseen = code is None
            if code is not None:
                f.channel = code
        if stage is not None:
            f.stage = self._parse(self._lib.cxm_stage_parse, stage, "stage")
        if segment is not None:
            code = self._find(segment, "segment")
            unseen = unseen or code is None
            if code is not None:
                f.segment = code
        if unseen and f.from_ <= f.to:
            # A name the store has never seen has no events: an empty window
            # at a bound the caller gave (so a misaligned bound still fails
            # with CXM_E_WINDOW), else [0, 0).
            lo = f.from_ if f.from_ != _INT64_MIN else (f.to if f.to != _INT64_MAX else _EMPTY_WINDOW[0])
            f.from_ = f.to = lo
        return f

    def _survey(self, kw: dict) -> Tuple[Nps, Csat, Ces]:
        acc = _c.SurveyAcc()
        _check(self._lib.cxm_store_survey(byref(acc), self._handle, byref(self._filter(**kw))))
        return _survey(acc)

    @staticmethod
    def _kw(where: Optional[Group], channel: Code, stage: Code, segment: Code, start: Optional[Time],
            end: Optional[Time]) -> dict:
        return dict(where=where, channel=channel, stage=stage, segment=segment, start=start, end=end)

    # Every query takes the same slice: where (a Group), channel, stage,
    # segment, and the window [start, end) (multiples of the bucket).
    def nps(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None, segment: Code = None,
            start: Optional[Time] = None, end: Optional[Time] = None) -> Nps:
        return self._survey(self._kw(where, channel, stage, segment, start, end))[0]

    def csat(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None, segment: Code = None,
             start: Optional[Time] = None, end: Optional[Time] = None) -> Csat:
        return self._survey(self._kw(where, channel, stage, segment, start, end))[1]

    def ces(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None, segment: Code = None,
            start: Optional[Time] = None, end: Optional[Time] = None) -> Ces:
        return self._survey(self._kw(where, channel, stage, segment, start, end))[2]

    def _experience_options(self, top_box: Optional[float], sla_target_seconds: Optional[int]) -> Any:
        o = _c.ExperienceOptions()
        self._lib.cxm_experience_options_init(byref(o))
        if top_box is not None:
            o.top_box = top_box
        if sla_target_seconds is not None:
            o.sla_target_seconds = sla_target_seconds
        return o

    def gap(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None, segment: Code = None,
            start: Optional[Time] = None, end: Optional[Time] = None, top_box: Optional[float] = None) -> Gap:
        f = self._filter(**self._kw(where, channel, stage, segment, start, end))
        acc, r = _c.GapAcc(), _c.GapResult()
        _check(self._lib.cxm_store_gap(byref(acc), self._handle, byref(f),
                                       byref(self._experience_options(top_box, None))))
        _check(self._lib.cxm_gap_compute(byref(r), byref(acc)))
        return Gap(r.pairs, _num(r.mean), _num(r.se), (_num(r.ci95_low), _num(r.ci95_high)), _num(r.service),
                   _num(r.experience), _num(r.delivery_gap), _num(r.blind_spot_pct), _num(r.delivery_z),
                   r.blind_spots, r.reverse_spots)

    def servqual(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
                 segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None) -> Servqual:
        f = self._filter(**self._kw(where, channel, stage, segment, start, end))
        r = _c.ServqualResult()
        _check(self._lib.cxm_store_servqual(byref(r), self._handle, byref(f),
                                            byref(self._experience_options(None, None))))
        return Servqual({d: r.customers[i + 1] for i, d in enumerate(_DIMENSIONS)},
                        {d: _num(r.gap[i + 1]) for i, d in enumerate(_DIMENSIONS)}, _num(r.score))

    def service(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
                segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None,
                sla_target_seconds: Optional[int] = None) -> Service:
        f = self._filter(**self._kw(where, channel, stage, segment, start, end))
        r = _c.ServiceResult()
        _check(self._lib.cxm_store_service(byref(r), self._handle, byref(f),
                                           byref(self._experience_options(None, sla_target_seconds))))
        return Service(r.contacts, r.open, r.replied, r.resolved, r.met, r.breached, _num(r.first_response_median_s),
                       _num(r.first_response_p90_s), _num(r.first_response_mean_s), _num(r.resolution_median_s),
                       _num(r.resolution_p90_s), _num(r.resolution_mean_s), _num(r.within_sla_pct))

    def loyalty(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
                segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None) -> Loyalty:
        f = self._filter(**self._kw(where, channel, stage, segment, start, end))
        r = _c.LoyaltyResult()
        _check(self._lib.cxm_store_loyalty(byref(r), self._handle, byref(f)))
        return Loyalty(r.complaints, r.compliments, r.churned, _num(r.compliment_ratio))

    def consistency(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
                    segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None) -> Consistency:
        f = self._filter(**self._kw(where, channel, stage, segment, start, end))
        r = _c.ConsistencyResult()
        _check(self._lib.cxm_store_consistency(byref(r), self._handle, byref(f),
                                               byref(self._experience_options(None, None))))
        return Consistency(r.channels, _num(r.sd), _num(r.mean_of_means), self._channel_name(r.weakest_channel),
                           _num(r.weakest_mean))

    def _channel_name(self, code: int) -> Optional[str]:
        if code < 0:
            return None
        name, n = c_char_p(), c_size_t()
        if self._lib.cxm_store_channel_name(byref(name), byref(n), self._handle, code) != 0:
            return None
        return _text(name, n.value)

    def groups(self, by: str, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
               segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None) -> List[Group]:
        """Group a slice by "channel", "stage", "segment", "month" or "week"
        (sorted by key; groups without events left out)."""
        if by not in _BY:
            raise CxmError(-16, f"unknown grouping {by!r}: one of {', '.join(_BY)}")
        lib = self._lib
        f = self._filter(**self._kw(where, channel, stage, segment, start, end))
        g = c_void_p()
        _check(lib.cxm_store_group(byref(g), self._handle, byref(f), _BY[by]))
        try:
            out = []
            for i in range(lib.cxm_groups_count(g)):
                key, n = c_char_p(), c_size_t()
                acc, gf = _c.SurveyAcc(), _c.Filter()
                _check(lib.cxm_groups_key(byref(key), byref(n), g, i))
                _check(lib.cxm_groups_survey(byref(acc), g, i))
                _check(lib.cxm_groups_filter(byref(gf), g, i))
                nps, csat, ces = _survey(acc)
                out.append(Group(_text(key, n.value), nps, csat, ces,
                                 (gf.from_, gf.to, gf.channel, gf.stage, gf.segment)))
            return out
        finally:
            lib.cxm_groups_free(g)

    def churn(self, to: Optional[Time] = None, horizon_days: int = 90, model: str = "mbgnbd",
              sla_target_seconds: Optional[int] = None, label: str = "both", activity: str = "purchases",
              train_lapsed: bool = False, rank: str = "risk") -> Churn:
        """Churn risk of every customer at risk: one call of
        cxm_store_churn(), the pipeline ``cxm churn FILE --json`` uses
        (docs/churn.md). ``to`` is the scoring time ``scored_at``, a UTC
        midnight (default: the midnight after the last event); the risk
        model is fitted from the churn events in the ``horizon_days`` before
        it (or the documented default model without enough of them, or when
        the cut-off lies before the first event); ``model`` is the purchase
        model behind the purchase-risk feature and ``p_alive`` ("bgnbd",
        "mbgnbd" or "pnbd"); ``sla_target_seconds`` the first-reply target
        in business seconds (default 8 hours, Monday-Friday 09:00-17:00
        UTC). ``label`` is what a lost customer is in training ("churn": a
        churn event in the horizon, "lapse": no activity through it, "both"),
        ``activity`` what ends a lapse ("purchases" or "any"),
        ``train_lapsed`` whether customers already lapsed at the training
        cut-off are trained on. Customers come highest risk first (``rank``
        "risk") or highest value at risk first ("value"), equal keys in the
        store's customer order. Raises CxmError: CXM_E_NO_DATA for a store without
        events, CXM_E_WINDOW for a ``to`` that is not a UTC midnight,
        CXM_E_OPTION for a bad horizon or SLA target, CXM_E_MODEL for an
        unknown model name."""
        if model not in _MODELS:
            raise CxmError(_CXM_E_MODEL, f"unknown purchase model {model!r}: one of {', '.join(_MODELS)}")
        for name, v in (("horizon_days", horizon_days), ("sla_target_seconds", sla_target_seconds)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, int)):
                raise TypeError(f"{name} must be an int, not {type(v).__name__}")
        lib = self._lib
        opts = _c.ChurnOptions()
        lib.cxm_churn_options_init(byref(opts))
        if to is not None:
            opts.scored_at = _time(to, "to")
            if opts.scored_at == _c.CHURN_AFTER_LAST:  # the C sentinel, not a time
                raise CxmError(_CXM_E_WINDOW, f"to {to!r} is not a UTC midnight in 1970..9999")
        if not 0 < horizon_days <= _INT64_MAX // 86400:
            raise CxmError(_CXM_E_OPTION, f"horizon_days must be a positive number of days, not {horizon_days}")
        opts.horizon_seconds = horizon_days * 86400
        opts.purchase_model = _MODELS[model]
        labels = {"churn": 1, "lapse": 2, "both": 3}
        activities = {"purchases": 1, "any": 2}
        if label not in labels:
            raise CxmError(_CXM_E_OPTION, f"label must be one of {', '.join(labels)}, not {label!r}")
        if activity not in activities:
            raise CxmError(_CXM_E_OPTION, f"activity must be one of {', '.join(activities)}, not {activity!r}")
        opts.label = labels[label]
        opts.activity = activities[activity]
        opts.train_lapsed = 1 if train_lapsed else 0
        if rank not in ("risk", "value"):
            raise CxmError(_CXM_E_OPTION, f"rank must be risk or value, not {rank!r}")
        opts.rank = 0 if rank == "risk" else 1
        if sla_target_seconds is not None:
            if not _INT64_MIN <= sla_target_seconds <= _INT64_MAX:
                raise CxmError(_CXM_E_OPTION, f"sla_target_seconds {sla_target_seconds} is out of range")
            opts.sla_target_seconds = sla_target_seconds
        store = self._handle
        h = c_void_p()
        _check(lib.cxm_store_churn(byref(h), store, byref(opts)))
        try:
            return _churn_result(lib, store, h.value)
        finally:
            lib.cxm_churn_free(h.value)


def _churn_result(lib: Any, store: int, churn: int, info_type: Any = _c.ChurnInfo, row_type: Any = _c.ChurnRow) -> Churn:
    """Copy a cxm_churn result into Python objects. ``size`` is set to the
    mirror's ctypes.sizeof (checked against cxm_churn_info_init /
    cxm_churn_row_init at load) and the library answers CXM_E_SIZE (raised
    as CxmError) when that is not its own size. The types are parameters
    for the test that checks exactly that."""
    names = [lib.cxm_feature_name(k).decode() for k in range(_FEATURE_COUNT)]
    info = info_type()
    info.size = ctypes.sizeof(info_type)
    _check(lib.cxm_churn_info_get(byref(info), churn), "cxm_churn_info")
    m, e = info.model, info.evaluation
    evaluation = None
    if e.rows > 0:
        bins = tuple(CalibrationBin(e.bin_rows[b], _num(e.bin_predicted[b]), _num(e.bin_observed[b]))
                     for b in range(_c.RISK_CALIBRATION_BINS))
        evaluation = Evaluation(e.rows, e.positives, _num(e.log_loss), _num(e.auc), _num(e.brier), bins)
    sources = ("default", "fitted", "purchase")
    split = not math.isnan(info.margin)
    model = RiskModel(sources[info.source], bool(info.fitted), info.cutoff, info.scored_at,
                      m.intercept, {names[k]: m.coef[k] for k in range(_FEATURE_COUNT)}, bool(m.converged),
                      m.iterations, evaluation,
                      {sources[k]: info.heldout_auc[k] for k in range(3)} if split else None,
                      {sources[k]: info.heldout_log_loss[k] for k in range(3)} if split else None,
                      info.margin if split else None,
                      {names[k]: info.baseline[k] for k in range(_FEATURE_COUNT)},
                      info.train_rows, info.train_lost, info.value_at_risk, info.expected_value,
                      "gamma-gamma" if info.spend_fitted else "mean spend")
    customers = []
    row = row_type()
    cid, n = c_char_p(), c_size_t()
    for rank in range(lib.cxm_churn_count(churn)):
        row.size = ctypes.sizeof(row_type)
        _check(lib.cxm_churn_row_get(byref(row), churn, rank), "cxm_churn_row")
        _check(lib.cxm_store_customer_id(byref(cid), byref(n), store, row.handle))
        x, c = row.features, row.contributions
        customers.append(ChurnRisk(
            _text(cid, n.value), row.risk, _BANDS.get(row.band, "none"), _num(row.p_alive), row.logit,
            {names[k]: x[k] for k in range(_FEATURE_COUNT)}, {names[k]: c[k] for k in range(_FEATURE_COUNT)},
            tuple(Driver(names[row.drivers[k]], row.driver_weights[row.drivers[k]])
                  for k in range(min(row.driver_count, _FEATURE_COUNT))),
            _num(row.p_no_purchase), row.expected_value, row.value_at_risk))
    return Churn(customers, model)
