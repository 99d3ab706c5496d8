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
import errno as _errno
import ctypes
import os
import threading
import datetime as _dt
import math
from ctypes import byref, c_char_p, c_double, c_int32, c_int64, c_size_t, c_uint32, c_uint64, c_void_p
import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from . import _lib as _c
from . import _frames

__all__ = [
    "CxmError", "CxmValueError", "CxmKeyError", "CxmOSError", "CxmFileNotFoundError", "CxmPermissionError",
    "CxmIsADirectoryError", "Store", "RecordResult", "PurchaseSummary", "PurchaseSummaries", "PurchaseModel", "Groups", "Comparison", "FeatureRow", "FeatureTable", "RowError", "IngestResult", "StoreStats", "Nps", "Csat", "Ces", "Gap", "Servqual",
    "Service", "Operations", "BacklogDay", "Loop", "Loyalty", "Consistency", "Group", "Driver", "ChurnRisk", "CalibrationBin", "Evaluation", "RiskModel",
    "Churn", "Calendar", "parse_hours", "version", "SliceTest", "SliceTests", "SamplePlan", "p_adjust",
    "slice_tests_survey", "slice_tests_means", "nps_score_interval", "plan_sample_size", "Holdout",
    "load_purchase_summaries", "CovariateFit", "fit_covariates", "kinds", "channels", "stages", "dimensions", "format_time", "period_key",
    "ExperienceGroup", "ExperienceGroups", "LogisticModel", "SurveyAccumulator", "GapAccumulator",
    "ServqualAccumulator", "LoyaltyAccumulator", "ServiceAccumulator", "csv_record_end", "version_number",
]

Time = Union[int, str, _dt.datetime, _dt.date]
Code = Union[str, int, None]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_ANY = -1
_BY = {"channel": 0, "stage": 1, "segment": 2, "month": 3, "week": 4}
_DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
_MODELS = {"bgnbd": 1, "mbgnbd": 2, "pnbd": 3}
_OMIT = {"customer_days": 1, "customer_firsts": 2}  # CXM_OMIT_CUSTOMER_DAYS, CXM_OMIT_CUSTOMER_FIRSTS
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
_KIND_RATING = 17  # CXM_KIND_RATING: its dimension is an attribute label of the store
_CXM_E_REF = -13
_CXM_E_EVENT_ID = -14
_CXM_E_WINDOW = -15
_CXM_E_IO = -21
_CXM_E_STATE = -24
_CXM_E_NOT_FILE = -38
_CXM_E_HEADER = -22
_CXM_E_NOT_FOUND = -29
_CXM_E_OPTION = -31
_CXM_E_MODEL = -34
# A window that selects nothing ([0, 0) is aligned to any bucket): the
# slice of a channel or segment name the store has never seen.
_EMPTY_WINDOW = (0, 0)
_CHUNK = 1 << 20  # bytes fed to a cxm_reader per call


class CxmError(Exception):
    """A negative status from libcxm: ``status`` (e.g. -8), ``name``
    ("CXM_E_VALUE") and ``message`` (the library's English description, or
    a more precise one from the binding).

    ``CxmError(status, ...)`` builds the subclass that fits the status, so
    the exception is also the built-in one a Python user catches:
    :class:`CxmValueError` (a ``ValueError``: bad input or options),
    :class:`CxmKeyError` (a ``KeyError``: a name or column not found),
    :class:`CxmOSError` (an ``OSError`` with ``errno`` and ``filename``; a
    missing file is a ``FileNotFoundError``), or CxmError itself (a closed
    store or calendar: CXM_E_STATE; CXM_E_NOMEM; a fit that did not
    converge; CXM_E_ARG)."""

    def __new__(cls, status: int, message: Optional[str] = None, errors: Optional[List["RowError"]] = None,
                *, errno: Optional[int] = None, filename: Optional[str] = None) -> "CxmError":
        if cls is CxmError:
            cls = _error_class(status, errno)
        return super().__new__(cls, status, message)

    def __init__(self, status: int, message: Optional[str] = None, errors: Optional[List["RowError"]] = None,
                 *, errno: Optional[int] = None, filename: Optional[str] = None):
        lib = _c.lib()
        self.status = status
        self.name = lib.cxm_status_name(status).decode()
        self.message = message if message is not None else lib.cxm_status_str(status).decode()
        #: Rows rejected before the failure (ingest only).
        self.errors: List[RowError] = errors if errors is not None else []
        Exception.__init__(self, f"{self.name}: {self.message}")

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


class CxmValueError(CxmError, ValueError):
    """A CxmError that is a ``ValueError``: a bad event field (CXM_E_TIME,
    CXM_E_KIND, CXM_E_VALUE...), option, window, header or row, malformed or
    conflicting bytes (CXM_E_FORMAT, CXM_E_CHECKSUM, CXM_E_CONFLICT), no
    data to compute from (CXM_E_NO_DATA)."""


class CxmKeyError(CxmError, KeyError):
    """A CxmError that is a ``KeyError``: the thing looked up does not exist
    (CXM_E_NOT_FOUND, CXM_E_HANDLE), e.g. a DataFrame column named in
    ``record_frame`` that the frame lacks."""


class CxmOSError(CxmError, OSError):
    """A file could not be read or written (CXM_E_IO, CXM_E_NOT_FILE): an
    ``OSError`` with ``errno`` (the operating system's reason, None when
    unknown), ``strerror`` and ``filename``."""

    def __init__(self, status: int, message: Optional[str] = None, errors: Optional[List["RowError"]] = None,
                 *, errno: Optional[int] = None, filename: Optional[str] = None):
        CxmError.__init__(self, status, message, errors)
        self.errno = errno
        self.strerror = self.message
        self.filename = filename


class CxmFileNotFoundError(CxmOSError, FileNotFoundError):
    """A file that does not exist (CXM_E_IO with errno ENOENT)."""


class CxmPermissionError(CxmOSError, PermissionError):
    """A file the process may not read or write (CXM_E_IO with EACCES or EPERM)."""


class CxmIsADirectoryError(CxmOSError, IsADirectoryError):
    """A directory where a regular file was expected (CXM_E_NOT_FILE)."""


_VALUE_STATUSES = frozenset(range(-20, -3)) | frozenset((-3, -22, -23, -25, -26, -27, -28, -30, -31, -32, -34, -35,
                                                         -36, -37))
_KEY_STATUSES = frozenset((-5, -29))


def _error_class(status: int, errno_: Optional[int]) -> type:
    """The CxmError subclass for a status (and, for file errors, an errno)."""
    if status in (-21, -38):
        if errno_ == _errno.ENOENT:
            return CxmFileNotFoundError
        if errno_ in (_errno.EACCES, _errno.EPERM):
            return CxmPermissionError
        if errno_ == _errno.EISDIR:
            return CxmIsADirectoryError
        return CxmOSError
    if status in _KEY_STATUSES:
        return CxmKeyError
    if status in _VALUE_STATUSES:
        return CxmValueError
    return CxmError


def _os_error(status: int, path: bytes, errors: Optional[List["RowError"]] = None) -> CxmError:
    """The exception for a file the library could not read (CXM_E_IO,
    CXM_E_NOT_FILE): the library gives no errno, so the path is probed
    again (an open for reading) for the operating system's reason."""
    name = os.fsdecode(path)
    err: Optional[int] = None
    why = None
    try:
        if os.path.isdir(path):
            err, why = _errno.EISDIR, os.strerror(_errno.EISDIR)
        else:
            with open(path, "rb"):
                pass
    except OSError as e:
        err, why = e.errno, e.strerror
    if err is None and status == -38:
        why = "not a regular file"
    msg = f"{_c.lib().cxm_status_str(status).decode()} ({name}{': ' + why if why else ''})"
    return CxmError(status, msg, errors, errno=err, filename=name)


def _check(status: int, what: Optional[str] = None) -> int:
    if status < 0:
        raise CxmError(status, None if what is None else f"{_c.lib().cxm_status_str(status).decode()} ({what})")
    return status


def _num(x: float) -> Optional[float]:
    """NaN (the library's "absent") becomes None."""
    return None if math.isnan(x) else x


def _utc(t: Optional[int]) -> Optional[_dt.datetime]:
    """Seconds since 1970 as a timezone-aware UTC datetime (None stays None)."""
    if t is None:
        return None
    return _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + _dt.timedelta(seconds=t)


def version() -> str:
    """The version of the loaded libcxm, e.g. "0.1.0"."""
    return _c.lib().cxm_version_string().decode()


def version_number() -> int:
    """The loaded libcxm's version as major * 10000 + minor * 100 + patch
    (cxm_version), to check that a function added in a later minor
    version is there."""
    return _c.lib().cxm_version()


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


def _u32(v: int, what: str) -> int:
    """A count for a C uint32_t argument; outside 0..2**32-1 CXM_E_VALUE."""
    if isinstance(v, bool) or not isinstance(v, int):
        try:
            import numbers
            if isinstance(v, numbers.Integral):
                v = int(v)
            else:
                raise TypeError
        except TypeError:
            raise TypeError(f"{what} must be an int, not {type(v).__name__}") from None
    if not 0 <= v < 2**32:
        raise CxmError(_CXM_E_VALUE, f"{what} {v} is outside 0..2**32-1")
    return v


def _text(p: Any, n: int) -> str:
    return ctypes.string_at(p, n).decode("utf-8", "surrogateescape")


def _time(t: Time, what: str = "time") -> int:
    """Seconds since 1970 UTC from an int, an RFC 3339 string, a
    "YYYY-MM-DD" string or a date (its UTC midnight, as the command's
    --from/--to), or a datetime (naive ones are taken as UTC)."""
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
        if len(t) == 10 and t[4] == "-" and t[7] == "-":  # a date, as the command's --from/--to: its UTC midnight
            try:
                return (_dt.date.fromisoformat(t) - _dt.date(1970, 1, 1)).days * 86400
            except ValueError:
                raise CxmError(_CXM_E_TIME, f"{what} {t!r} is not a YYYY-MM-DD date") from None
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
            raise CxmError(_CXM_E_STATE, "the calendar is closed")
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
        """Number of holiday dates in the calendar."""
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


class _Frame:
    """to_frame() for a result: one row of flat columns (pandas)."""

    def to_frame(self) -> Any:
        """This result as a one-row pandas DataFrame of flat columns: the
        main figure under the metric's name (``nps``), the others
        ``nps_n``, ``nps_ci_low``, ``nps_ci_high``...; times as
        timezone-aware (UTC) Timestamps; absent values None/NaN."""
        return _frames.frame([_frames.flat(self)])


@dataclass(frozen=True)
class Nps(_Frame):
    """NPS of a slice (docs/metrics.md); floats are None when n is 0."""
    _frame_prefix = "nps"
    _frame_main = "score"

    n: int
    promoters: int
    passives: int
    detractors: int
    score: Optional[float]
    se: Optional[float]
    ci95: Tuple[Optional[float], Optional[float]]
    ci95_adjusted: Tuple[Optional[float], Optional[float]]


@dataclass(frozen=True)
class Csat(_Frame):
    """CSAT (top-two box) of a slice; floats are None when n is 0."""
    _frame_prefix = "csat"
    _frame_main = "score"

    n: int
    satisfied: int
    score: Optional[float]
    mean: Optional[float]
    ci95: Tuple[Optional[float], Optional[float]]


@dataclass(frozen=True)
class Ces(_Frame):
    """CES of a slice; sd and the interval are None when n < 2."""
    _frame_prefix = "ces"
    _frame_main = "mean"

    n: int
    mean: Optional[float]
    sd: Optional[float]
    ci95: Tuple[Optional[float], Optional[float]]
    easy_pct: Optional[float]
    high_effort_pct: Optional[float]
    net: Optional[float]


@dataclass(frozen=True)
class Gap(_Frame):
    """Service (internal rating) minus experience (customer rating) per interaction."""
    _frame_prefix = "gap"
    _frame_main = "mean"

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
class Servqual(_Frame):
    """SERVQUAL gaps (perception - expectation) per dimension, by name."""
    _frame_prefix = "servqual"
    _frame_main = "score"

    customers: dict
    gaps: dict
    score: Optional[float]


@dataclass(frozen=True)
class Service(_Frame):
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
class Operations(_Frame):
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
class BacklogDay(_Frame):
    """One day of the backlog (cxm_store_backlog, docs/experience.md
    "Backlog"): the contacts open at ``end`` (the next local midnight of the
    calendar's UTC offset after ``day``, both Unix seconds) and the median
    and 90th percentile of their ages since their open, wall clock and
    business seconds (None when no contact is open)."""

    day: int
    end: int
    open: int
    age_median_s: Optional[float]
    age_p90_s: Optional[float]
    age_business_median_s: Optional[float]
    age_business_p90_s: Optional[float]


def _backlog_day(d: Any) -> BacklogDay:
    return BacklogDay(d.day, d.end, d.open, _num(d.age_median_s), _num(d.age_p90_s), _num(d.age_business_median_s),
                      _num(d.age_business_p90_s))


@dataclass(frozen=True)
class Loop(_Frame):
    """Closing the loop with the detractor answers of a slice and the
    response rates of its invitations (cxm_store_loop, docs/experience.md
    "Closing the loop", "Response rates"; the ``loop`` and ``responses``
    objects of ``cxm report --json``). Durations are business seconds,
    shares percentages; None where there is nothing to measure.
    ``recovery_diff_low_pct`` / ``recovery_diff_high_pct`` are Newcombe's
    hybrid score 95 % interval of ``recovery_diff_pct``; ``response_pct``
    is AAPOR RR1 (``invitations_answered`` of ``invitations``)."""

    detractors: int
    followed: int
    followed_in_target: int
    followup_median_s: Optional[float]
    followup_p90_s: Optional[float]
    in_target_pct: Optional[float]
    never_pct: Optional[float]
    followed_next: int
    followed_recovered: int
    unfollowed_next: int
    unfollowed_recovered: int
    recovery_followed_pct: Optional[float]
    recovery_unfollowed_pct: Optional[float]
    recovery_diff_pct: Optional[float]
    recovery_diff_low_pct: Optional[float]
    recovery_diff_high_pct: Optional[float]
    invitations: int
    invitations_answered: int
    response_pct: Optional[float]
    nonresponse_pct: Optional[float]
    nps_answers: int
    csat_answers: int
    ces_answers: int
    nps_invited: int
    csat_invited: int
    ces_invited: int


def _loop_of(r: Any) -> Loop:
    return Loop(*(getattr(r, name) if kind is not c_double else _num(getattr(r, name))
                  for name, kind in r._fields_[1:]))


@dataclass(frozen=True)
class Loyalty(_Frame):
    """Complaints, compliments and churn events of a slice."""

    complaints: int
    compliments: int
    churned: int
    compliment_ratio: Optional[float]


@dataclass(frozen=True)
class Consistency(_Frame):
    """Cross-channel consistency: spread of the channels' mean ratings and the weakest channel."""

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
class RowError(_Frame):
    """A row the reader rejected (status < 0) or a warning (status > 0)."""

    line: int
    column: str
    status: int
    name: str
    reason: str


@dataclass(frozen=True)
class IngestResult(_Frame):
    """What ingest() read: reader counters (struct cxm_reader_stats) and
    the rows rejected or warned about, in ``errors``."""

    rows: int
    events: int
    rejected: int
    duplicates: int
    out_of_window: int
    warnings: int
    bytes: int
    errors: List[RowError]
    _frame_skip = ("errors",)


@dataclass(frozen=True)
class StoreStats(_Frame):
    """The store's counters (struct cxm_store_stats); ``first`` and
    ``last`` event times in seconds since 1970 (None when empty; aware
    datetimes in to_frame() and first_time / last_time)."""

    events: int
    duplicates: int
    customers: int
    first: Optional[int]
    last: Optional[int]
    cells: int
    memory_bytes: int
    _frame_times = ("first", "last")

    @property
    def first_time(self) -> Optional[_dt.datetime]:
        """``first`` as a timezone-aware (UTC) datetime."""
        return _utc(self.first)

    @property
    def last_time(self) -> Optional[_dt.datetime]:
        """``last`` as a timezone-aware (UTC) datetime."""
        return _utc(self.last)


