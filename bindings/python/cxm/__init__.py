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

import contextlib
import ctypes
import os
import threading
import datetime as _dt
import math
from ctypes import byref, c_char_p, c_double, c_int32, c_int64, c_size_t, c_uint32, c_void_p
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from . import _lib as _c

__all__ = [
    "CxmError", "Store", "RowError", "IngestResult", "StoreStats", "Nps", "Csat", "Ces", "Gap", "Servqual",
    "Service", "Operations", "Loyalty", "Consistency", "Group", "Driver", "ChurnRisk", "CalibrationBin", "Evaluation", "RiskModel",
    "Churn", "Calendar", "parse_hours", "version",
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
_CXM_E_CUSTOMER = -4
_CXM_E_TIME = -6
_CXM_E_KIND = -7
_CXM_E_VALUE = -8
_CXM_E_CHANNEL = -9
_CXM_E_STAGE = -10
_CXM_E_SEGMENT = -11
_CXM_E_DIMENSION = -12
_CXM_E_REF = -13
_CXM_E_EVENT_ID = -14
_CXM_E_WINDOW = -15
_CXM_E_IO = -21
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


def _id(s: Union[str, bytes], what: str, status: int) -> bytes:
    """An id for the library (customer, event id, ref): the bytes, refused
    with ``status`` when they hold a NUL, which no event file can carry (the
    readers refuse control characters) and C string handling would cut."""
    b = _bytes(s, what)
    if b"\0" in b:
        raise CxmError(status, f"{what} {s!r} contains a NUL byte")
    return b


def _int(v: int, what: str, status: int, bits: int = 32) -> int:
    """A Python int for a C int32_t (or int64_t) argument: ctypes would
    keep its low bits silently (2**32 + 1 becoming 1), so a value outside
    the type's range raises CxmError(status) instead."""
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"{what} must be an int, not {type(v).__name__}")
    if not -(2 ** (bits - 1)) <= v < 2 ** (bits - 1):
        raise CxmError(status, f"{what} {v} is outside the {bits}-bit range of the C library")
    return v


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


# ---- business calendars ------------------------------------------------------

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(v: Union[str, int], what: str) -> int:
    """Seconds after midnight from "HH:MM" (00:00..24:00) or an int."""
    if isinstance(v, bool):
        raise TypeError(f"{what} must be 'HH:MM' or seconds")
    if isinstance(v, int):
        return v
    if isinstance(v, str) and len(v) == 5 and v[2] == ":" and (v[:2] + v[3:]).isdigit():
        h, m = int(v[:2]), int(v[3:])
        if m < 60 and (h < 24 or (h == 24 and m == 0)):
            return h * 3600 + m * 60
    raise CxmError(_CXM_E_OPTION, f"{what} {v!r} is not HH:MM (00:00..24:00)")


def _weekday(d: Union[str, int]) -> int:
    if isinstance(d, str) and d in _WEEKDAYS:
        return _WEEKDAYS.index(d) + 1
    if isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7:
        return d
    raise CxmError(_CXM_E_OPTION, f"weekday {d!r}: one of {', '.join(_WEEKDAYS)} or 1..7 (Monday = 1)")


def parse_hours(spec: str) -> Dict[str, Optional[Tuple[int, int]]]:
    """Parse the ``--hours`` text of ``cxm report``/``cxm churn``
    (docs/cli.md, "Business time"): comma-separated ``DAYS=HH:MM-HH:MM`` or
    ``DAYS=closed``, DAYS a day (``mon`` .. ``sun``) or a range in week
    order (``mon-fri``); days not named are closed; a day named twice, an
    empty interval or a reversed range is an error (CxmError). Returns
    ``{"mon": (open_s, close_s) or None, ...}`` for all seven days."""
    out: Dict[str, Optional[Tuple[int, int]]] = {d: None for d in _WEEKDAYS}
    named = set()
    bad = CxmError(_CXM_E_OPTION, f"hours {spec!r}: DAYS=HH:MM-HH:MM or DAYS=closed, comma-separated, each day once")
    if not isinstance(spec, str) or spec == "":
        raise bad
    for part in spec.split(","):
        days, eq, value = part.partition("=")
        if not eq:
            raise bad
        first, dash, last = days.partition("-")
        if first not in _WEEKDAYS or (dash and last not in _WEEKDAYS):
            raise bad
        a, b = _WEEKDAYS.index(first), _WEEKDAYS.index(last) if dash else _WEEKDAYS.index(first)
        if b < a:
            raise bad
        if value == "closed":
            hours = None
        else:
            if len(value) != 11 or value[5] != "-":
                raise bad
            try:
                o, c = _clock(value[:5], "opening"), _clock(value[6:], "closing")
            except CxmError:
                raise bad from None
            if o >= c:
                raise bad
            hours = (o, c)
        for d in _WEEKDAYS[a:b + 1]:
            if d in named:
                raise bad
            named.add(d)
            out[d] = hours
    return out