@dataclass(frozen=True)
class Driver(_Frame):
    """A factor raising a customer's churn log-odds, and by how much
    (its contribution b_j x_j; the JSON's ``{"factor", "weight"}``)."""

    factor: str
    weight: float


@dataclass(frozen=True)
class ChurnRisk:
    """One scored customer (struct cxm_churn_row, docs/churn.md)."""

    customer: str
    risk: float  # probability of being gone by the end of the horizon after scored_at
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
class CalibrationBin(_Frame):
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

    def to_frame(self) -> Any:
        """The calibration bins as a DataFrame, one row per decile (``bin``
        0..9: customers, predicted, observed); the summary figures
        (customers, churned, log_loss, auc, brier) are in ``attrs``."""
        df = _frames.frame([{"bin": k, **_frames.flat(b)} for k, b in enumerate(self.calibration)], "bin")
        df.attrs.update(customers=self.customers, churned=self.churned, log_loss=self.log_loss, auc=self.auc,
                        brier=self.brier)
        return df


@dataclass(frozen=True)
class RiskModel(_Frame):
    """How a Churn result was scored (struct cxm_churn_info)."""
    _frame_times = ("cutoff", "scored_at")
    _frame_skip = ("evaluation",)

    @property
    def cutoff_time(self) -> _dt.datetime:
        """``cutoff`` as a timezone-aware (UTC) datetime."""
        return _utc(self.cutoff)  # type: ignore[return-value]

    @property
    def scored_at_time(self) -> _dt.datetime:
        """``scored_at`` as a timezone-aware (UTC) datetime."""
        return _utc(self.scored_at)  # type: ignore[return-value]

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

    def to_frame(self) -> Any:
        """One row per customer, highest risk first, indexed by
        ``customer``: risk, band, p_alive (NaN when absent), logit, one
        column per feature (its name), ``contribution_<feature>``, and the
        drivers as ``driver_1``, ``driver_1_weight``, ``driver_2``... (None
        past a customer's last driver). The model's figures are in
        ``attrs["model"]`` (RiskModel.to_frame() as a dict)."""
        width = max((len(c.drivers) for c in self.customers), default=0)
        rows = []
        for c in self.customers:
            row: Dict[str, Any] = {"customer": c.customer, "risk": c.risk, "band": c.band,
                                   "p_alive": c.p_alive, "logit": c.logit}
            row.update(c.features)
            row.update({f"contribution_{k}": v for k, v in c.contributions.items()})
            for k in range(width):
                d = c.drivers[k] if k < len(c.drivers) else None
                row[f"driver_{k + 1}"] = d.factor if d else None
                row[f"driver_{k + 1}_weight"] = d.weight if d else None
            rows.append(row)
        df = _frames.frame(rows, "customer")
        df.attrs["model"] = _frames.flat(self.model)
        return df


class Groups(list):
    """The groups of Store.groups() (a list of Group) with to_frame()."""

    def __init__(self, by: str, groups: List[Group]) -> None:
        super().__init__(groups)
        #: The grouping: "channel", "stage", "segment", "month" or "week".
        self.by = by

    def to_frame(self) -> Any:
        """One row per group, indexed by the group key (the column is named
        after the grouping, e.g. ``channel``), with the flat NPS, CSAT and
        CES columns (``nps``, ``nps_n``, ``nps_ci_low``..., ``csat``...,
        ``ces``...)."""
        rows = [{self.by: g.key, **_frames.flat(g.nps), **_frames.flat(g.csat), **_frames.flat(g.ces)} for g in self]
        if not rows:
            rows_df = _frames.frame([])
            return rows_df
        return _frames.frame(rows, self.by)


@dataclass(frozen=True)
class RecordResult(_Frame):
    """What record_frame() did: ``rows`` given, ``events`` recorded,
    ``rejected`` rows, ``duplicates`` skipped, the per-row C statuses
    (``statuses``, a numpy int32 array in frame order: 0 recorded,
    1 duplicate, < 0 the error) and the rejected rows as RowError
    (``line`` is the row's position in the frame, 0-based; ``column`` the
    frame column the status is about)."""

    rows: int
    events: int
    rejected: int
    duplicates: int
    statuses: Any
    errors: List[RowError]
    _frame_skip = ("statuses", "errors")


@dataclass(frozen=True)
class PurchaseSummary(_Frame):
    """One customer's purchase summary (struct cxm_rfm_customer) in the
    shape of lifetimes' summary_data_from_transaction_data: ``frequency``
    (repeat purchase days x), ``recency`` (t_x), ``T`` and
    ``monetary_value`` (mean repeat-day spend; 0 without repeats, as
    lifetimes has it), in ``unit``s; ``frequency_holdout`` when a holdout
    end was given (else None)."""

    customer: str
    frequency: int
    recency: float
    T: float
    monetary_value: float
    frequency_holdout: Optional[float]


class PurchaseSummaries(list):
    """The list Store.purchase_summary() returns, with to_frame()."""

    def to_frame(self) -> Any:
        """A DataFrame indexed by ``customer`` with the columns lifetimes
        uses: ``frequency``, ``recency``, ``T``, ``monetary_value`` (and
        ``frequency_holdout`` when a holdout was asked for)."""
        pd = _frames.pandas()
        cols = ["frequency", "recency", "T", "monetary_value"]
        if any(p.frequency_holdout is not None for p in self):
            cols.append("frequency_holdout")
        df = pd.DataFrame([[getattr(p, c) for c in cols] for p in self], columns=cols,
                          index=pd.Index([p.customer for p in self], name="customer"))
        return df.astype({"frequency": "int64"}) if len(df) else df


@dataclass(frozen=True)
class Comparison(_Frame):
    """NPS or CSAT of two independent periods compared (struct
    cxm_comparison; an unpooled z test): ``first`` and ``second`` scores,
    ``diff`` = second - first (score points; CSAT in percentage points),
    its standard error ``se``, ``z`` and the two-sided ``p``; answers
    ``n_first`` / ``n_second``. None where the library gives NaN (a period
    without answers). ``cxm report --compare`` prints the same figures."""

    metric: str
    n_first: int
    n_second: int
    first: Optional[float]
    second: Optional[float]
    diff: Optional[float]
    se: Optional[float]
    z: Optional[float]
    p: Optional[float]

    def significant(self, alpha: float = 0.05) -> bool:
        """Whether p < alpha (False when p is None)."""
        return self.p is not None and self.p < alpha


@dataclass(frozen=True)
class FeatureRow(_Frame):
    """One customer's row of the churn feature table (cxm/features.h):
    ``features`` by name, and ``label`` (True when the customer churned in
    the horizon after the cut-off, None without labels)."""

    customer: str
    features: Dict[str, float]
    label: Optional[bool]


class FeatureTable(list):
    """The rows of Store.features() (a list of FeatureRow) with to_frame()."""

    def to_frame(self) -> Any:
        """One row per customer, indexed by ``customer``: a column per
        feature (by name) and ``label`` (NA without labels)."""
        return _frames.frame([{"customer": r.customer, **r.features, "label": r.label} for r in self], "customer")


_PURCHASE_KINDS = {"bgnbd": 1, "mbgnbd": 2, "pnbd": 3, "gg": 4}
_DEGENERATE = ((1, "rate"), (2, "dropout"), (4, "spend"), (8, "hessian"))


@dataclass(frozen=True)
class PurchaseModel(_Frame):
    """A fitted purchase model (struct cxm_model; docs/purchase.md):
    ``kind`` ("bgnbd", "mbgnbd", "pnbd" or "gg" for Gamma-Gamma spend),
    ``params`` and their standard errors ``se`` by the library's names (r,
    alpha, a, b; r, alpha, s, beta; p, q, v; an SE is None where the
    Hessian gives none), ``loglik``, ``customers`` fitted, ``converged``,
    ``iterations`` and ``degenerate`` (the reasons a fit is degenerate:
    "rate", "dropout", "spend", "hessian"; empty for a sound fit), in the
    time unit of the summaries it was fitted on. The methods evaluate it
    for one customer's (frequency, recency, T), lifetimes' names."""

    kind: str
    params: Dict[str, float]
    se: Dict[str, Optional[float]]
    loglik: float
    customers: int
    converged: bool
    iterations: int
    degenerate: Tuple[str, ...]
    _raw: bytes

    def _c(self) -> Any:
        return _c.Model.from_buffer_copy(self._raw)

    def _call(self, fn: Any, *args: Any) -> float:
        out = c_double()
        m = self._c()
        _check(fn(byref(out), byref(m), *args))
        return out.value

    def p_alive(self, frequency: int, recency: float, T: float) -> float:
        """P(alive at T | x, t_x, T) (cxm_model_p_alive)."""
        return self._call(_c.lib().cxm_model_p_alive, _u32(frequency, "frequency"), recency, T)

    def expected(self, t: float, frequency: int, recency: float, T: float) -> float:
        """Expected repeat purchases in (T, T + t] (cxm_model_expected;
        lifetimes' conditional_expected_number_of_purchases_up_to_time)."""
        return self._call(_c.lib().cxm_model_expected, t, _u32(frequency, "frequency"), recency, T)

    def p_no_purchase(self, t: float, frequency: int, recency: float, T: float) -> float:
        """P(no purchase in (T, T + t] | x, t_x, T) (cxm_model_p_no_purchase):
        1 at t = 0, falling towards 1 - P(alive); the lapse odds of the
        churn features."""
        return self._call(_c.lib().cxm_model_p_no_purchase, t, _u32(frequency, "frequency"), recency, T)

    @classmethod
    def fit(cls, summaries: Any, kind: str = "mbgnbd", *, max_iterations: Optional[int] = None,
            max_seconds: Optional[float] = None) -> "PurchaseModel":
        """Fit ``kind`` ("bgnbd", "mbgnbd", "pnbd", "gg") to purchase
        summaries that need not come from a store (cxm_rfm_add or
        cxm_rfm_load_csv / cxm_rfm_load_file, then cxm_model_fit): a summary
        CSV (a path, or its bytes; the columns ``cxm churn --summary``
        reads), or PurchaseSummary items / (frequency, recency, T,
        monetary_value[, frequency_holdout]) tuples, in any one time unit.
        A fit that did not converge is returned with ``converged`` False."""
        if kind not in _PURCHASE_KINDS:
            raise CxmError(_CXM_E_MODEL, f"unknown model {kind!r}: one of {', '.join(_PURCHASE_KINDS)}")
        lib = _c.lib()
        fo = _c.FitOptions()
        lib.cxm_fit_options_init(byref(fo))
        if max_iterations is not None:
            fo.max_iterations = _int(max_iterations, "max_iterations", _CXM_E_OPTION)
        if max_seconds is not None:
            fo.max_seconds = float(max_seconds)
        m = _c.Model()
        lib.cxm_model_init(byref(m))
        k = _PURCHASE_KINDS[kind]
        with _rfm_set(summaries) as r:
            rc = lib.cxm_model_fit(byref(m), r, k, byref(fo))
            if rc != -33:  # CXM_E_CONVERGE: the best point, reported as not converged
                _check(rc, f"{kind} fit")
        return _purchase_model(lib, m, k)

    def loglik_of(self, summaries: Any) -> float:
        """The log-likelihood of this model's parameters on other summaries
        (cxm_model_loglik; ``summaries`` as for PurchaseModel.fit())."""
        out = c_double()
        m = self._c()
        with _rfm_set(summaries) as r:
            _check(_c.lib().cxm_model_loglik(byref(out), byref(m), r), "loglik")
        return out.value

    def holdout(self, summaries: Any, t_star: float) -> "Holdout":
        """Expected against actual repeat purchases in a holdout of length
        ``t_star`` (cxm_model_holdout; ``cxm churn --holdout-to``): the
        summaries (as for PurchaseModel.fit()) carry ``frequency_holdout``."""
        h = _c.Holdout()
        h.size = ctypes.sizeof(h)
        m = self._c()
        with _rfm_set(summaries) as r:
            _check(_c.lib().cxm_model_holdout(byref(h), byref(m), r, float(t_star)), "holdout")
        return Holdout(h.customers, h.actual, h.expected, list(h.bin_customers),
                       [_num(v) for v in h.bin_actual], [_num(v) for v in h.bin_expected])

    def population(self, t: float) -> float:
        """E[X(t)] of a customer just acquired (cxm_model_population)."""
        return self._call(_c.lib().cxm_model_population, t)

    def pmf(self, t: float, k: int) -> float:
        """P(X(t) = k) for a customer just acquired (cxm_model_pmf)."""
        return self._call(_c.lib().cxm_model_pmf, t, _u32(k, "k"))

    def conditional_pmf(self, t: float, k: int, frequency: int, recency: float, T: float) -> float:
        """P(k repeat purchases in (T, T + t] | frequency, recency, T)
        (cxm_model_conditional_pmf; lifetimes'
        conditional_probability_of_n_purchases_up_to_time)."""
        return self._call(_c.lib().cxm_model_conditional_pmf, t, _u32(k, "k"), _u32(frequency, "frequency"),
                          recency, T)

    def tracking(self, births: Sequence[float], periods: int, period_length: float = 1.0,
                 weights: Optional[Sequence[float]] = None) -> Tuple[List[float], List[float]]:
        """Expected repeat transactions of a cohort whose customers were
        born (first purchase) at ``births`` (time units from the start of
        the series), by the end of each of ``periods`` periods: the
        cumulative and the per-period series of a tracking plot
        (cxm_model_tracking; R BTYD's bgnbd.ExpectedCumulativeTransactions).
        ``weights`` counts customers per birth (default 1 each)."""
        n = len(births)
        if weights is not None and len(weights) != n:
            raise ValueError("weights and births differ in length")
        if periods < 1:
            raise ValueError("periods must be at least 1")
        b = (c_double * max(n, 1))(*births)
        w = (c_double * max(n, 1))(*weights) if weights is not None else None
        cum, inc = (c_double * periods)(), (c_double * periods)()
        m = self._c()
        _check(_c.lib().cxm_model_tracking(cum, inc, periods, byref(m), b, w, n, period_length))
        return list(cum), list(inc)

    def expected_spend(self, frequency: int, monetary_value: float) -> float:
        """Gamma-Gamma expected mean spend (cxm_model_expected_spend)."""
        return self._call(_c.lib().cxm_model_expected_spend, _u32(frequency, "frequency"),
                          monetary_value)

    def clv(self, spend: "PurchaseModel", frequency: int, recency: float, T: float, monetary_value: float, *,
            periods: int, period_length: float, discount: float) -> float:
        """Discounted customer lifetime value over ``periods`` periods of
        ``period_length`` time units at ``discount`` per period, with the
        Gamma-Gamma model ``spend`` (cxm_model_clv; lifetimes'
        customer_lifetime_value)."""
        if not isinstance(spend, PurchaseModel):
            raise TypeError("spend must be a PurchaseModel (kind 'gg')")
        out = c_double()
        m, g = self._c(), spend._c()
        _check(_c.lib().cxm_model_clv(byref(out), byref(m), byref(g), _u32(frequency, "frequency"),
                                      recency, T, monetary_value, _u32(periods, "periods"),
                                      period_length, discount))
        return out.value


@dataclass(frozen=True)
class Holdout(_Frame):
    """A holdout check (struct cxm_holdout): ``customers`` with a known
    holdout count, the ``actual`` and ``expected`` repeat purchases summed,
    and per calibration-frequency bin (0, 1, ..., 7+) the customers and the
    mean actual and expected counts (None for an empty bin)."""

    customers: int
    actual: float
    expected: float
    bin_customers: List[int]
    bin_actual: List[Optional[float]]
    bin_expected: List[Optional[float]]

    def to_frame(self) -> Any:
        """One row per calibration-frequency bin, indexed by ``x`` (0..7,
        the last bin 7 or more): ``customers``, mean ``actual`` and
        ``expected`` holdout purchases (NaN for an empty bin); the totals in
        ``attrs["total"]``."""
        df = _frames.frame([{"x": i, "customers": self.bin_customers[i], "actual": self.bin_actual[i],
                             "expected": self.bin_expected[i]} for i in range(len(self.bin_customers))], "x")
        df.attrs["total"] = {"customers": self.customers, "actual": self.actual, "expected": self.expected}
        return df


def _purchase_model(lib: Any, m: Any, k: int) -> "PurchaseModel":
    names = [lib.cxm_model_param_name(k, i).decode() for i in range(m.param_count)]
    return PurchaseModel(lib.cxm_model_name(k).decode(), {n: m.param[i] for i, n in enumerate(names)},
                         {n: _num(m.se[i]) for i, n in enumerate(names)}, m.loglik, m.customers,
                         bool(m.converged), m.iterations,
                         tuple(name for bit, name in _DEGENERATE if m.degenerate & bit), bytes(m))


_COVARIATE_KINDS = {"bgnbd": 1, "mbgnbd": 2, "pnbd": 3}


def _covariate_rows(covariates: Any, n: int) -> Tuple[Any, int]:
    """Row-major doubles of an n x k table (a sequence of rows, a numpy
    array or a sequence of numbers for k = 1) and k."""
    rows = [list(r) if isinstance(r, (list, tuple)) or hasattr(r, "__len__") else [r] for r in covariates]
    if len(rows) != n:
        raise CxmError(-30, f"{len(rows)} covariate rows for {n} summaries")
    k = len(rows[0]) if rows else 1
    if any(len(r) != k for r in rows):
        raise CxmError(_CXM_E_OPTION, "covariate rows of different lengths")
    flat = (c_double * max(n * k, 1))(*[float(v) for r in rows for v in r])
    return flat, k


def _mask(which: Optional[Sequence[int]], k: int) -> int:
    if which is None:
        return (1 << k) - 1
    m = 0
    for j in which:
        m |= 1 << _int(j, "covariate index", _CXM_E_OPTION)
    return m


@dataclass(frozen=True)
class CovariateFit(_Frame):
    """A purchase model with time-invariant covariates (struct
    cxm_covariate_fit; cxm/covariates.h, docs/purchase.md "Covariates"):
    ``kind``, the base ``params`` and ``se`` by the library's names (r,
    alpha, s, beta or r, alpha, a, b: alpha0 and so on at covariates 0),
    ``gamma_trans`` / ``se_trans`` and ``gamma_life`` / ``se_life`` per
    covariate (None where the covariate is not in that process or the
    Hessian gives no SE), ``loglik``, the fit without covariates'
    ``null_loglik``, the likelihood-ratio test ``lr``, ``lr_df``, ``lr_p``
    (None without both fits), ``converged``, ``null_converged``,
    ``iterations``, ``degenerate`` and ``customers``."""

    kind: str
    params: Dict[str, float]
    se: Dict[str, Optional[float]]
    gamma_trans: List[Optional[float]]
    se_trans: List[Optional[float]]
    gamma_life: List[Optional[float]]
    se_life: List[Optional[float]]
    loglik: float
    null_loglik: Optional[float]
    lr: Optional[float]
    lr_df: int
    lr_p: Optional[float]
    converged: bool
    null_converged: bool
    iterations: int
    degenerate: Tuple[str, ...]
    customers: int
    _raw: bytes

    def _c(self) -> Any:
        return _c.CovariateFit.from_buffer_copy(self._raw)

    def loglik_of(self, summaries: Any, covariates: Any) -> float:
        """The log-likelihood of these parameters on summaries with
        covariate rows (cxm_covariate_loglik)."""
        f = self._c()
        out = c_double()
        with _rfm_set(summaries) as r:
            n = _c.lib().cxm_rfm_count(r)
            flat, k = _covariate_rows(covariates, n)
            if k != f.count:
                raise CxmError(_CXM_E_OPTION, f"{k} covariates per row, the fit has {f.count}")
            _check(_c.lib().cxm_covariate_loglik(byref(out), byref(f), r, flat, n), "covariate loglik")
        return out.value

    def customer_model(self, row: Sequence[float]) -> "PurchaseModel":
        """The customer's own model (cxm_covariate_customer_model): a
        PurchaseModel with the customer's alpha_i, beta_i or a_i, b_i, for
        p_alive(), expected() and the other per-customer methods."""
        lib = _c.lib()
        f = self._c()
        vals = [float(v) for v in row]
        if len(vals) != f.count:
            raise CxmError(_CXM_E_OPTION, f"{len(vals)} covariates, the fit has {f.count}")
        m = _c.Model()
        lib.cxm_model_init(byref(m))
        _check(lib.cxm_covariate_customer_model(byref(m), byref(f), (c_double * len(vals))(*vals)), "customer model")
        return _purchase_model(lib, m, f.kind)


def fit_covariates(summaries: Any, covariates: Any, kind: str = "pnbd", *, trans: Optional[Sequence[int]] = None,
                   life: Optional[Sequence[int]] = None, max_iterations: Optional[int] = None,
                   max_seconds: Optional[float] = None) -> CovariateFit:
    """Fit ``kind`` ("pnbd", "bgnbd", "mbgnbd") with time-invariant
    covariates (cxm_covariate_model_fit): ``summaries`` as for
    PurchaseModel.fit(), ``covariates`` one row per summary (a sequence of
    rows, or of numbers for one covariate); ``trans`` and ``life`` list the
    covariates of each process (default: all in both). A fit that did not
    converge is returned with ``converged`` False."""
    if kind not in _COVARIATE_KINDS:
        raise CxmError(_CXM_E_MODEL, f"unknown model {kind!r}: one of {', '.join(_COVARIATE_KINDS)}")
    lib = _c.lib()
    fo = _c.FitOptions()
    lib.cxm_fit_options_init(byref(fo))
    if max_iterations is not None:
        fo.max_iterations = _int(max_iterations, "max_iterations", _CXM_E_OPTION)
    if max_seconds is not None:
        fo.max_seconds = float(max_seconds)
    f = _c.CovariateFit()
    lib.cxm_covariate_fit_init(byref(f))
    with _rfm_set(summaries) as r:
        n = lib.cxm_rfm_count(r)
        flat, k = _covariate_rows(covariates, n)
        f.kind = _COVARIATE_KINDS[kind]
        f.count = k
        f.trans = _mask(trans, k)
        f.life = _mask(life, k)
        rc = lib.cxm_covariate_model_fit(byref(f), r, flat, n, byref(fo))
        if rc != -33:  # CXM_E_CONVERGE: the best point, reported as not converged
            _check(rc, f"{kind} covariate fit")
    names = [lib.cxm_model_param_name(f.kind, i).decode() for i in range(4)]
    tb = [bool(f.trans >> j & 1) for j in range(f.count)]
    lb = [bool(f.life >> j & 1) for j in range(f.count)]
    return CovariateFit(kind, {nm: f.param[i] for i, nm in enumerate(names)},
                        {nm: _num(f.se[i]) for i, nm in enumerate(names)},
                        [f.gamma_trans[j] if tb[j] else None for j in range(f.count)],
                        [_num(f.se_trans[j]) if tb[j] else None for j in range(f.count)],
                        [f.gamma_life[j] if lb[j] else None for j in range(f.count)],
                        [_num(f.se_life[j]) if lb[j] else None for j in range(f.count)],
                        f.loglik, _num(f.null_loglik), _num(f.lr), f.lr_df, _num(f.lr_p), bool(f.converged),
                        bool(f.null_converged), f.iterations,
                        tuple(name for bit, name in _DEGENERATE if f.degenerate & bit), f.customers, bytes(f))


@contextlib.contextmanager
def _rfm_set(summaries: Any) -> Any:
    """A cxm_rfm holding ``summaries`` for the duration of a with block."""
    lib = _c.lib()
    r = c_void_p()
    _check(lib.cxm_rfm_new(byref(r), None))
    try:
        line = c_uint64()
        if isinstance(summaries, (str, os.PathLike)):
            path = os.fsencode(summaries)
            rc = lib.cxm_rfm_load_file(r, byref(line), _id(path, "path", _CXM_E_IO))
            if rc == _CXM_E_IO:
                raise _os_error(rc, path)
            _check(rc, f"{os.fsdecode(path)}: line {line.value}")
        elif isinstance(summaries, (bytes, bytearray, memoryview)):
            data = bytes(summaries)
            _check(lib.cxm_rfm_load_csv(r, byref(line), data, len(data)), f"summary CSV line {line.value}")
        else:
            keep = []
            for s in summaries:
                c = _c.RfmCustomer()
                lib.cxm_rfm_customer_init(byref(c))
                if isinstance(s, PurchaseSummary):
                    fields = (s.frequency, s.recency, s.T, s.monetary_value, s.frequency_holdout)
                    cid = _bytes(s.customer, "customer")
                    keep.append(cid)
                    c.id, c.id_len = ctypes.cast(ctypes.c_char_p(cid), c_void_p), len(cid)
                else:
                    fields = tuple(s) + (None,) * (5 - len(tuple(s)))
                freq, rec, T, mon, hold = fields[:5]
                c.x = _u32(freq, "frequency")
                c.t_x, c.T = float(rec), float(T)
                # lifetimes writes 0 for "no repeat spend"; the library wants NaN
                c.monetary = math.nan if mon is None or mon == 0 else float(mon)
                c.x_star = math.nan if hold is None else float(hold)
                _check(lib.cxm_rfm_add(r, byref(c)), "purchase summary")
        yield r
    finally:
        lib.cxm_rfm_free(r)


def load_purchase_summaries(source: Union[str, "os.PathLike[str]", bytes]) -> PurchaseSummaries:
    """The customers of a summary CSV (a path or its bytes; the columns
    ``cxm churn --summary`` reads: frequency/x, recency/t_x, T/T_cal,
    optionally monetary and x_star and an id) as PurchaseSummaries
    (cxm_rfm_load_file / cxm_rfm_load_csv, read back with cxm_rfm_get);
    monetary_value 0 where the file has none, as lifetimes has it."""
    lib = _c.lib()
    out = PurchaseSummaries()
    with _rfm_set(source) as r:
        for i in range(lib.cxm_rfm_count(r)):
            c = _c.RfmCustomer()
            c.size = ctypes.sizeof(c)
            _check(lib.cxm_rfm_get(byref(c), r, i))
            cid = ctypes.string_at(c.id, c.id_len).decode("utf-8", "replace") if c.id_len else str(i)
            out.append(PurchaseSummary(cid, c.x, c.t_x, c.T, 0.0 if math.isnan(c.monetary) else c.monetary,
                                       None if math.isnan(c.x_star) else c.x_star))
    return out


def _names(count: int, name: Callable[[int], Optional[bytes]], first: int = 0) -> List[str]:
    return [n.decode() for n in (name(i) for i in range(first, count)) if n is not None]


def kinds() -> List[str]:
    """The event kinds record() takes ("nps", "csat", ..., "contact_open",
    ...), in the library's code order (cxm_kind_name)."""
    return _names(18, _c.lib().cxm_kind_name)


def channels() -> List[str]:
    """The named channels ("email", "phone", ...; cxm_channel_name); any
    other valid token is a custom channel of the store."""
    return _names(8, _c.lib().cxm_channel_name, 1)


def stages() -> List[str]:
    """The journey stages record() takes, "none" (no stage) first (cxm_stage_name)."""
    return _names(9, _c.lib().cxm_stage_name)


def dimensions() -> List[str]:
    """The SERVQUAL dimensions record() takes, "none" first (cxm_dimension_name)."""
    return _names(6, _c.lib().cxm_dimension_name)


def format_time(t: Time) -> str:
    """A time as the command writes it, ``YYYY-MM-DDTHH:MM:SSZ`` in UTC
    (cxm_time_format). Raises CxmValueError CXM_E_TIME outside 1970..9999."""
    buf = ctypes.create_string_buffer(21)
    _check(_c.lib().cxm_time_format(buf, len(buf), _time(t)), "format_time")
    return buf.value.decode()


def period_key(t: Time, by: str) -> str:
    """The key of ``t``'s group in ``groups(by)`` for ``by`` "month"
    ("2026-03") or "week" (ISO 8601 "2026-W10"), in UTC (cxm_time_period_key)."""
    if by not in ("month", "week"):
        raise CxmError(-16, f"period_key groups by month or week, not {by!r}")
    buf = ctypes.create_string_buffer(9)
    _check(_c.lib().cxm_time_period_key(buf, len(buf), _time(t), _BY[by]), "period_key")
    return buf.value.decode()


def csv_record_end(data: Union[bytes, bytearray, memoryview], start: int = 0, delimiter: str = ",") -> int:
    """Where the CSV record that starts at ``start`` ends, as the reader
    frames it: just past the first line end outside a quoted field, or
    ``len(data)`` (cxm_csv_record_end). For cutting a file into byte ranges
    that separate stores can ingest in parallel (``cxm report --threads``
    does); each range after the first needs the header line prepended."""
    b = bytes(data)
    d = delimiter.encode() if isinstance(delimiter, str) else bytes(delimiter)
    if len(d) != 1:
        raise CxmError(_CXM_E_ARG, f"delimiter {delimiter!r} is not one byte")
    if isinstance(start, bool) or not isinstance(start, int) or not 0 <= start <= len(b):
        raise CxmError(_CXM_E_ARG, f"start {start!r} is outside 0..{len(b)}")
    out = c_size_t()
    _check(_c.lib().cxm_csv_record_end(byref(out), b, len(b), start, d[0]), "csv_record_end")
    return out.value


def _u64(v: int, what: str, status: int) -> int:
    """A count for a C uint64_t argument; outside 0..2**64-1 CxmError(status)."""
    v = int(v) if not isinstance(v, bool) and hasattr(v, "__index__") else v
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"{what} must be an int, not {type(v).__name__}")
    if not 0 <= v < 2**64:
        raise CxmError(status, f"{what} {v} is outside 0..2**64-1")
    return v


_ADJUST = {"none": 0, "holm": 1, "bh": 2}
_SLICE_METRICS = {"nps": 0, "csat": 1, "ces": 2}
_LOW_BASE = ((1, "n"), (2, "moe"))


@dataclass(frozen=True)
class SliceTest(_Frame):
    """One slice tested against the rest of its dimension (struct
    cxm_slice_test; docs/metrics.md, "Slice statistics"): ``key`` (the
    group key, or None for tests of plain arrays), answers ``n`` and
    ``n_rest``, the estimates ``score`` and ``score_rest``, ``diff`` =
    score - score_rest, its ``se``, the statistic ``stat`` (z for NPS and
    CSAT, Welch t otherwise) with ``df`` (None for a z test), the two-sided
    ``p`` and ``p_adjusted`` across the dimension, ``significant`` (+1 /
    -1 / 0, the sign of a significant difference), ``low_base`` (the
    reasons the base is low: "n", "moe"; empty when adequate) and the
    slice's margin of error ``moe``. Floats are None where the library
    gives NaN. ``cxm report --json`` prints them under ``vs_rest``."""

    key: Optional[str]
    n: int
    n_rest: int
    score: Optional[float]
    score_rest: Optional[float]
    diff: Optional[float]
    se: Optional[float]
    stat: Optional[float]
    df: Optional[float]
    p: Optional[float]
    p_adjusted: Optional[float]
    significant: int
    low_base: Tuple[str, ...]
    moe: Optional[float]


class SliceTests(list):
    """A list of SliceTest (one per slice, in the groups' order) with to_frame()."""

    def to_frame(self) -> Any:
        """One row per slice, indexed by ``key``; ``low_base`` as a bool
        column (True when any reason applies) and ``low_base_reasons`` as
        text ("n", "moe", "n,moe" or "")."""
        rows = []
        for t in self:
            row = {f.name: getattr(t, f.name) for f in dataclasses.fields(t)}
            row["low_base_reasons"] = ",".join(t.low_base)
            row["low_base"] = bool(t.low_base)
            rows.append(row)
        return _frames.frame(rows, "key")


def _slice_test(t: Any, key: Optional[str], z: bool) -> SliceTest:
    return SliceTest(key, t.n, t.n_rest, _num(t.score), _num(t.score_rest), _num(t.diff), _num(t.se), _num(t.stat),
                     None if z else _num(t.df), _num(t.p), _num(t.p_adjusted), t.significant,
                     tuple(name for bit, name in _LOW_BASE if t.low_base & bit), _num(t.moe))


def _slice_options(adjust: str, alpha: float, min_n: int, max_moe: Optional[float]) -> Any:
    if adjust not in _ADJUST:
        raise CxmError(_CXM_E_OPTION, f"unknown adjustment {adjust!r}: one of {', '.join(_ADJUST)}")
    o = _c.SliceOptions()
    _c.lib().cxm_slice_options_init(byref(o))
    o.adjust = _ADJUST[adjust]
    o.alpha = float(alpha)
    o.min_n = _u64(min_n, "min_n", _CXM_E_OPTION)
    if max_moe is not None:
        o.max_moe = float(max_moe)
    return o