class Calendar:
    """A business calendar (cxm/calendar.h, docs/calendar.md): opening hours
    per weekday, a fixed UTC offset and holiday dates. Pass it to
    Store.service(), Store.service_business() and Store.churn() with an SLA
    target, as ``cxm report --hours ... --utc-offset ... --holidays ...
    --sla-target ...`` does.

    ``hours`` is the ``--hours`` text (``"mon-fri=09:00-17:00,sat=10:00-14:00"``,
    unnamed days closed) or a dict ``{"mon": ("09:00", "17:00"), "sun": None}``
    (unnamed days keep the default: Monday-Friday 09:00-17:00);
    ``utc_offset`` is ``"+05:30"`` or seconds; ``holidays`` dates
    (``"2026-12-25"`` or datetime.date). Close it with close() or a ``with``
    block; it must outlive the calls it is passed to (they borrow it)."""

    def __init__(self, hours: Union[str, Dict[str, Any], None] = None, utc_offset: Union[str, int, None] = None,
                 holidays: Any = ()) -> None:
        self._lib = _c.lib()
        self._h: Optional[int] = None
        h = c_void_p()
        _check(self._lib.cxm_calendar_new(byref(h), None))
        self._h = h.value
        try:
            if isinstance(hours, str):
                for day, oc in parse_hours(hours).items():
                    self.set_hours(day, *(oc or (0, 0)))
            elif hours is not None:
                for day, oc in hours.items():
                    self.set_hours(day, *(oc or (0, 0)))
            if utc_offset is not None:
                self.utc_offset = utc_offset
            for d in holidays:
                self.add_holiday(d)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Free the calendar. Idempotent."""
        h, self._h = self._h, None
        if h is not None:
            self._lib.cxm_calendar_free(h)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self) -> "Calendar":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _handle(self) -> int:
        if self._h is None:
            raise CxmError(_CXM_E_ARG, "the calendar is closed")
        return self._h

    def set_hours(self, weekday: Union[str, int], open: Union[str, int], close: Union[str, int]) -> None:
        """Open ``weekday`` ("mon".."sun" or 1..7) from ``open`` to ``close``
        ("HH:MM" or seconds after local midnight); equal times close it."""
        _check(self._lib.cxm_calendar_set_hours(self._handle, _weekday(weekday), _clock(open, "opening"),
                                                _clock(close, "closing")), f"hours of {weekday!r}")

    def hours(self, weekday: Union[str, int]) -> Optional[Tuple[int, int]]:
        """(open, close) in seconds after local midnight, or None when closed."""
        o, c = c_int32(), c_int32()
        _check(self._lib.cxm_calendar_get_hours(byref(o), byref(c), self._handle, _weekday(weekday)))
        return None if o.value == c.value else (o.value, c.value)

    @property
    def utc_offset(self) -> int:
        """The UTC offset in seconds (local time = UTC + offset)."""
        o = c_int32()
        _check(self._lib.cxm_calendar_get_offset(byref(o), self._handle))
        return o.value

    @utc_offset.setter
    def utc_offset(self, v: Union[str, int]) -> None:
        if isinstance(v, str):
            b, o = v.encode(), c_int32()
            _check(self._lib.cxm_calendar_parse_offset(byref(o), b, len(b)), f"utc_offset {v!r}")
            v = o.value
        if isinstance(v, bool) or not isinstance(v, int) or not -64800 <= v <= 64800:
            raise CxmError(_CXM_E_OPTION, f"utc_offset {v!r} is not '+HH:MM' or seconds within 18 hours")
        _check(self._lib.cxm_calendar_set_offset(self._handle, v))

    def add_holiday(self, date: Union[str, _dt.date]) -> None:
        """A local date with no business hours ("YYYY-MM-DD" or a date)."""
        if isinstance(date, str):
            try:
                date = _dt.date.fromisoformat(date)
            except ValueError:
                raise CxmError(_CXM_E_TIME, f"holiday {date!r} is not a YYYY-MM-DD date") from None
        if not isinstance(date, _dt.date):
            raise TypeError("a holiday is a 'YYYY-MM-DD' string or a datetime.date")
        _check(self._lib.cxm_calendar_add_holiday(self._handle, date.year, date.month, date.day))

    def add_holidays_text(self, text: Union[str, bytes]) -> None:
        """Dates one a line, as the ``--holidays`` file (all or nothing)."""
        b = text.encode() if isinstance(text, str) else text
        bad = c_size_t()
        _check(self._lib.cxm_calendar_add_holidays_text(byref(bad), self._handle, b, len(b)),
               f"holidays line {bad.value}")

    @property
    def holiday_count(self) -> int:
        return self._lib.cxm_calendar_holiday_count(self._handle)

    def business_seconds(self, start: Time, end: Time) -> int:
        """Business seconds in [start, end)."""
        out = c_int64()
        _check(self._lib.cxm_calendar_business_seconds(byref(out), self._handle, _time(start), _time(end)))
        return out.value

    def next_open(self, t: Time) -> int:
        """The first business second at or after ``t``."""
        out = c_int64()
        _check(self._lib.cxm_calendar_next_open(byref(out), self._handle, _time(t)))
        return out.value

    def add_business(self, t: Time, seconds: int) -> int:
        """The instant ``seconds`` business seconds after ``t`` (an SLA deadline)."""
        out = c_int64()
        _check(self._lib.cxm_calendar_add_business(byref(out), self._handle, _time(t), seconds))
        return out.value


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
class Operations:
    """Service operations of a slice (cxm_store_operations, docs/experience.md):
    first-contact resolution, reopens, repeat contacts, channel switches,
    transfers, first and full resolution times (wall clock and business)."""

    contacts: int
    resolved: int
    first_contact_resolved: int
    reopened: int
    repeated: int
    switched: int
    transfers: int
    fcr_pct: Optional[float]
    reopen_pct: Optional[float]
    repeat_pct: Optional[float]
    switch_pct: Optional[float]
    transfers_per_contact: Optional[float]
    first_resolution_median_s: Optional[float]
    first_resolution_mean_s: Optional[float]
    full_resolution_median_s: Optional[float]
    full_resolution_mean_s: Optional[float]
    first_resolution_business_median_s: Optional[float]
    first_resolution_business_mean_s: Optional[float]
    full_resolution_business_median_s: Optional[float]
    full_resolution_business_mean_s: Optional[float]


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
    p_alive: Optional[float]  # the purchase model's P(alive) at scored_at; None (C: NaN) without usable purchases
    logit: float  # log-odds of risk: the model's intercept + sum(contributions)
    features: Dict[str, float]  # the feature row, by feature name (cxm/features.h order)
    contributions: Dict[str, float]  # each feature's share of the log-odds, by name
    drivers: Tuple[Driver, ...]  # features with contribution > 0, largest first (ties: feature order)


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

    source: str  # "fitted" or "default"
    fitted: bool
    cutoff: int  # the training cut-off, seconds since 1970
    scored_at: int  # the scoring time, seconds since 1970
    intercept: float
    coefficients: Dict[str, float]  # by feature name
    converged: bool  # False when a fit stopped at its best point (still used)
    iterations: int
    evaluation: Optional[Evaluation]  # None for the default model (no held-out rows)


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
    block; the destructor frees it too, as a safety net.

    Safe to share between threads: the store applies the C store's rule
    (docs/threads.md) with a reader-writer lock of its own. record() and
    ingest() write and run one at a time, alone; queries and churn() read
    and run together while nothing writes (ctypes releases the GIL during
    each C call, so they really run in parallel). close() waits for the
    calls in flight, then frees the store; calls after it raise
    CxmError(CXM_E_ARG)."""

    def __init__(self, bucket_seconds: int = 86400) -> None:
        # The guard first: __del__ -> close() needs it even when the
        # rest of __init__ fails.
        self._cv = threading.Condition(threading.Lock())
        self._readers = 0  # calls in flight that read the store
        self._writing = False  # a call in flight writes it (or close frees it)
        self._writers_waiting = 0  # writers (and close) waiting: new readers queue behind them
        self._h: Optional[int] = None
        self._lib = _c.lib()
        opts = _c.StoreOptions()
        self._lib.cxm_store_options_init(byref(opts))
        opts.bucket_seconds = _int(bucket_seconds, "bucket_seconds", _CXM_E_OPTION, 64)
        h = c_void_p()
        _check(self._lib.cxm_store_new(byref(h), byref(opts)))
        self._h = h.value

    # -- lifetime and the guard --
    @contextlib.contextmanager
    def _use(self, write: bool = False) -> Any:
        """Hold the store for one call: shared for a read, exclusive for a
        write; yields the C handle. Never nested: one public method takes
        the guard once and passes the handle to its helpers."""
        cv = self._cv
        with cv:
            if write:
                self._writers_waiting += 1
                try:
                    while self._writing or self._readers > 0:
                        cv.wait()
                finally:
                    self._writers_waiting -= 1
            else:
                while self._writing or self._writers_waiting > 0:
                    cv.wait()
            h = self._h
            if h is None:
                cv.notify_all()
                raise CxmError(_CXM_E_ARG, "the store is closed")
            if write:
                self._writing = True
            else:
                self._readers += 1
        try:
            yield h
        finally:
            with cv:
                if write:
                    self._writing = False
                else:
                    self._readers -= 1
                cv.notify_all()

    @property
    def _handle(self) -> int:
        """The raw C handle, outside the guard (the tests' direct C calls)."""
        if self._h is None:
            raise CxmError(_CXM_E_ARG, "the store is closed")
        return self._h

    def close(self) -> None:
        """Free the store once the calls in flight on other threads have
        returned; later calls raise CxmError(CXM_E_ARG). Idempotent."""
        cv = getattr(self, "_cv", None)
        if cv is None:  # __init__ failed before the guard existed
            return
        with cv:
            self._writers_waiting += 1
            try:
                while self._writing or self._readers > 0:
                    cv.wait()
            finally:
                self._writers_waiting -= 1
            h, self._h = self._h, None
            if h is not None:
                self._lib.cxm_store_free(h)
            cv.notify_all()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: nothing useful to do
            pass

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- codes --
    # Recording interns a new channel token or segment label (the store
    # learns it); queries only look names up (cxm_store_find_channel /
    # cxm_store_find_segment), so a query never writes the store.
    def _channel(self, h: int, channel: Code) -> int:
        if channel is None:
            return 0
        if isinstance(channel, int):
            return _int(channel, "channel", _CXM_E_CHANNEL)
        b = _bytes(channel, "channel")
        out = c_int32()
        _check(self._lib.cxm_store_channel(byref(out), h, b, len(b)), f"channel {channel!r}")
        return out.value

    def _segment(self, h: int, segment: Code) -> int:
        if segment is None:
            return 0
        if isinstance(segment, int):
            return _int(segment, "segment", _CXM_E_SEGMENT)
        b = _bytes(segment, "segment")
        out = c_int32()
        _check(self._lib.cxm_store_segment(byref(out), h, b, len(b)), f"segment {segment!r}")
        return out.value

    def _find(self, h: int, value: Union[str, bytes, int], what: str) -> Optional[int]:
        """The code of a channel or segment for a query, without interning;
        None for a name the store has never seen (CXM_E_NOT_FOUND). An
        invalid name still raises (CXM_E_CHANNEL, CXM_E_SEGMENT). The
        segment "unknown" is the empty segment (code 0), the key
        groups("segment") gives it, as the channel "unknown" is channel 0."""
        if isinstance(value, int):
            return _int(value, what, _CXM_E_CHANNEL if what == "channel" else _CXM_E_SEGMENT)
        b = _bytes(value, what)
        if what == "segment" and b == b"unknown":
            return 0
        fn = self._lib.cxm_store_find_channel if what == "channel" else self._lib.cxm_store_find_segment
        out = c_int32()
        rc = fn(byref(out), h, b, len(b))
        if rc == _CXM_E_NOT_FOUND:
            return None
        _check(rc, f"{what} {value!r}")
        return out.value

    def _parse(self, fn: Callable[..., int], value: Code, what: str, status: int) -> int:
        if value is None:
            return 0
        if isinstance(value, int):
            return _int(value, what, status)
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
        # Everything that needs no store first, into this call's own struct
        # (one shared struct let threads send each other's customers).
        ev = _c.Event()
        lib.cxm_event_init(byref(ev))
        cust = _id(customer, "customer", _CXM_E_CUSTOMER)
        ev.customer = cust
        ev.customer_len = len(cust)
        ev.time = _time(time)
        ev.kind = self._parse(lib.cxm_kind_parse, kind, "kind", _CXM_E_KIND)
        if value is not None:
            ev.has_value = 1
            try:
                ev.value = float(value)
            except OverflowError:  # an int beyond any double: not a value of any kind
                raise CxmError(_CXM_E_VALUE, f"value {value} is beyond the range of a double") from None
        ev.stage = self._parse(lib.cxm_stage_parse, stage, "stage", _CXM_E_STAGE)
        ev.dimension = self._parse(lib.cxm_dimension_parse, dimension, "dimension", _CXM_E_DIMENSION)
        # Kept referenced until the call returns: the struct borrows them.
        r = i = None
        if ref is not None:
            r = _id(ref, "ref", _CXM_E_REF)
            ev.ref, ev.ref_len = r, len(r)
        if id is not None:
            i = _id(id, "id", _CXM_E_EVENT_ID)
            ev.id, ev.id_len = i, len(i)
        with self._use(write=True) as h:
            ev.channel = self._channel(h, channel)
            ev.segment = self._segment(h, segment)
            status = _check(lib.cxm_store_record(h, byref(ev)))
        return status == 0

    def ingest(self, path: Union[str, bytes, "os.PathLike[str]"], format: Optional[str] = None,
               strict: bool = False, delimiter: Optional[str] = None, trim: bool = True,
               time_format: Optional[str] = None, utc_offset: Optional[int] = None) -> IngestResult:
        """Read a CSV or JSON Lines event file (format "csv" or "jsonl";
        default: by the extension, .jsonl or .ndjson, like the cxm command).
        Bad rows are skipped and listed in ``errors``; raises CxmError when
        the file cannot be read, the CSV header is unusable, or (strict) at
        the first bad row — the exception's ``errors`` lists the rows seen.

        Dialects (docs/events.md): ``delimiter`` one of ``, ; \\t |``
        (default: detected from the header); ``trim`` removes spaces around
        fields; ``time_format`` a pattern such as ``"%m/%d/%Y %H:%M"``;
        ``utc_offset`` seconds east of UTC at which times without a zone are
        read (default: such times are refused)."""
        p = os.fsencode(path)
        if b"\0" in p:  # ctypes would pass the path cut at the NUL: another file
            raise CxmError(_CXM_E_IO, f"path {os.fsdecode(p)!r} contains a NUL byte")
        if format is None:
            format = "jsonl" if p.endswith(b".jsonl") or p.endswith(b".ndjson") else "csv"
        if format not in ("csv", "jsonl"):
            raise ValueError(f"format must be 'csv' or 'jsonl', not {format!r}")
        if delimiter is not None and delimiter not in (",", ";", "\t", "|"):
            raise ValueError(f"delimiter must be one of , ; tab |, not {delimiter!r}")
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
        opts.delimiter = 0 if delimiter is None else ord(delimiter)
        opts.trim = 1 if trim else 0
        pattern = None if time_format is None else time_format.encode()
        opts.time_format = pattern  # kept alive by `pattern` for the call
        if utc_offset is not None:
            opts.assume_offset = 1
            opts.utc_offset = int(utc_offset)
        opts.on_error = callback
        st = _c.ReaderStats()
        st.size = ctypes.sizeof(st)
        with self._use(write=True) as h:
            status = lib.cxm_store_ingest_file(h, p, byref(opts), byref(st))
        if status < 0:
            raise CxmError(status, f"{lib.cxm_status_str(status).decode()} ({os.fsdecode(p)})", errors)
        return IngestResult(st.rows, st.events, st.rejected, st.duplicates, st.out_of_window, st.warnings, st.bytes,
                            errors)

    def stats(self) -> StoreStats:
        st = _c.StoreStats()
        st.size = ctypes.sizeof(st)
        with self._use() as h:
            _check(self._lib.cxm_store_stats_get(byref(st), h))
        empty = st.events == 0
        return StoreStats(st.events, st.duplicates, st.customers, None if empty else st.first,
                          None if empty else st.last, st.cells, st.memory_bytes)

    # -- queries --
    def _filter(self, h: int, where: Optional[Group], channel: Code, stage: Code, segment: Code,
                start: Optional[Time], end: Optional[Time]) -> Any:
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
            code = self._find(h, channel, "channel")
            unseen = code is None
            if code is not None:
                f.channel = code
        if stage is not None:
            f.stage = self._parse(self._lib.cxm_stage_parse, stage, "stage", _CXM_E_STAGE)
        if segment is not None:
            code = self._find(h, segment, "segment")
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
        with self._use() as h:
            _check(self._lib.cxm_store_survey(byref(acc), h, byref(self._filter(h, **kw))))
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

    def _experience_options(self, top_box: Optional[float], sla_target_seconds: Optional[int],
                            calendar: Optional[Calendar] = None) -> Any:
        o = _c.ExperienceOptions()
        self._lib.cxm_experience_options_init(byref(o))
        if top_box is not None:
            o.top_box = top_box
        if sla_target_seconds is not None:
            o.sla_target_seconds = _int(sla_target_seconds, "sla_target_seconds", _CXM_E_OPTION, 64)
        if calendar is not None:
            if not isinstance(calendar, Calendar):
                raise TypeError("calendar must be a cxm.Calendar")
            o.calendar = calendar._handle
        return o

    def gap(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None, segment: Code = None,
            start: Optional[Time] = None, end: Optional[Time] = None, top_box: Optional[float] = None) -> Gap:
        acc, r = _c.GapAcc(), _c.GapResult()
        o = self._experience_options(top_box, None)
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            _check(self._lib.cxm_store_gap(byref(acc), h, byref(f), byref(o)))
        _check(self._lib.cxm_gap_compute(byref(r), byref(acc)))
        return Gap(r.pairs, _num(r.mean), _num(r.se), (_num(r.ci95_low), _num(r.ci95_high)), _num(r.service),
                   _num(r.experience), _num(r.delivery_gap), _num(r.blind_spot_pct), _num(r.delivery_z),
                   r.blind_spots, r.reverse_spots)

    def servqual(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
                 segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None) -> Servqual:
        r = _c.ServqualResult()
        o = self._experience_options(None, None)
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            _check(self._lib.cxm_store_servqual(byref(r), h, byref(f), byref(o)))
        return Servqual({d: r.customers[i + 1] for i, d in enumerate(_DIMENSIONS)},
                        {d: _num(r.gap[i + 1]) for i, d in enumerate(_DIMENSIONS)}, _num(r.score))

    def service(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
                segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None,
                sla_target_seconds: Optional[int] = None, calendar: Optional[Calendar] = None,
                business: bool = False) -> Service:
        """Service levels (cxm_store_service). The SLA target is in business
        seconds of ``calendar`` (default Monday-Friday 09:00-17:00 UTC). With
        ``business=True`` the durations (medians, p90s, means) are business
        seconds too (cxm_store_service_business; docs/experience.md)."""
        r = _c.ServiceResult()
        o = self._experience_options(None, sla_target_seconds, calendar)
        fn = self._lib.cxm_store_service_business if business else self._lib.cxm_store_service
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            _check(fn(byref(r), h, byref(f), byref(o)))
        return Service(r.contacts, r.open, r.replied, r.resolved, r.met, r.breached, _num(r.first_response_median_s),
                       _num(r.first_response_p90_s), _num(r.first_response_mean_s), _num(r.resolution_median_s),
                       _num(r.resolution_p90_s), _num(r.resolution_mean_s), _num(r.within_sla_pct))

    def operations(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
                   segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None,
                   window_days: Optional[int] = None, calendar: Optional[Calendar] = None) -> Operations:
        """Service operations (cxm_store_operations): ``window_days`` is the
        repeat-contact window W (default 7); ``calendar`` the business hours
        of the business-time durations (default Monday-Friday 09:00-17:00 UTC)."""
        r = _c.OperationsResult()
        r.size = ctypes.sizeof(r)
        o = _c.OperationsOptions()
        self._lib.cxm_operations_options_init(byref(o))
        if window_days is not None:
            o.window_seconds = _int(window_days, "window_days", _CXM_E_OPTION, 32) * 86400
        if calendar is not None:
            if not isinstance(calendar, Calendar):
                raise TypeError("calendar must be a cxm.Calendar")
            o.calendar = calendar._handle
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            _check(self._lib.cxm_store_operations(byref(r), h, byref(f), byref(o)))
        return Operations(*(getattr(r, name) if kind is not c_double else _num(getattr(r, name))
                            for name, kind in r._fields_[1:]))

    def loyalty(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
                segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None) -> Loyalty:
        r = _c.LoyaltyResult()
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            _check(self._lib.cxm_store_loyalty(byref(r), h, byref(f)))
        return Loyalty(r.complaints, r.compliments, r.churned, _num(r.compliment_ratio))

    def consistency(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
                    segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None) -> Consistency:
        r = _c.ConsistencyResult()
        o = self._experience_options(None, None)
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            _check(self._lib.cxm_store_consistency(byref(r), h, byref(f), byref(o)))
            weakest = self._channel_name(h, r.weakest_channel)
        return Consistency(r.channels, _num(r.sd), _num(r.mean_of_means), weakest, _num(r.weakest_mean))

    def _channel_name(self, h: int, code: int) -> Optional[str]:
        if code < 0:
            return None
        name, n = c_char_p(), c_size_t()
        if self._lib.cxm_store_channel_name(byref(name), byref(n), h, code) != 0:
            return None
        return _text(name, n.value)

    def groups(self, by: str, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
               segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None) -> List[Group]:
        """Group a slice by "channel", "stage", "segment", "month" or "week"
        (sorted by key; groups without events left out)."""
        if by not in _BY:
            raise CxmError(-16, f"unknown grouping {by!r}: one of {', '.join(_BY)}")
        lib = self._lib
        g = c_void_p()
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            _check(lib.cxm_store_group(byref(g), h, byref(f), _BY[by]))
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
              sla_target_seconds: Optional[int] = None, calendar: Optional[Calendar] = None) -> Churn:
        """Churn risk of every customer at risk: one call of
        cxm_store_churn(), the pipeline ``cxm churn FILE --json`` uses
        (docs/churn.md). ``to`` is the scoring time ``scored_at``, a UTC
        midnight (default: the midnight after the last event); the risk
        model is fitted from the churn events in the ``horizon_days`` before
        it (or the documented default model without enough of them, or when
        the cut-off lies before the first event); ``model`` is the purchase
        model behind the purchase-risk feature and ``p_alive`` ("bgnbd",
        "mbgnbd" or "pnbd"); ``sla_target_seconds`` the first-reply target
        in business seconds of ``calendar`` (default 8 hours,
        Monday-Friday 09:00-17:00 UTC). Customers come highest risk first, equal risks in the store's
        customer order. Raises CxmError: CXM_E_NO_DATA for a store without
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
        if sla_target_seconds is not None:
            if not _INT64_MIN <= sla_target_seconds <= _INT64_MAX:
                raise CxmError(_CXM_E_OPTION, f"sla_target_seconds {sla_target_seconds} is out of range")
            opts.sla_target_seconds = sla_target_seconds
        if calendar is not None:
            if not isinstance(calendar, Calendar):
                raise TypeError("calendar must be a cxm.Calendar")
            opts.calendar = calendar._handle
        # Customer ids are read from the store: under the same hold.
        with self._use() as store:
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
    model = RiskModel("fitted" if info.fitted else "default", bool(info.fitted), info.cutoff, info.scored_at,
                      m.intercept, {names[k]: m.coef[k] for k in range(_FEATURE_COUNT)}, bool(m.converged),
                      m.iterations, evaluation)
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
            tuple(Driver(names[row.drivers[k]], c[row.drivers[k]]) for k in range(min(row.driver_count, _FEATURE_COUNT)))))
    return Churn(customers, model)