def _slice_metric(metric: str, allowed: Tuple[str, ...] = ("nps", "csat", "ces")) -> int:
    if metric not in allowed:
        raise CxmError(_CXM_E_OPTION, f"unknown metric {metric!r}: one of {', '.join(allowed)}")
    return _SLICE_METRICS[metric]


def _slice_out(k: int) -> Any:
    out = (_c.SliceTest * max(1, k))()
    out[0].size = ctypes.sizeof(_c.SliceTest)
    return out


def p_adjust(p: List[Optional[float]], method: str = "holm") -> List[Optional[float]]:
    """P-values adjusted for multiple comparisons (cxm_p_adjust): ``method``
    "holm" (family-wise error rate), "bh" (Benjamini-Hochberg, false
    discovery rate) or "none"; monotone and capped at 1 as R's p.adjust.
    None (or NaN) entries stay None and do not count in the family. Raises
    CxmValueError CXM_E_VALUE for a p outside [0, 1]."""
    if method not in _ADJUST:
        raise CxmError(_CXM_E_OPTION, f"unknown adjustment {method!r}: one of {', '.join(_ADJUST)}")
    k = len(p)
    src = (c_double * max(1, k))(*[math.nan if v is None else float(v) for v in p])
    out = (c_double * max(1, k))()
    _check(_c.lib().cxm_p_adjust(out, src, k, _ADJUST[method], None), "p_adjust")
    return [_num(out[i]) for i in range(k)]


def _survey_acc(counts: Any, metric: str) -> Any:
    acc = _c.SurveyAcc()
    width = {"nps": 11, "csat": 5, "ces": 7}[metric]
    values = list(counts)
    if len(values) != width:
        raise CxmError(_CXM_E_VALUE, f"{metric} counts: {width} numbers (answers per scale point), got {len(values)}")
    target = getattr(acc, metric).count
    for i, v in enumerate(values):
        target[i] = _u64(v, f"{metric} count", _CXM_E_VALUE)
    return acc


def slice_tests_survey(metric: str, counts: List[Any], *, adjust: str = "holm", alpha: float = 0.05,
                       min_n: int = 30, max_moe: Optional[float] = None) -> SliceTests:
    """Each slice's NPS, CSAT or CES (``metric``) tested against the rest of
    the slices (cxm_slice_tests_survey): ``counts`` holds one list per
    disjoint slice of its answers per scale point (NPS 11 counts for 0..10,
    CSAT 5 for 1..5, CES 7 for 1..7). Options as Store.slice_tests()."""
    m = _slice_metric(metric)
    k = len(counts)
    accs = (_c.SurveyAcc * max(1, k))()
    for i, c in enumerate(counts):
        accs[i] = _survey_acc(c, metric)
    o = _slice_options(adjust, alpha, min_n, max_moe)
    out = _slice_out(k)
    _check(_c.lib().cxm_slice_tests_survey(out, max(1, k), accs, k, m, byref(o)), "slice_tests_survey")
    return SliceTests(_slice_test(out[i], None, m != 2) for i in range(k))


def slice_tests_means(n: List[int], mean: List[Optional[float]], sd: List[Optional[float]], *,
                      adjust: str = "holm", alpha: float = 0.05, min_n: int = 30,
                      max_moe: Optional[float] = None) -> SliceTests:
    """Welch t tests of each slice's mean against the rest's
    (cxm_slice_tests_means), from each disjoint slice's count ``n``,
    ``mean`` and sample standard deviation ``sd`` (None where n < 2): any
    mean such as CES or the perception gap. Options as Store.slice_tests()."""
    k = len(n)
    if len(mean) != k or len(sd) != k:
        raise CxmError(_CXM_E_ARG, "n, mean and sd must have the same length")
    cn = (c_uint64 * max(1, k))(*[_u64(v, "n", _CXM_E_VALUE) for v in n])
    cm = (c_double * max(1, k))(*[math.nan if v is None else float(v) for v in mean])
    cs = (c_double * max(1, k))(*[math.nan if v is None else float(v) for v in sd])
    o = _slice_options(adjust, alpha, min_n, max_moe)
    out = _slice_out(k)
    _check(_c.lib().cxm_slice_tests_means(out, max(1, k), cn, cm, cs, k, byref(o)), "slice_tests_means")
    return SliceTests(_slice_test(out[i], None, False) for i in range(k))


def nps_score_interval(counts: Any, z: float = 1.959964) -> Tuple[Optional[float], Optional[float]]:
    """Rocks's score interval of an NPS (cxm_nps_score_interval; docs/metrics.md),
    in score points: ``counts`` is the 11 answer counts for 0..10, or an
    Nps result (the interval depends on its promoters, passives and
    detractors only); ``z`` the critical value (1.959964 for 95%). (None,
    None) without answers; ``cxm report --json`` prints it as ``ci95_score``."""
    if isinstance(counts, Nps):
        counts = [counts.detractors] + [0] * 6 + [counts.passives, 0, counts.promoters, 0]
    acc = _survey_acc(counts, "nps")
    low, high = c_double(), c_double()
    _check(_c.lib().cxm_nps_score_interval(byref(low), byref(high), byref(acc.nps), float(z)), "nps_score_interval")
    return _num(low.value), _num(high.value)


@dataclass(frozen=True)
class SamplePlan(_Frame):
    """The answers a survey needs (cxm_plan_sample_size; ``cxm plan --json``):
    ``n`` rounded up after the finite-population correction and
    ``n_infinite``, the need of an infinite population before rounding."""

    n: int
    n_infinite: float


def plan_sample_size(metric: str = "nps", margin: float = 5.0, *, population: float = 0,
                     p_promoter: Optional[float] = None, p_detractor: Optional[float] = None,
                     p_satisfied: Optional[float] = None, sd: Optional[float] = None,
                     z: float = 1.959964) -> SamplePlan:
    """Answers needed for a margin of error ``margin`` (NPS or CSAT points,
    CES scale points) of ``metric`` (cxm_plan_sample_size; docs/metrics.md,
    "Planning a sample size"): ``population`` N for the finite-population
    correction (0: infinite); the expected shares ``p_promoter`` /
    ``p_detractor`` (NPS) or ``p_satisfied`` (CSAT) and ``sd`` (CES) default
    to the worst case, as ``cxm plan`` does."""
    o = _c.PlanOptions()
    lib = _c.lib()
    lib.cxm_plan_options_init(byref(o))
    o.metric = _slice_metric(metric)
    o.margin = float(margin)
    o.population = float(population)
    if p_promoter is not None:
        o.p_promoter = float(p_promoter)
    if p_detractor is not None:
        o.p_detractor = float(p_detractor)
    if p_satisfied is not None:
        o.p_promoter = float(p_satisfied)
    if sd is not None:
        o.sd = float(sd)
    o.z = float(z)
    n, n0 = c_uint64(), c_double()
    _check(lib.cxm_plan_sample_size(byref(n), byref(n0), byref(o)), "plan_sample_size")
    return SamplePlan(n.value, n0.value)


def _gap_of(lib: Any, acc: Any) -> Gap:
    r = _c.GapResult()
    _check(lib.cxm_gap_compute(byref(r), byref(acc)))
    return Gap(r.pairs, _num(r.mean), _num(r.se), (_num(r.ci95_low), _num(r.ci95_high)), _num(r.service),
               _num(r.experience), _num(r.delivery_gap), _num(r.blind_spot_pct), _num(r.delivery_z),
               r.blind_spots, r.reverse_spots)


def _servqual_of(r: Any) -> Servqual:
    return Servqual({d: r.customers[i + 1] for i, d in enumerate(_DIMENSIONS)},
                    {d: _num(r.gap[i + 1]) for i, d in enumerate(_DIMENSIONS)}, _num(r.score))


def _service_of(r: Any) -> Service:
    return Service(r.contacts, r.open, r.replied, r.resolved, r.met, r.breached, _num(r.first_response_median_s),
                   _num(r.first_response_p90_s), _num(r.first_response_mean_s), _num(r.resolution_median_s),
                   _num(r.resolution_p90_s), _num(r.resolution_mean_s), _num(r.within_sla_pct))


def _loyalty_of(r: Any) -> Loyalty:
    return Loyalty(r.complaints, r.compliments, r.churned, _num(r.compliment_ratio))


@dataclass(frozen=True)
class ExperienceGroup(Group):
    """One group of Store.group_experience(): the key and survey metrics of
    a Group plus the group's experience metrics, each exactly what the
    store's query gives for ``where=group`` (cxm_store_group_experience,
    one pass over the store for all groups)."""

    gap: Gap
    servqual: Servqual
    service: Service
    service_business: Service
    loyalty: Loyalty
    consistency: Consistency


class ExperienceGroups(Groups):
    """The groups of Store.group_experience() (a list of ExperienceGroup) with to_frame()."""

    def to_frame(self) -> Any:
        """One row per group, indexed by the key: the survey columns of
        Groups.to_frame(), ``gap``..., ``servqual``..., and the service,
        business-time service, loyalty and consistency figures prefixed
        ``service_``, ``service_business_``, ``loyalty_``, ``consistency_``."""
        rows = []
        for g in self:
            row = {self.by: g.key}
            for r in (g.nps, g.csat, g.ces, g.gap, g.servqual):
                row.update(_frames.flat(r))
            for name in ("service", "service_business", "loyalty", "consistency"):
                row.update(_frames.flat(getattr(g, name), name))
            rows.append(row)
        return _frames.frame(rows, self.by) if rows else _frames.frame([])


def _evaluation_of(e: Any) -> Evaluation:
    bins = tuple(CalibrationBin(e.bin_rows[b], _num(e.bin_predicted[b]), _num(e.bin_observed[b]))
                 for b in range(_c.RISK_CALIBRATION_BINS))
    return Evaluation(e.rows, e.positives, _num(e.log_loss), _num(e.auc), _num(e.brier), bins)


@dataclass(frozen=True)
class LogisticModel(_Frame):
    """A logistic risk model (struct cxm_risk_model; docs/risk.md): the
    ``intercept`` and ``coefficients`` on the original scale of the
    features, their standard errors (None where not estimated), how the fit
    went (``converged``, ``iterations``, ``separated``), its ``l2`` penalty
    and training ``log_loss`` (None for a model set by hand), the training
    ``rows`` and ``positives``. ``LogisticModel.fit`` fits one to any
    labelled rows, ``Store.risk_model()`` the churn model of a store, and
    ``score``, ``explain``, ``evaluate`` use it."""

    intercept: float
    coefficients: Tuple[float, ...]
    intercept_se: Optional[float]
    se: Tuple[Optional[float], ...]
    converged: bool
    iterations: int
    separated: bool
    l2: Optional[float]
    log_loss: Optional[float]
    rows: int
    positives: int
    _raw: bytes

    @staticmethod
    def _of(m: Any) -> "LogisticModel":
        k = m.features
        return LogisticModel(m.intercept, tuple(m.coef[:k]), _num(m.intercept_se), tuple(_num(v) for v in m.se[:k]),
                             bool(m.converged), m.iterations, bool(m.separated), _num(m.l2), _num(m.log_loss),
                             m.rows, m.positives, bytes(m))

    def _c(self) -> Any:
        return _c.RiskModel.from_buffer_copy(self._raw)

    @classmethod
    def from_coefficients(cls, intercept: float, coefficients: List[float]) -> "LogisticModel":
        """A model set by hand (cxm_risk_model_set): ``intercept`` and one
        coefficient per feature (1..64)."""
        lib = _c.lib()
        m = _c.RiskModel()
        lib.cxm_risk_model_init(byref(m))
        k = len(coefficients)
        coef = (c_double * max(1, k))(*[float(v) for v in coefficients])
        _check(lib.cxm_risk_model_set(byref(m), k, float(intercept), coef), "risk model")
        return cls._of(m)

    @classmethod
    def default_churn(cls) -> "LogisticModel":
        """The documented default churn model over the churn features
        (cxm_feature_default_model; docs/churn.md), in the order of
        ``Store.features()``."""
        m = _c.RiskModel()
        _c.lib().cxm_risk_model_init(byref(m))
        _check(_c.lib().cxm_feature_default_model(byref(m)), "default model")
        return cls._of(m)

    @classmethod
    def fit(cls, x: List[List[float]], y: List[Any], weight: Optional[List[float]] = None, *, l2: float = 1.0,
            max_iterations: Optional[int] = None, tolerance: Optional[float] = None,
            prior: Optional[List[float]] = None) -> "LogisticModel":
        """Fit an L2-regularised logistic regression (cxm_risk_data_add rows,
        then cxm_risk_fit): ``x`` one row of features per label, ``y`` the
        0/1 labels, ``weight`` per row (default 1), the penalty ``l2`` on the
        standardised coefficients, shrinking towards ``prior`` (default 0).
        A fit that stopped at its best point is returned with ``converged``
        False."""
        lib = _c.lib()
        with _risk_data(x, y, weight) as data:
            o = _c.RiskOptions()
            lib.cxm_risk_options_init(byref(o))
            o.l2 = float(l2)
            if max_iterations is not None:
                o.max_iterations = _int(max_iterations, "max_iterations", _CXM_E_OPTION)
            if tolerance is not None:
                o.tolerance = float(tolerance)
            keep = None
            if prior is not None:
                if len(prior) != lib.cxm_risk_data_features(data):
                    raise CxmError(_CXM_E_VALUE, "prior: one coefficient per feature")
                keep = (c_double * len(prior))(*[float(v) for v in prior])
                o.prior = ctypes.cast(keep, c_void_p)
            m = _c.RiskModel()
            lib.cxm_risk_model_init(byref(m))
            rc = lib.cxm_risk_fit(byref(m), data, byref(o))
            if rc != -33:  # CXM_E_CONVERGE: the best model reached, still returned
                _check(rc, "risk fit")
        return cls._of(m)

    def score(self, x: List[float]) -> float:
        """P(label 1 | x) (cxm_risk_score)."""
        out = c_double()
        m = self._c()
        _check(_c.lib().cxm_risk_score(byref(out), byref(m), self._row(x)), "risk score")
        return out.value

    def explain(self, x: List[float]) -> Tuple[Tuple[float, ...], float]:
        """Each feature's contribution to the log-odds of x, and the log-odds
        (the intercept plus the contributions; cxm_risk_explain)."""
        k = len(self.coefficients)
        contrib, logit = (c_double * max(1, k))(), c_double()
        m = self._c()
        _check(_c.lib().cxm_risk_explain(contrib, byref(logit), byref(m), self._row(x)), "risk explain")
        return tuple(contrib[:k]), logit.value

    def evaluate(self, x: List[List[float]], y: List[Any], weight: Optional[List[float]] = None) -> Evaluation:
        """Log-loss, Brier score, AUC and the calibration deciles of the model
        on labelled rows (cxm_risk_evaluate), e.g. held-out ones."""
        e = _c.RiskEvaluation()
        e.size = ctypes.sizeof(e)
        m = self._c()
        with _risk_data(x, y, weight) as data:
            _check(_c.lib().cxm_risk_evaluate(byref(e), byref(m), data), "risk evaluate")
        return _evaluation_of(e)

    @staticmethod
    def band(p: float) -> str:
        """The risk band of a probability: "low" (< 0.3), "medium" (< 0.6),
        "high", or "none" for NaN or outside [0, 1] (cxm_risk_band)."""
        return _BANDS[_c.lib().cxm_risk_band(float(p))]

    def _row(self, x: List[float]) -> Any:
        if len(x) != len(self.coefficients):
            raise CxmError(_CXM_E_VALUE, f"x has {len(x)} features, the model {len(self.coefficients)}")
        return (c_double * max(1, len(x)))(*[float(v) for v in x])


@contextlib.contextmanager
def _risk_data(x: List[List[float]], y: List[Any], weight: Optional[List[float]]) -> Any:
    """A cxm_risk_data holding the labelled rows for a with block."""
    lib = _c.lib()
    if len(x) != len(y) or (weight is not None and len(weight) != len(y)):
        raise CxmError(_CXM_E_ARG, "x, y and weight must have one entry per row")
    k = len(x[0]) if len(x) else 0
    data = c_void_p()
    _check(lib.cxm_risk_data_new(byref(data), k, None), "risk data")
    try:
        row = (c_double * max(1, k))()
        for i, (xs, label) in enumerate(zip(x, y)):
            if len(xs) != k:
                raise CxmError(_CXM_E_VALUE, f"row {i} has {len(xs)} features, not {k}")
            row[:k] = [float(v) for v in xs]
            _check(lib.cxm_risk_data_add(data, row, int(bool(label)), 1.0 if weight is None else float(weight[i])),
                   f"risk data row {i}")
        if lib.cxm_risk_data_count(data) != len(y):
            raise CxmError(_CXM_E_ARG, "rows lost")
        yield data
    finally:
        lib.cxm_risk_data_free(data)


class _Accumulator:
    """Shared parts of the mergeable, serialisable accumulators."""

    _prefix = ""
    _struct: Any = None
    _max_bytes = 0

    def __init__(self) -> None:
        self._acc = self._struct()
        getattr(_c.lib(), self._prefix + "_init")(byref(self._acc))

    def merge(self, other: "_Accumulator") -> None:
        """Add ``other`` into this accumulator (its *_acc_merge): the result
        is the accumulator of both slices' data (see docs/formats.md and the
        header for when a merge is exact). CxmValueError CXM_E_OVERFLOW
        leaves this one unchanged."""
        if type(other) is not type(self):
            raise TypeError(f"cannot merge a {type(other).__name__} into a {type(self).__name__}")
        _check(getattr(_c.lib(), self._prefix + "_merge")(byref(self._acc), byref(other._acc)), "merge")

    def to_bytes(self) -> bytes:
        """The accumulator in its portable byte format (docs/formats.md;
        *_acc_serialize): the same bytes on every platform."""
        buf = (ctypes.c_uint8 * self._max_bytes)()
        n = c_size_t()
        _check(getattr(_c.lib(), self._prefix + "_serialize")(buf, self._max_bytes, byref(n), byref(self._acc)))
        return bytes(buf[:n.value])

    @classmethod
    def from_bytes(cls, data: Union[bytes, bytearray, memoryview]) -> Any:
        """An accumulator read from to_bytes() output (*_acc_deserialize).
        Malformed bytes raise CxmValueError (CXM_E_FORMAT, CXM_E_TRUNCATED,
        CXM_E_VERSION); bytes after the accumulator are CXM_E_FORMAT."""
        b = bytes(data)
        out = cls()
        n = c_size_t()
        _check(getattr(_c.lib(), cls._prefix + "_deserialize")(byref(out._acc), b, len(b), byref(n)), "from_bytes")
        if n.value != len(b):
            raise CxmError(-18, f"{len(b) - n.value} bytes after the accumulator")
        return out

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and bytes(self._acc) == bytes(other._acc)  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.to_bytes())} bytes)"


class SurveyAccumulator(_Accumulator):
    """NPS, CSAT and CES answer counts (struct cxm_survey_acc): build one
    with add() or Store.accumulator("survey", ...), merge shards, keep them
    as bytes, and compute the metrics exactly as the store's queries do."""

    _prefix, _struct, _max_bytes = "cxm_survey_acc", _c.SurveyAcc, 256

    def add(self, kind: str, value: int, count: int = 1) -> None:
        """Add ``count`` answers ``value`` of ``kind`` "nps" (0..10), "csat"
        (1..5) or "ces" (1..7) (cxm_survey_acc_add)."""
        lib = _c.lib()
        k = c_int32()
        kb = _bytes(kind, "kind")
        _check(lib.cxm_kind_parse(byref(k), kb, len(kb)), f"kind {kind!r}")
        _check(lib.cxm_survey_acc_add(byref(self._acc), k.value, _int(value, "value", _CXM_E_VALUE),
                                      _u64(count, "count", _CXM_E_VALUE)), "add")

    def nps(self) -> Nps:
        """The NPS of the answers (cxm_nps_compute)."""
        return _survey(self._acc)[0]

    def csat(self) -> Csat:
        """The CSAT of the answers (cxm_csat_compute)."""
        return _survey(self._acc)[1]

    def ces(self) -> Ces:
        """The CES of the answers (cxm_ces_compute)."""
        return _survey(self._acc)[2]


class GapAccumulator(_Accumulator):
    """Perception-gap pairs (struct cxm_gap_acc, a Welford accumulator)."""

    _prefix, _struct, _max_bytes = "cxm_gap_acc", _c.GapAcc, 61

    def add(self, service: float, experience: float, top_box: float = 80.0) -> None:
        """Add one interaction's internal service rating and the customer's
        experience rating, both 0..100, with the top-box threshold of the
        blind-spot counts (cxm_gap_acc_add)."""
        _check(_c.lib().cxm_gap_acc_add(byref(self._acc), float(service), float(experience), float(top_box)), "add")

    def compute(self) -> Gap:
        """The perception gap of the pairs (cxm_gap_compute)."""
        return _gap_of(_c.lib(), self._acc)


class ServqualAccumulator(_Accumulator):
    """SERVQUAL answers of qualifying customers per dimension (struct cxm_servqual_acc)."""

    _prefix, _struct, _max_bytes = "cxm_servqual_acc", _c.ServqualAcc, 205

    def compute(self, weights: Optional[Dict[str, float]] = None) -> Servqual:
        """SERVQUAL gaps (cxm_servqual_compute); ``weights`` by dimension name
        weigh the overall score (default: the unweighted mean)."""
        r = _c.ServqualResult()
        w = None
        if weights is not None:
            unknown = set(weights) - set(_DIMENSIONS)
            if unknown:
                raise CxmError(_CXM_E_OPTION, f"unknown dimensions {sorted(unknown)}")
            w = (c_double * 5)(*[float(weights.get(d, 0.0)) for d in _DIMENSIONS])
        _check(_c.lib().cxm_servqual_compute(byref(r), byref(self._acc), w), "servqual")
        return _servqual_of(r)


class LoyaltyAccumulator(_Accumulator):
    """Complaints, compliments and churned customers (struct cxm_loyalty_acc)."""

    _prefix, _struct, _max_bytes = "cxm_loyalty_acc", _c.LoyaltyAcc, 29

    def compute(self) -> Loyalty:
        """The loyalty signals (cxm_loyalty_compute)."""
        r = _c.LoyaltyResult()
        _check(_c.lib().cxm_loyalty_compute(byref(r), byref(self._acc)))
        return _loyalty_of(r)


class ServiceAccumulator(_Accumulator):
    """Service-level counts, sums and duration histograms (struct
    cxm_service_acc): medians and p90s come from the histograms, exact
    below 1 024 s and within 1/128 above; counts, means and the SLA share
    are exact."""

    _prefix, _struct, _max_bytes = "cxm_service_acc", _c.ServiceAcc, 69 + 2 * (2 + 10 * 2816)

    def compute(self) -> Service:
        """The service levels (cxm_service_compute)."""
        r = _c.ServiceResult()
        _check(_c.lib().cxm_service_compute(byref(r), byref(self._acc)))
        return _service_of(r)


_ACCUMULATORS = {"survey": SurveyAccumulator, "gap": GapAccumulator, "servqual": ServqualAccumulator,
                 "loyalty": LoyaltyAccumulator, "service": ServiceAccumulator}


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
    CxmError(CXM_E_STATE)."""

    def __init__(self, bucket_seconds: int = 86400, omit: Sequence[str] = ()) -> None:
        """bucket_seconds: the time resolution of slice queries (divides a
        day). omit: per-customer tables the store does not keep, for a
        program that only asks slice queries (less memory, faster
        recording): "customer_days" (then the purchase models, summaries,
        churn, features, retention, cohorts, tracking and key drivers by
        customer raise CxmError CXM_E_STATE) and "customer_firsts"
        (retention). Such a store cannot be saved (CXM_E_STATE) and merges
        only with a store that omits the same."""
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
        if isinstance(omit, str):
            omit = (omit,)
        for name in omit:
            if name not in _OMIT:
                raise CxmValueError(_CXM_E_OPTION, "omit: %r is not one of %s" % (name, ", ".join(sorted(_OMIT))))
            opts.omit |= _OMIT[name]
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
                raise CxmError(_CXM_E_STATE, "the store is closed")
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
            raise CxmError(_CXM_E_STATE, "the store is closed")
        return self._h

    def close(self) -> None:
        """Free the store once the calls in flight on other threads have
        returned; later calls raise CxmError(CXM_E_STATE). Idempotent."""
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

    def _rating_attribute(self, h: int, ev: Any, dimension: Code) -> None:
        """For a ``rating`` event, its dimension: the attribute label,
        interned (cxm_store_attribute), or an attribute code (int)."""
        if ev.kind != _KIND_RATING or dimension is None:
            return
        if isinstance(dimension, int):
            ev.dimension = _int(dimension, "dimension", _CXM_E_DIMENSION)
            return
        b = _bytes(dimension, "dimension")
        out = c_int32()
        _check(self._lib.cxm_store_attribute(byref(out), h, b, len(b)), f"attribute {dimension!r}")
        ev.dimension = out.value

    def attribute(self, label: Union[str, bytes]) -> int:
        """The code of a rating attribute label, interning it when new
        (cxm_store_attribute): 1, 2, ... in order of first use."""
        b = _bytes(label, "attribute")
        out = c_int32()
        with self._use(write=True) as h:
            _check(self._lib.cxm_store_attribute(byref(out), h, b, len(b)), f"attribute {label!r}")
        return out.value

    def find_attribute(self, label: Union[str, bytes]) -> Optional[int]:
        """The code of a rating attribute label, None when the store has
        never seen it (cxm_store_find_attribute; never writes the store)."""
        b = _bytes(label, "attribute")
        out = c_int32()
        with self._use() as h:
            rc = self._lib.cxm_store_find_attribute(byref(out), h, b, len(b))
        if rc == _CXM_E_NOT_FOUND:
            return None
        _check(rc, "find_attribute")
        return out.value

    def attribute_name(self, code: int) -> Optional[str]:
        """The label of a rating attribute code (cxm_store_attribute_name),
        None for a code the store does not know."""
        name, n = c_char_p(), c_size_t()
        with self._use() as h:
            if self._lib.cxm_store_attribute_name(byref(name), byref(n), h,
                                                  _int(code, "attribute", _CXM_E_DIMENSION)) != 0:
                return None
            return _text(name, n.value)

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
        ev, keep = self._event(customer, time, kind, value, stage, dimension, ref, id)
        d = _c.Detail()
        self._lib.cxm_detail_init(byref(d))
        with self._use(write=True) as h:
            ev.channel = self._channel(h, channel)
            ev.segment = self._segment(h, segment)
            self._rating_attribute(h, ev, dimension)
            status = self._lib.cxm_store_record_ex(h, byref(ev), byref(d))
        # cxm_store_record_ex says why an event is refused, in the reader's words.
        return _check(status, d.reason.decode("utf-8", "replace") or None) == 0

    def _event(self, customer: Union[str, bytes, None], time: Time, kind: Union[str, int], value: Optional[float],
               stage: Code, dimension: Code, ref: Union[str, bytes, None],
               id: Union[str, bytes, None]) -> Tuple[Any, List[bytes]]:
        """A cxm_event of everything that needs no store (this call's own
        struct: one shared struct let threads send each other's customers),
        and the bytes it borrows, to keep referenced until the call returns."""
        lib = self._lib
        ev = _c.Event()
        lib.cxm_event_init(byref(ev))
        keep = []
        if customer is not None:
            cust = _id(customer, "customer", _CXM_E_CUSTOMER)
            keep.append(cust)
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
        if ev.kind != _KIND_RATING:  # a rating's attribute is the store's (_rating_attribute)
            ev.dimension = self._parse(lib.cxm_dimension_parse, dimension, "dimension", _CXM_E_DIMENSION)
        if ref is not None:
            r = _id(ref, "ref", _CXM_E_REF)
            keep.append(r)
            ev.ref, ev.ref_len = r, len(r)
        if id is not None:
            i = _id(id, "id", _CXM_E_EVENT_ID)
            keep.append(i)
            ev.id, ev.id_len = i, len(i)
        return ev, keep

    # -- customer handles (cxm/store.h): look a customer up once, record many events --
    def customer(self, id: Union[str, bytes]) -> int:
        """The handle of customer ``id``, creating the customer when new
        (cxm_store_customer): handles are 0, 1, 2... in order of creation,
        valid for the store's lifetime, and feed record_for()."""
        b = _id(id, "customer", _CXM_E_CUSTOMER)
        out = c_uint32()
        with self._use(write=True) as h:
            _check(self._lib.cxm_store_customer(byref(out), h, b, len(b)), "customer")
        return out.value

    def find_customer(self, id: Union[str, bytes]) -> Optional[int]:
        """The handle of customer ``id``, or None when the store has never
        seen it (cxm_store_find_customer; never writes the store)."""
        b = _id(id, "customer", _CXM_E_CUSTOMER)
        out = c_uint32()
        with self._use() as h:
            rc = self._lib.cxm_store_find_customer(byref(out), h, b, len(b))
        if rc == _CXM_E_NOT_FOUND:
            return None
        _check(rc, "find_customer")
        return out.value

    def customer_id(self, handle: int) -> str:
        """The id of a customer handle (cxm_store_customer_id); CxmError
        CXM_E_HANDLE for a handle the store did not issue."""
        cid, n = c_char_p(), c_size_t()
        with self._use() as h:
            _check(self._lib.cxm_store_customer_id(byref(cid), byref(n), h, _u32(handle, "handle")), "customer_id")
            return _text(cid, n.value)

    def record_for(self, handle: int, time: Time, kind: Union[str, int], value: Optional[float] = None,
                   channel: Code = None, stage: Code = None, segment: Code = None,
                   ref: Union[str, bytes, None] = None, dimension: Code = None,
                   id: Union[str, bytes, None] = None) -> bool:
        """record() for a customer handle of customer() (cxm_store_record_for):
        the fast path for many events of one customer. False for a duplicate."""
        ev, keep = self._event(None, time, kind, value, stage, dimension, ref, id)
        with self._use(write=True) as h:
            ev.channel = self._channel(h, channel)
            ev.segment = self._segment(h, segment)
            self._rating_attribute(h, ev, dimension)
            status = self._lib.cxm_store_record_for(h, _u32(handle, "handle"), byref(ev))
        return _check(status, "record_for") == 0

    def check(self, customer: Union[str, bytes], time: Time, kind: Union[str, int], value: Optional[float] = None,
              channel: Code = None, stage: Code = None, segment: Code = None, ref: Union[str, bytes, None] = None,
              dimension: Code = None, id: Union[str, bytes, None] = None) -> None:
        """Validate an event as record() would, without recording it
        (cxm_store_check; duplicates are not detected): raises the CxmError
        record() would raise. A new channel token or segment label is
        interned, as record() does."""
        ev, keep = self._event(customer, time, kind, value, stage, dimension, ref, id)
        with self._use(write=True) as h:
            ev.channel = self._channel(h, channel)
            ev.segment = self._segment(h, segment)
            self._rating_attribute(h, ev, dimension)
            status = self._lib.cxm_store_check(h, byref(ev))
        _check(status, "check")

    def ingest(self, source: Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, Any],
               format: Optional[str] = None, strict: bool = False, delimiter: Optional[str] = None,
               trim: bool = True, time_format: Optional[str] = None,
               utc_offset: Union[int, str, None] = None, start: Optional[Time] = None,
               end: Optional[Time] = None) -> IngestResult:
        """Read CSV or JSON Lines events (format "csv" or "jsonl").

        ``source`` is a file path (``str`` or ``os.PathLike``; format by
        default by the extension, .jsonl or .ndjson, like the cxm command),
        the events themselves as ``bytes`` / ``bytearray`` / ``memoryview``,
        or a binary file-like object with ``read()`` (an open file,
        ``io.BytesIO``, a socket's makefile("rb"), a text stream is
        encoded as UTF-8); those two default to CSV and go through the
        streaming reader (cxm_reader_new / feed / finish), 1 MiB at a time.
        A path given as ``bytes`` must be wrapped (``os.fsdecode(p)`` or
        ``pathlib.Path``): bytes are data.

        Bad rows are skipped and listed in ``errors``; raises CxmError when
        the file cannot be read (a CxmOSError: ``FileNotFoundError`` for a
        missing file, with ``errno`` and ``filename``), the CSV header is
        unusable, or (strict) at the first bad row (a CxmValueError) — the
        exception's ``errors`` lists the rows seen.

        Dialects (docs/events.md): ``delimiter`` one of ``, ; \\t |``
        (default: detected from the header); ``trim`` removes spaces around
        fields; ``time_format`` a pattern such as ``"%m/%d/%Y %H:%M"``;
        ``utc_offset`` seconds east of UTC, or ``"+05:30"``, at which times
        without a zone are read (default: such times are refused).

        ``start`` / ``end`` keep only the events in [start, end) (any
        instants, as the command's --from / --to); the others are counted
        in ``out_of_window`` and not recorded."""
        path: Optional[bytes] = None
        if isinstance(source, (str, os.PathLike)):
            path = os.fsencode(source)
            if b"\0" in path:  # ctypes would pass the path cut at the NUL: another file
                raise CxmError(_CXM_E_IO, f"path {os.fsdecode(path)!r} contains a NUL byte")
        elif not isinstance(source, (bytes, bytearray, memoryview)) and not hasattr(source, "read"):
            raise TypeError(f"ingest() takes a path, bytes or a file-like object, not {type(source).__name__}")
        if format is None:
            format = "jsonl" if path is not None and (path.endswith(b".jsonl") or path.endswith(b".ndjson")) else "csv"
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
            if isinstance(utc_offset, str):  # "+05:30", as the command's --utc-offset
                b, off = utc_offset.encode(), c_int32()
                _check(lib.cxm_calendar_parse_offset(byref(off), b, len(b)), f"utc_offset {utc_offset!r}")
                utc_offset = off.value
            opts.assume_offset = 1
            opts.utc_offset = _int(utc_offset, "utc_offset", _CXM_E_OPTION)
        if start is not None:
            opts.from_ = _time(start, "start")
        if end is not None:
            opts.to = _time(end, "end")
        opts.on_error = callback
        st = _c.ReaderStats()
        st.size = ctypes.sizeof(st)
        where = "<data>"
        if path is not None:
            where = os.fsdecode(path)
            with self._use(write=True) as h:
                status = lib.cxm_store_ingest_file(h, path, byref(opts), byref(st))
            if status in (_CXM_E_IO, _CXM_E_NOT_FILE):
                raise _os_error(status, path, errors)
        else:
            with self._use(write=True) as h:
                status = self._stream(h, source, opts, st)
        if status < 0:
            raise CxmError(status, f"{lib.cxm_status_str(status).decode()} ({where})", errors)
        return IngestResult(st.rows, st.events, st.rejected, st.duplicates, st.out_of_window, st.warnings, st.bytes,
                            errors)

    def _stream(self, h: int, source: Any, opts: Any, st: Any) -> int:
        """Feed bytes or a file-like object to a cxm_reader; the status of
        the first failing call (or of finish)."""
        lib = self._lib
        r = c_void_p()
        _check(lib.cxm_reader_new(byref(r), h, byref(opts)))
        try:
            status = 0
            if isinstance(source, (bytes, bytearray, memoryview)):
                view = memoryview(source).cast("B")
                chunks: Any = (view[i:i + _CHUNK] for i in range(0, len(view), _CHUNK))
            else:
                chunks = iter(lambda: source.read(_CHUNK), b"")
            for chunk in chunks:
                if isinstance(chunk, str):
                    if chunk == "":
                        break
                    chunk = chunk.encode("utf-8")
                buf = (ctypes.c_char * len(chunk)).from_buffer_copy(chunk) if len(chunk) else None
                status = lib.cxm_reader_feed(r, buf, len(chunk))
                if status < 0:
                    break
            if status >= 0:
                status = lib.cxm_reader_finish(r)
            lib.cxm_reader_stats_get(byref(st), r)
            return status
        finally:
            lib.cxm_reader_free(r)

    # -- DataFrames (pandas) --
    def _intern_code(self, h: int, value: Any, what: str) -> Tuple[int, int]:
        """(code, 0) for a channel or segment of record_frame(), interned;
        (0, status) when invalid. Empty or missing: 0 (unknown / none)."""
        bad = {"channel": _CXM_E_CHANNEL, "segment": _CXM_E_SEGMENT, "attribute": _CXM_E_DIMENSION}[what]
        if isinstance(value, bool):
            return 0, bad
        if isinstance(value, int) or type(value).__name__.startswith("int"):
            v = int(value)
            return (v, 0) if -(2**31) <= v < 2**31 else (0, bad)
        b = _frames._encode(value)
        if b == b"":
            return 0, 0
        fn = {"channel": self._lib.cxm_store_channel, "segment": self._lib.cxm_store_segment,
              "attribute": self._lib.cxm_store_attribute}[what]
        out = c_int32()
        rc = fn(byref(out), h, b, len(b))
        return (out.value, 0) if rc == 0 else (0, rc)

    def record_frame(self, df: Any, *, time: str = "time", customer: str = "customer", kind: str = "kind",
                     value: Optional[str] = "value", channel: Optional[str] = "channel",
                     stage: Optional[str] = "stage", segment: Optional[str] = "segment", ref: Optional[str] = "ref",
                     dimension: Optional[str] = "dimension", id: Optional[str] = "id",
                     tz: Any = None) -> RecordResult:
        """Record every row of a pandas DataFrame, as ingest() of the same
        rows as CSV would, through one cxm_store_record_batch() call.

        The keyword arguments name the frame's column for each event field
        (defaults: the CSV header names, docs/events.md); an optional field
        whose default column the frame lacks is absent, ``None`` leaves it
        out, and a column named explicitly (or a required one: time,
        customer, kind) that the frame lacks raises CxmKeyError
        (CXM_E_HEADER; also a ``KeyError``).

        Columns may be text, categorical (each category is looked up
        once) or codes (ints). ``time`` may be datetime64 with a zone,
        datetime64 without one (then ``tz`` is required: ``tz="UTC"`` or
        the zone the times were written in, else CxmValueError CXM_E_TIME
        before anything is recorded), integer seconds since 1970, or RFC
        3339 text (zone-less text is placed in ``tz`` when given, else
        refused per row). ``value`` NaN / None / NA means no value.

        Bad rows are skipped and listed in ``errors`` (row position,
        column, status), as the reader does; the others are recorded. New
        channel tokens and segment labels are interned in the order of
        first appearance, so a frame of valid rows gives the store (and the
        snapshot bytes) ingest() gives for the same rows as CSV; a label
        seen only in rejected rows stays interned (the reader's would not).
        Returns RecordResult."""
        import numpy as np
        pd = _frames.pandas()
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"record_frame() takes a pandas DataFrame, not {type(df).__name__}")
        given = dict(time=time, customer=customer, kind=kind, value=value, channel=channel, stage=stage,
                     segment=segment, ref=ref, dimension=dimension, id=id)
        defaults = dict(time="time", customer="customer", kind="kind", value="value", channel="channel",
                        stage="stage", segment="segment", ref="ref", dimension="dimension", id="id")
        names: Dict[str, Optional[str]] = {}
        for field, col in given.items():
            if col is None:
                if field in _frames.REQUIRED:
                    raise TypeError(f"{field} is required: name its column")
                names[field] = None
            elif col in df.columns:
                names[field] = col
            elif field in _frames.REQUIRED or col != defaults[field]:
                raise CxmError(_CXM_E_NOT_FOUND, f"the frame has no column {col!r} for the event's {field} "
                                                 f"(columns: {', '.join(map(str, df.columns))})")
            else:
                names[field] = None
        lib = self._lib
        keep: List[Any] = []
        n = len(df)
        statuses = np.zeros(n, dtype=np.int32)
        with self._use(write=True) as h:
            ev, pre = _frames.build_events(self, h, df, names, tz, keep)
            ok = np.flatnonzero(pre == 0)
            if len(ok) == n:
                batch = ev
            else:
                batch = np.ascontiguousarray(ev[ok])
            got = np.zeros(len(ok), dtype=np.int32)
            if len(ok):
                _check(lib.cxm_store_record_batch(got.ctypes.data, h, batch.ctypes.data, len(ok)))
        del keep
        statuses[:] = pre
        statuses[ok] = got
        errors = []
        for i in np.flatnonzero(statuses < 0):
            st = int(statuses[i])
            errors.append(RowError(int(i), _frames.column_of(st, names), st, lib.cxm_status_name(st).decode(),
                                   lib.cxm_status_str(st).decode()))
        return RecordResult(n, int((statuses == 0).sum()), len(errors), int((statuses == 1).sum()), statuses, errors)

    def purchase_summary(self, to: Optional[Time] = None, holdout_to: Optional[Time] = None,
                         unit: str = "D") -> PurchaseSummaries:
        """Every buying customer's purchase summary (cxm_store_rfm;
        docs/purchase.md, "From events") in the shape of lifetimes'
        summary_data_from_transaction_data: frequency, recency, T,
        monetary_value, in ``unit`` ("D" days, the lifetimes default, "W"
        weeks of 7 days, the C default, or "W-SUN" calendar weeks Monday to
        Sunday, pandas' and lifetimes' freq "W": purchases of one week are
        one transaction, recency and T whole weeks). ``to`` ends the observation (a UTC midnight,
        exclusive; default: through the day of the last event);
        ``holdout_to`` adds ``frequency_holdout`` for [to, holdout_to).
        Customers whose first purchase is on the last day are left out (T =
        0). A list of PurchaseSummary with to_frame()."""
        units = {"D": 86400.0, "W": 604800.0, "W-SUN": 604800.0}
        if unit not in units:
            raise CxmError(_CXM_E_OPTION, f"unit {unit!r}: 'D' (days), 'W' (weeks) or 'W-SUN' (calendar weeks)")
        lib = self._lib
        o = _c.RfmOptions()
        lib.cxm_rfm_options_init(byref(o))
        o.unit_seconds = units[unit]
        o.calendar_weeks = 1 if unit == "W-SUN" else 0
        if to is not None:
            o.to = _time(to, "to")
        if holdout_to is not None:
            o.holdout_to = _time(holdout_to, "holdout_to")
        r = c_void_p()
        _check(lib.cxm_rfm_new(byref(r), None))
        try:
            with self._use() as h:
                _check(lib.cxm_store_rfm(r, h, byref(o)), "purchase summary")
            out = PurchaseSummaries()
            c = _c.RfmCustomer()
            for i in range(lib.cxm_rfm_count(r)):
                lib.cxm_rfm_customer_init(byref(c))
                _check(lib.cxm_rfm_get(byref(c), r, i))
                money = 0.0 if c.x == 0 or math.isnan(c.monetary) else c.monetary
                out.append(PurchaseSummary(_text(c.id, c.id_len), c.x, c.t_x, c.T, money,
                                           None if math.isnan(c.x_star) else c.x_star))
            return out
        finally:
            lib.cxm_rfm_free(r)

    def purchase_detractor(self, to: Optional[Time] = None, unit: str = "W") -> Tuple[PurchaseSummaries, List[float]]:
        """Every buying customer's purchase summary (as purchase_summary(),
        ``unit`` "D" or "W") with the covariate "the customer's first survey
        answer before ``to`` was a detractor's" (1.0 or 0.0;
        cxm_store_rfm_detractor), for fit_covariates()."""
        units = {"D": 86400.0, "W": 604800.0}
        if unit not in units:
            raise CxmError(_CXM_E_OPTION, f"unit {unit!r}: 'D' (days) or 'W' (weeks)")
        lib = self._lib
        o = _c.RfmOptions()
        lib.cxm_rfm_options_init(byref(o))
        o.unit_seconds = units[unit]
        if to is not None:
            o.to = _time(to, "to")
        r = c_void_p()
        _check(lib.cxm_rfm_new(byref(r), None))
        try:
            with self._use() as h:
                st = _c.StoreStats()
                st.size = ctypes.sizeof(st)
                _check(lib.cxm_store_stats_get(byref(st), h))
                cap = max(int(st.customers), 1)
                det = (c_double * cap)()
                _check(lib.cxm_store_rfm_detractor(r, det, cap, h, byref(o)), "purchase summary")
            out = PurchaseSummaries()
            c = _c.RfmCustomer()
            n = lib.cxm_rfm_count(r)
            for i in range(n):
                lib.cxm_rfm_customer_init(byref(c))
                _check(lib.cxm_rfm_get(byref(c), r, i))
                money = 0.0 if c.x == 0 or math.isnan(c.monetary) else c.monetary
                out.append(PurchaseSummary(_text(c.id, c.id_len), c.x, c.t_x, c.T, money, None))
            return out, [det[i] for i in range(n)]
        finally:
            lib.cxm_rfm_free(r)

    def compare(self, metric: str, first: Union[Group, Dict[str, Any]], second: Union[Group, Dict[str, Any]]) -> Comparison:
        """Compare NPS or CSAT (``metric`` "nps" or "csat") between two
        slices, the earlier ``first`` and the later ``second``
        (cxm_nps_compare / cxm_csat_compare): each a Group (e.g. two of
        ``groups("month")``) or a dict of the query arguments
        (``{"start": "2026-05-01", "end": "2026-06-01", "channel": "email"}``)."""
        if metric not in ("nps", "csat"):
            raise CxmError(_CXM_E_OPTION, f"metric {metric!r}: 'nps' or 'csat'")
        accs = []
        for side in (first, second):
            kw = dict(where=side) if isinstance(side, Group) else dict(side)
            args = self._kw(kw.pop("where", None), kw.pop("channel", None), kw.pop("stage", None),
                            kw.pop("segment", None), kw.pop("start", None), kw.pop("end", None))
            if kw:
                raise TypeError(f"unknown slice arguments: {', '.join(kw)}")
            acc = _c.SurveyAcc()
            with self._use() as h:
                _check(self._lib.cxm_store_survey(byref(acc), h, byref(self._filter(h, **args))))
            accs.append(getattr(acc, metric))
        out = _c.Comparison()
        fn = self._lib.cxm_nps_compare if metric == "nps" else self._lib.cxm_csat_compare
        _check(fn(byref(out), byref(accs[0]), byref(accs[1])))
        n = [sum(a.count) for a in accs]
        return Comparison(metric, n[0], n[1], _num(out.first), _num(out.second), _num(out.diff), _num(out.se),
                          _num(out.z), _num(out.p))

    def features(self, cutoff: Time, horizon_days: int = 90, model: str = "mbgnbd",
                 sla_target_seconds: Optional[int] = None, calendar: Optional[Calendar] = None) -> FeatureTable:
        """The churn feature table (cxm_store_features; docs/churn.md): the
        features of every customer at risk from the events before
        ``cutoff`` (a UTC midnight), labelled with churn in the
        ``horizon_days`` after it (0: no labels), the purchase-risk feature
        from ``model``, SLA breaches against ``sla_target_seconds`` of
        ``calendar``. The rows churn() scores at ``to`` are this table at
        ``cutoff=to``. Raises CxmValueError CXM_E_WINDOW for a cut-off that
        is not a UTC midnight."""
        lib = self._lib
        fo = self._feature_options(cutoff, horizon_days, model, sla_target_seconds, calendar)
        names = [lib.cxm_feature_name(k).decode() for k in range(_FEATURE_COUNT)]
        out = FeatureTable()
        with self._use() as h:
            f = c_void_p()
            _check(lib.cxm_store_features(byref(f), h, byref(fo)), "features")
            try:
                x, hd, lab = (c_double * _FEATURE_COUNT)(), c_uint32(), c_int32()
                cid, n = c_char_p(), c_size_t()
                for i in range(lib.cxm_features_count(f)):
                    _check(lib.cxm_features_row_get(x, _FEATURE_COUNT, byref(hd), byref(lab), f, i))
                    _check(lib.cxm_store_customer_id(byref(cid), byref(n), h, hd.value))
                    out.append(FeatureRow(_text(cid, n.value), {names[k]: x[k] for k in range(_FEATURE_COUNT)},
                                          None if lab.value < 0 else bool(lab.value)))
            finally:
                lib.cxm_features_free(f)
        return out

    def risk_model(self, cutoff: Time, horizon_days: int = 90, model: str = "mbgnbd",
                   sla_target_seconds: Optional[int] = None,
                   calendar: Optional[Calendar] = None) -> Tuple[LogisticModel, Optional[Evaluation], bool]:
        """The churn risk model of the store (cxm_store_risk_model;
        docs/churn.md): fitted on the features at ``cutoff`` labelled with
        churn in the ``horizon_days`` after it when there are enough labels
        (even customer handles train, odd ones evaluate), else the default
        model. Returns (model, held-out evaluation or None, fitted). The
        features are those of ``features()`` with the same arguments."""
        lib = self._lib
        fo = self._feature_options(cutoff, horizon_days, model, sla_target_seconds, calendar)
        m, e, fitted = _c.RiskModel(), _c.RiskEvaluation(), c_int32()
        lib.cxm_risk_model_init(byref(m))
        e.size = ctypes.sizeof(e)
        with self._use() as h:
            rc = lib.cxm_store_risk_model(byref(m), byref(e), byref(fitted), h, byref(fo))
        if rc != -33:
            _check(rc, "risk model")
        return LogisticModel._of(m), _evaluation_of(e) if e.rows > 0 else None, bool(fitted.value)

    def _feature_options(self, cutoff: Time, horizon_days: int, model: str, sla_target_seconds: Optional[int],
                         calendar: Optional[Calendar]) -> Any:
        if model not in _MODELS:
            raise CxmError(_CXM_E_MODEL, f"unknown purchase model {model!r}: one of {', '.join(_MODELS)}")
        lib = self._lib
        fo = _c.FeatureOptions()
        lib.cxm_feature_options_init(byref(fo))
        fo.cutoff = _time(cutoff, "cutoff")
        if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or not 0 <= horizon_days <= _INT64_MAX // 86400:
            raise CxmError(_CXM_E_OPTION, f"horizon_days must be a number of days >= 0, not {horizon_days!r}")
        fo.horizon_seconds = horizon_days * 86400
        fo.purchase_model = _MODELS[model]
        if sla_target_seconds is not None:
            fo.sla_target_seconds = _int(sla_target_seconds, "sla_target_seconds", _CXM_E_OPTION, 64)
        if calendar is not None:
            if not isinstance(calendar, Calendar):
                raise TypeError("calendar must be a cxm.Calendar")
            fo.calendar = calendar._handle
        return fo

    def fit_purchase_model(self, kind: str = "mbgnbd", to: Optional[Time] = None, unit: str = "W",
                           max_iterations: Optional[int] = None, max_seconds: Optional[float] = None,
                           penalizer_coef: float = 0.0) -> PurchaseModel:
        """Fit a purchase model (``kind`` "bgnbd", "mbgnbd", "pnbd") or the
        Gamma-Gamma spend model ("gg") to the store's purchase summaries
        (cxm_store_rfm, then cxm_model_fit; docs/purchase.md), observed
        until ``to`` (default: through the day of the last event), in
        ``unit`` "W" (weeks, the command's default) or "D" (days). A fit
        that did not converge or is degenerate is returned, not raised,
        with ``converged`` False and ``degenerate`` naming the reasons (the
        command prints it and exits 1). ``penalizer_coef`` is lifetimes'
        L2 penalty (cxm_fit_options.penalty; docs/purchase.md, "L2
        penalty"). Raises CxmValueError CXM_E_NO_DATA
        without buyers to fit, CXM_E_MODEL for an unknown kind."""
        if kind not in _PURCHASE_KINDS:
            raise CxmError(_CXM_E_MODEL, f"unknown model {kind!r}: one of {', '.join(_PURCHASE_KINDS)}")
        units = {"D": 86400.0, "W": 604800.0}
        if unit not in units:
            raise CxmError(_CXM_E_OPTION, f"unit {unit!r}: 'D' (days) or 'W' (weeks)")
        lib = self._lib
        o = _c.RfmOptions()
        lib.cxm_rfm_options_init(byref(o))
        o.unit_seconds = units[unit]
        if to is not None:
            o.to = _time(to, "to")
        fo = _c.FitOptions()
        lib.cxm_fit_options_init(byref(fo))
        if max_iterations is not None:
            fo.max_iterations = _int(max_iterations, "max_iterations", _CXM_E_OPTION)
        if max_seconds is not None:
            fo.max_seconds = float(max_seconds)
        fo.penalty = float(penalizer_coef)
        m = _c.Model()
        lib.cxm_model_init(byref(m))
        k = _PURCHASE_KINDS[kind]
        r = c_void_p()
        _check(lib.cxm_rfm_new(byref(r), None))
        try:
            with self._use() as h:
                _check(lib.cxm_store_rfm(r, h, byref(o)), "purchase summary")
            rc = lib.cxm_model_fit(byref(m), r, k, byref(fo))
            if rc != -33:  # CXM_E_CONVERGE: the best point, reported as not converged
                _check(rc, f"{kind} fit")
        finally:
            lib.cxm_rfm_free(r)
        return _purchase_model(lib, m, k)

    def tracking(self, model: Optional[PurchaseModel], periods: int, *, start: Optional[Time] = None,
                 cohort_end: Optional[Time] = None, period_days: int = 7,
                 unit: str = "W") -> Tuple[List[float], Optional[List[float]]]:
        """The tracking plot of the store's purchases (cxm_store_tracking;
        docs/purchase.md, "Tracking"): the repeat transactions the cohort
        actually made by the end of each of ``periods`` periods of
        ``period_days`` days from ``start`` (default: the earliest first
        purchase day), and those ``model`` (BG/NBD, MBG/NBD or Pareto/NBD,
        fitted in ``unit`` "W" or "D", e.g. by fit_purchase_model) expects;
        ``model`` None gives the actual series only (expected None). The
        cohort is the customers whose first purchase falls in
        [``start``, ``cohort_end``) (default: every buyer). Both series are
        cumulative. Raises CxmValueError for bad periods, CxmError
        CXM_E_WINDOW for bounds that are not UTC midnights."""
        units = {"D": 86400.0, "W": 604800.0}
        if unit not in units:
            raise CxmError(_CXM_E_OPTION, f"unit {unit!r}: 'D' (days) or 'W' (weeks)")
        n = _int(periods, "periods", _CXM_E_VALUE)
        if n < 1:
            raise CxmError(_CXM_E_VALUE, "periods must be at least 1")
        lib = self._lib
        o = _c.TrackingOptions()
        lib.cxm_tracking_options_init(byref(o))
        if start is not None:
            o.from_ = _time(start, "start")
        if cohort_end is not None:
            o.cohort_to = _time(cohort_end, "cohort_end")
        o.period_seconds = 86400.0 * _int(period_days, "period_days", _CXM_E_OPTION)
        o.unit_seconds = units[unit]
        actual = (c_double * n)()
        expected = (c_double * n)() if model is not None else None
        m = model._c() if model is not None else None
        with self._use() as h:
            _check(lib.cxm_store_tracking(actual, expected, n, h, byref(m) if m is not None else None, byref(o)),
                   "tracking")
        return list(actual), (list(expected) if expected is not None else None)

    # -- snapshots and merging (cxm/snapshot.h, cxm_store_merge) --
    def to_bytes(self) -> bytes:
        """The store's snapshot (cxm_store_save_to; docs/snapshot.md). The
        bytes are canonical: two stores with the same content give equal
        bytes. Load with Store.from_bytes()."""
        parts: List[bytes] = []

        def write(_opaque: Any, data: Any, n: int) -> int:
            parts.append(ctypes.string_at(data, n))
            return 0

        fn = _c.WRITE_FN(write)
        with self._use() as h:
            _check(self._lib.cxm_store_save_to(h, fn, None), "snapshot")
        return b"".join(parts)

    def save(self, path: Union[str, "os.PathLike[str]"], *, mode: Optional[int] = None) -> None:
        """Save the snapshot to a file, atomically (cxm_store_save_ex; a new
        file gets ``mode``, default 0o600 as snapshots hold customer ids,
        through cxm_store_save_with; an existing file keeps its own). Raises
        CxmOSError when it cannot be written, with the library's account of
        what failed in its message."""
        p = os.fsencode(path)
        if b"\0" in p:
            raise CxmError(_CXM_E_IO, f"path {os.fsdecode(p)!r} contains a NUL byte")
        det = _c.Detail()
        self._lib.cxm_detail_init(byref(det))
        if mode is not None:
            o = _c.SaveOptions()
            self._lib.cxm_save_options_init(byref(o))
            if isinstance(mode, bool) or not isinstance(mode, int) or not 0 <= mode <= 0o7777:
                raise CxmError(_CXM_E_OPTION, f"mode {mode!r} is not permission bits 0..0o7777")
            o.new_file_mode = mode
        with self._use() as h:
            if mode is None:
                status = self._lib.cxm_store_save_ex(h, p, byref(det))
            else:
                status = self._lib.cxm_store_save_with(h, p, byref(o))
        if status in (_CXM_E_IO, _CXM_E_NOT_FILE):
            # No errno from the library: ask the directory the file goes to.
            name = os.fsdecode(p)
            d = os.path.dirname(name) or "."
            err: Optional[int] = None
            if os.path.isdir(name):
                err = _errno.EISDIR
            else:
                try:
                    os.stat(d)
                    if not os.access(d, os.W_OK):
                        err = _errno.EACCES
                except OSError as e:
                    err = e.errno
            why = f": {os.strerror(err)}" if err else ""
            reason = det.reason.decode("utf-8", "replace") or f"cannot write the snapshot {name}{why}"
            raise CxmError(status, reason, errno=err, filename=name)
        _check(status, det.reason.decode("utf-8", "replace") or os.fsdecode(p))

    @classmethod
    def from_bytes(cls, data: Union[bytes, bytearray, memoryview]) -> "Store":
        """A new store from snapshot bytes (cxm_store_load_bytes). Malformed
        bytes raise CxmValueError (CXM_E_FORMAT, CXM_E_VERSION,
        CXM_E_TRUNCATED, CXM_E_CHECKSUM)."""
        b = bytes(data)
        return cls._adopt(lambda out: _c.lib().cxm_store_load_bytes(out, b, len(b), None), "snapshot bytes")

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> "Store":
        """A new store from a snapshot file (cxm_store_load). A missing file
        raises CxmFileNotFoundError (a FileNotFoundError)."""
        p = os.fsencode(path)
        if b"\0" in p:
            raise CxmError(_CXM_E_IO, f"path {os.fsdecode(p)!r} contains a NUL byte")
        d = _c.Detail()
        _c.lib().cxm_detail_init(byref(d))
        try:
            # cxm_store_load_ex: the library's account of a failure (what
            # failed, the path) becomes the message of a format error.
            return cls._adopt(lambda out: _c.lib().cxm_store_load_ex(out, p, None, byref(d)), os.fsdecode(p))
        except CxmOSError as e:
            raise _os_error(e.status, p) from None
        except CxmError as e:
            if d.reason:
                raise CxmError(e.status, d.reason.decode("utf-8", "replace")) from None
            raise

    @classmethod
    def _adopt(cls, load: Callable[[Any], int], what: str) -> "Store":
        store = cls.__new__(cls)
        store._cv = threading.Condition(threading.Lock())
        store._readers = 0
        store._writing = False
        store._writers_waiting = 0
        store._h = None
        store._lib = _c.lib()
        h = c_void_p()
        _check(load(byref(h)), what)
        store._h = h.value
        return store

    def merge(self, other: "Store") -> None:
        """Fold every event of ``other`` into this store (cxm_store_merge;
        docs/api.md, "Merging stores"); ``other`` is only read. Atomic:
        raises CxmValueError CXM_E_CONFLICT (different buckets, or an event
        id in both) and changes nothing."""
        if not isinstance(other, Store):
            raise TypeError("merge() takes a cxm.Store")
        if other is self:
            raise CxmError(_CXM_E_ARG, "a store cannot be merged into itself")
        with self._use(write=True) as h, other._use() as o:
            _check(self._lib.cxm_store_merge(h, o))

    def stats(self) -> StoreStats:
        """The store's counters (cxm_store_stats_get): events, duplicates,
        customers, first and last event time, cells, memory."""
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
        """NPS of the slice (docs/metrics.md): counts, score, standard error,
        95% intervals (Wald and adjusted); floats None without answers."""
        return self._survey(self._kw(where, channel, stage, segment, start, end))[0]

    def csat(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None, segment: Code = None,
             start: Optional[Time] = None, end: Optional[Time] = None) -> Csat:
        """CSAT (top-two box share) of the slice, its mean and 95% interval."""
        return self._survey(self._kw(where, channel, stage, segment, start, end))[1]

    def ces(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None, segment: Code = None,
            start: Optional[Time] = None, end: Optional[Time] = None) -> Ces:
        """CES of the slice: mean, SD and 95% interval (None below two
        answers), easy and high-effort shares, net score."""
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
        """Perception gap of the slice (cxm_store_gap): internal service
        rating minus the customer's rating per interaction, with its
        interval, blind spots and reverse spots."""
        acc = _c.GapAcc()
        o = self._experience_options(top_box, None)
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            _check(self._lib.cxm_store_gap(byref(acc), h, byref(f), byref(o)))
        return _gap_of(self._lib, acc)

    def servqual(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
                 segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None) -> Servqual:
        """SERVQUAL gaps (perception - expectation) per dimension and overall."""
        r = _c.ServqualResult()
        o = self._experience_options(None, None)
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            _check(self._lib.cxm_store_servqual(byref(r), h, byref(f), byref(o)))
        return _servqual_of(r)

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
        return _service_of(r)

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

    def backlog(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
                segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None,
                calendar: Optional[Calendar] = None) -> List[BacklogDay]:
        """The backlog as a daily series (cxm_store_backlog): one BacklogDay
        per local day of ``calendar`` (default Monday-Friday 09:00-17:00
        UTC) that the slice's window touches; contacts chosen by channel,
        stage and segment, days by the window."""
        o = _c.OperationsOptions()
        self._lib.cxm_operations_options_init(byref(o))
        if calendar is not None:
            if not isinstance(calendar, Calendar):
                raise TypeError("calendar must be a cxm.Calendar")
            o.calendar = calendar._handle
        n = c_size_t()
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            rc = self._lib.cxm_store_backlog(None, byref(n), 0, h, byref(f), byref(o))
            if rc == 0:
                return []
            if rc != -30:  # CXM_E_BUFFER: n days
                _check(rc)
            days = (_c.BacklogDay * n.value)()
            for d in days:
                d.size = ctypes.sizeof(d)
            _check(self._lib.cxm_store_backlog(days, byref(n), n.value, h, byref(f), byref(o)))
        return [_backlog_day(d) for d in days[:n.value]]

    def backlog_each(self, slices: List[Union[Group, Dict[str, Any]]], *,
                     calendar: Optional[Calendar] = None) -> List[List[BacklogDay]]:
        """backlog() of several slices at once, with one sort of the
        contacts (cxm_store_backlog_each): each slice a Group (of groups())
        or a dict of query arguments (``{"channel": "email", "start":
        ...}``); the result's k-th entry equals ``backlog()`` of the k-th
        slice."""
        k = len(slices)
        o = _c.OperationsOptions()
        self._lib.cxm_operations_options_init(byref(o))
        if calendar is not None:
            if not isinstance(calendar, Calendar):
                raise TypeError("calendar must be a cxm.Calendar")
            o.calendar = calendar._handle
        filters = (_c.Filter * max(1, k))()
        counts = (c_size_t * max(1, k))()
        total = c_size_t()
        with self._use() as h:
            for i, s in enumerate(slices):
                kw = self._kw(s, None, None, None, None, None) if isinstance(s, Group) else \
                    self._kw(s.get("where"), s.get("channel"), s.get("stage"), s.get("segment"), s.get("start"),
                             s.get("end"))
                filters[i] = self._filter(h, **kw)
            if not k:
                return []
            rc = self._lib.cxm_store_backlog_each(None, counts, byref(total), 0, filters, k, h, byref(o))
            if rc not in (0, -30):  # CXM_E_BUFFER: total days
                _check(rc)
            days = (_c.BacklogDay * max(1, total.value))()
            for d in days:
                d.size = ctypes.sizeof(d)
            if total.value:
                _check(self._lib.cxm_store_backlog_each(days, counts, byref(total), total.value, filters, k, h,
                                                        byref(o)))
        out, at = [], 0
        for i in range(k):
            out.append([_backlog_day(d) for d in days[at:at + counts[i]]])
            at += counts[i]
        return out

    def slice_tests(self, by: str, metric: str = "nps", where: Optional[Group] = None, *, channel: Code = None,
                    stage: Code = None, segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None,
                    adjust: str = "holm", alpha: float = 0.05, min_n: int = 30,
                    max_moe: Optional[float] = None) -> SliceTests:
        """Each group of ``groups(by, ...)`` tested against the rest of the
        dimension (docs/metrics.md, "Slice statistics"; ``cxm report --by
        BY --json``, ``vs_rest``): ``metric`` "nps" or "csat" (z tests,
        cxm_slice_tests_groups), "ces" (Welch t) or "gap" (the perception
        gap's Welch t, cxm_slice_tests_means on each group's pairs, mean and
        standard deviation); p-values adjusted across the groups by
        ``adjust`` ("holm", "bh", "none"); ``significant`` at ``alpha``; a
        low base below ``min_n`` answers or above ``max_moe`` points of
        margin. One SliceTest per group, keyed as the groups are."""
        if by not in _BY:
            raise CxmError(-16, f"unknown grouping {by!r}: one of {', '.join(_BY)}")
        m = -1 if metric == "gap" else _slice_metric(metric, ("nps", "csat", "ces", "gap"))
        o = _slice_options(adjust, alpha, min_n, max_moe)
        if m < 0:
            groups = self.groups(by, where, channel=channel, stage=stage, segment=segment, start=start, end=end)
            gaps = [self.gap(g) for g in groups]
            k = len(groups)
            n = (c_uint64 * max(1, k))(*[g.pairs for g in gaps])
            mean = (c_double * max(1, k))(*[g.mean if g.pairs > 0 else 0.0 for g in gaps])
            sd = (c_double * max(1, k))(*[g.se * math.sqrt(g.pairs) if g.pairs >= 2 else 0.0 for g in gaps])
            out = _slice_out(k)
            _check(self._lib.cxm_slice_tests_means(out, max(1, k), n, mean, sd, k, byref(o)), "slice_tests")
            return SliceTests(_slice_test(out[i], groups[i].key, False) for i in range(k))
        lib = self._lib
        g = c_void_p()
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            _check(lib.cxm_store_group(byref(g), h, byref(f), _BY[by]))
        try:
            k = lib.cxm_groups_count(g)
            out = _slice_out(k)
            _check(lib.cxm_slice_tests_groups(out, max(1, k), g, m, byref(o)), "slice_tests")
            res = []
            for i in range(k):
                key, n = c_char_p(), c_size_t()
                _check(lib.cxm_groups_key(byref(key), byref(n), g, i))
                res.append(_slice_test(out[i], _text(key, n.value), m != 2))
            return SliceTests(res)
        finally:
            lib.cxm_groups_free(g)

    def operations_each(self, slices: List[Union[Group, Dict[str, Any]]], *, window_days: Optional[int] = None,
                        calendar: Optional[Calendar] = None) -> List[Operations]:
        """operations() of several slices in one pass over the contacts
        (cxm_store_operations_each): each slice a Group (of groups()) or a
        dict of query arguments (``{"channel": "email", "start": ...}``);
        the result's k-th entry equals ``operations()`` of the k-th slice."""
        k = len(slices)
        o = _c.OperationsOptions()
        self._lib.cxm_operations_options_init(byref(o))
        if window_days is not None:
            o.window_seconds = _int(window_days, "window_days", _CXM_E_OPTION, 32) * 86400
        if calendar is not None:
            if not isinstance(calendar, Calendar):
                raise TypeError("calendar must be a cxm.Calendar")
            o.calendar = calendar._handle
        out = (_c.OperationsResult * max(1, k))()
        for r in out:
            r.size = ctypes.sizeof(_c.OperationsResult)
        filters = (_c.Filter * max(1, k))()
        with self._use() as h:
            for i, s in enumerate(slices):
                kw = self._kw(s, None, None, None, None, None) if isinstance(s, Group) else \
                    self._kw(s.get("where"), s.get("channel"), s.get("stage"), s.get("segment"), s.get("start"),
                             s.get("end"))
                filters[i] = self._filter(h, **kw)
            if k:
                _check(self._lib.cxm_store_operations_each(out, filters, k, h, byref(o)))
        return [Operations(*(getattr(r, name) if kind is not c_double else _num(getattr(r, name))
                             for name, kind in r._fields_[1:])) for r in list(out)[:k]]

    def _loop_options(self, nps_detractor_max: Optional[int], csat_detractor_max: Optional[int],
                      ces_detractor_max: Optional[int], target_seconds: Optional[int],
                      invitation_window_seconds: Optional[int], calendar: Optional[Calendar]) -> Any:
        o = _c.LoopOptions()
        self._lib.cxm_loop_options_init(byref(o))
        if nps_detractor_max is not None:
            o.nps_detractor_max = _int(nps_detractor_max, "nps_detractor_max", _CXM_E_OPTION)
        if csat_detractor_max is not None:
            o.csat_detractor_max = _int(csat_detractor_max, "csat_detractor_max", _CXM_E_OPTION)
        if ces_detractor_max is not None:
            o.ces_detractor_max = _int(ces_detractor_max, "ces_detractor_max", _CXM_E_OPTION)
        if target_seconds is not None:
            o.target_business_seconds = _int(target_seconds, "target_seconds", _CXM_E_OPTION, 64)
        if invitation_window_seconds is not None:
            o.invitation_window_seconds = _int(invitation_window_seconds, "invitation_window_seconds",
                                               _CXM_E_OPTION, 64)
        if calendar is not None:
            if not isinstance(calendar, Calendar):
                raise TypeError("calendar must be a cxm.Calendar")
            o.calendar = calendar._handle
        return o

    def loop(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
             segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None,
             nps_detractor_max: Optional[int] = None, csat_detractor_max: Optional[int] = None,
             ces_detractor_max: Optional[int] = None, target_seconds: Optional[int] = None,
             invitation_window_seconds: Optional[int] = None, calendar: Optional[Calendar] = None) -> Loop:
        """Closing the loop with the slice's detractors and the response rate
        of its invitations (cxm_store_loop; ``cxm report --json``'s ``loop``
        and ``responses``). Detractors are NPS answers 0..``nps_detractor_max``
        (default 6), CSAT 1..``csat_detractor_max`` (2), CES
        1..``ces_detractor_max`` (3); ``target_seconds`` is the follow-up
        promise in business seconds of ``calendar`` (default 28 800, one
        8-hour business day; calendar default Monday-Friday 09:00-17:00
        UTC); ``invitation_window_seconds`` how long before an answer an
        invitation of the same customer counts (default 30 days). A bad
        option raises CxmValueError (CXM_E_OPTION)."""
        r = _c.LoopResult()
        r.size = ctypes.sizeof(r)
        o = self._loop_options(nps_detractor_max, csat_detractor_max, ces_detractor_max, target_seconds,
                               invitation_window_seconds, calendar)
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            _check(self._lib.cxm_store_loop(byref(r), h, byref(f), byref(o)))
        return _loop_of(r)

    def loop_each(self, slices: List[Union[Group, Dict[str, Any]]], *, nps_detractor_max: Optional[int] = None,
                  csat_detractor_max: Optional[int] = None, ces_detractor_max: Optional[int] = None,
                  target_seconds: Optional[int] = None, invitation_window_seconds: Optional[int] = None,
                  calendar: Optional[Calendar] = None) -> List[Loop]:
        """loop() of several slices at once (cxm_store_loop_each): each slice
        a Group (of groups()) or a dict of query arguments (``{"channel":
        "email", "start": ...}``); the result's k-th entry equals ``loop()``
        of the k-th slice with the same options."""
        k = len(slices)
        o = self._loop_options(nps_detractor_max, csat_detractor_max, ces_detractor_max, target_seconds,
                               invitation_window_seconds, calendar)
        out = (_c.LoopResult * max(1, k))()
        for r in out:
            r.size = ctypes.sizeof(_c.LoopResult)
        filters = (_c.Filter * max(1, k))()
        with self._use() as h:
            for i, s in enumerate(slices):
                kw = self._kw(s, None, None, None, None, None) if isinstance(s, Group) else \
                    self._kw(s.get("where"), s.get("channel"), s.get("stage"), s.get("segment"), s.get("start"),
                             s.get("end"))
                filters[i] = self._filter(h, **kw)
            if k:
                _check(self._lib.cxm_store_loop_each(out, filters, k, h, byref(o)))
        return [_loop_of(r) for r in list(out)[:k]]

    def loyalty(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
                segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None) -> Loyalty:
        """Complaints, compliments, churn events and the compliment ratio of the slice."""
        r = _c.LoyaltyResult()
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            _check(self._lib.cxm_store_loyalty(byref(r), h, byref(f)))
        return _loyalty_of(r)

    def consistency(self, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
                    segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None) -> Consistency:
        """Cross-channel consistency: SD of the channels' mean ratings and the weakest channel."""
        r = _c.ConsistencyResult()
        o = self._experience_options(None, None)
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            _check(self._lib.cxm_store_consistency(byref(r), h, byref(f), byref(o)))
            weakest = self._channel_name(h, r.weakest_channel)
        return Consistency(r.channels, _num(r.sd), _num(r.mean_of_means), weakest, _num(r.weakest_mean))

    def channel_name(self, code: int) -> Optional[str]:
        """The name of a channel code of this store (a named channel or an
        interned custom token; cxm_store_channel_name), None for a code it
        does not know."""
        with self._use() as h:
            return self._channel_name(h, _int(code, "channel", _CXM_E_CHANNEL))

    def segment_name(self, code: int) -> Optional[str]:
        """The label of a segment code of this store (cxm_store_segment_name;
        "" for code 0), None for a code it does not know."""
        name, n = c_char_p(), c_size_t()
        with self._use() as h:
            if self._lib.cxm_store_segment_name(byref(name), byref(n), h, _int(code, "segment", _CXM_E_SEGMENT)) != 0:
                return None
            return _text(name, n.value)

    def _channel_name(self, h: int, code: int) -> Optional[str]:
        if code < 0:
            return None
        name, n = c_char_p(), c_size_t()
        if self._lib.cxm_store_channel_name(byref(name), byref(n), h, code) != 0:
            return None
        return _text(name, n.value)

    def groups(self, by: str, where: Optional[Group] = None, *, channel: Code = None, stage: Code = None,
               segment: Code = None, start: Optional[Time] = None, end: Optional[Time] = None) -> "Groups":
        """Group a slice by "channel", "stage", "segment", "month" or "week"
        (sorted by key; groups without events left out). A list of Group
        with to_frame() (one row per group)."""
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
            return Groups(by, out)
        finally:
            lib.cxm_groups_free(g)

    def accumulator(self, family: str, where: Optional[Group] = None, *, channel: Code = None,
                    stage: Code = None, segment: Code = None, start: Optional[Time] = None,
                    end: Optional[Time] = None, top_box: Optional[float] = None,
                    sla_target_seconds: Optional[int] = None, calendar: Optional[Calendar] = None) -> Any:
        """The mergeable accumulator of a slice for ``family`` "survey"
        (cxm_store_survey), "gap" (cxm_store_gap), "servqual"
        (cxm_store_servqual_acc), "loyalty" (cxm_store_loyalty_acc) or
        "service" (cxm_store_service_acc): the data of the store's query of
        that family, to merge with other shards' and keep as bytes;
        ``compute()`` (``nps()``... for survey) gives the query's result."""
        if family not in _ACCUMULATORS:
            raise CxmError(_CXM_E_OPTION, f"unknown family {family!r}: one of {', '.join(_ACCUMULATORS)}")
        out = _ACCUMULATORS[family]()
        lib = self._lib
        o = self._experience_options(top_box, sla_target_seconds, calendar)
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            a = byref(out._acc)
            rc = {"survey": lambda: lib.cxm_store_survey(a, h, byref(f)),
                  "gap": lambda: lib.cxm_store_gap(a, h, byref(f), byref(o)),
                  "servqual": lambda: lib.cxm_store_servqual_acc(a, h, byref(f)),
                  "loyalty": lambda: lib.cxm_store_loyalty_acc(a, h, byref(f)),
                  "service": lambda: lib.cxm_store_service_acc(a, h, byref(f), byref(o))}[family]()
            _check(rc, family)
        return out

    def group_experience(self, by: str, where: Optional[Group] = None, *, channel: Code = None,
                         stage: Code = None, segment: Code = None, start: Optional[Time] = None,
                         end: Optional[Time] = None, top_box: Optional[float] = None,
                         sla_target_seconds: Optional[int] = None,
                         calendar: Optional[Calendar] = None) -> ExperienceGroups:
        """groups(by, ...) with every experience metric of each group in one
        pass over the store (cxm_store_group_experience; the groups, keys and
        order of groups()): per group the perception gap, SERVQUAL, service
        levels (wall clock and business time), loyalty and consistency,
        each equal to the store's query with ``where=group`` and the same
        ``top_box``, ``sla_target_seconds`` and ``calendar``. This is how
        ``cxm report --by`` computes its slices."""
        if by not in _BY:
            raise CxmError(-16, f"unknown grouping {by!r}: one of {', '.join(_BY)}")
        lib = self._lib
        o = self._experience_options(top_box, sla_target_seconds, calendar)
        g = c_void_p()
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            _check(lib.cxm_store_group_experience(byref(g), h, byref(f), _BY[by], byref(o)))
            try:
                out = []
                for i in range(lib.cxm_groups_count(g)):
                    key, n = c_char_p(), c_size_t()
                    acc, gf, gap = _c.SurveyAcc(), _c.Filter(), _c.GapAcc()
                    sq, sv, sb = _c.ServqualResult(), _c.ServiceResult(), _c.ServiceResult()
                    loy, con = _c.LoyaltyResult(), _c.ConsistencyResult()
                    _check(lib.cxm_groups_key(byref(key), byref(n), g, i))
                    _check(lib.cxm_groups_survey(byref(acc), g, i))
                    _check(lib.cxm_groups_filter(byref(gf), g, i))
                    _check(lib.cxm_groups_gap(byref(gap), g, i))
                    _check(lib.cxm_groups_servqual(byref(sq), g, i))
                    _check(lib.cxm_groups_service(byref(sv), g, i))
                    _check(lib.cxm_groups_service_business(byref(sb), g, i))
                    _check(lib.cxm_groups_loyalty(byref(loy), g, i))
                    _check(lib.cxm_groups_consistency(byref(con), g, i))
                    nps, csat, ces = _survey(acc)
                    out.append(ExperienceGroup(
                        key=_text(key, n.value), nps=nps, csat=csat, ces=ces,
                        _filter=(gf.from_, gf.to, gf.channel, gf.stage, gf.segment), gap=_gap_of(lib, gap),
                        servqual=_servqual_of(sq), service=_service_of(sv), service_business=_service_of(sb),
                        loyalty=_loyalty_of(loy),
                        consistency=Consistency(con.channels, _num(con.sd), _num(con.mean_of_means),
                                                self._channel_name(h, con.weakest_channel),
                                                _num(con.weakest_mean))))
                return ExperienceGroups(by, out)
            finally:
                lib.cxm_groups_free(g)

    def churn(self, to: Optional[Time] = None, horizon_days: int = 90, model: str = "mbgnbd",
              sla_target_seconds: Optional[int] = None, calendar: Optional[Calendar] = None,
              label: str = "both", activity: str = "purchases", train_lapsed: bool = True,
              rank: str = "risk") -> Churn:
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
        Monday-Friday 09:00-17:00 UTC). ``label`` is what a lost customer
        is in training ("churn": a churn event in the horizon, "lapse": no
        activity through it, "both"), ``activity`` what ends a lapse
        ("purchases" or "any"), ``train_lapsed`` whether customers already
        lapsed at the training cut-off are trained on (default True;
        False: scored only). Customers come
        highest risk first (``rank`` "risk") or highest value at risk first
        ("value"), equal keys in the store's customer order. Raises CxmError: CXM_E_NO_DATA for a store without
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
        evaluation = _evaluation_of(e)
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
