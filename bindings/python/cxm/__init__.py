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
from ctypes import byref, c_char_p, c_double, c_int32, c_int64, c_size_t, c_uint32, c_void_p
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from . import _lib as _c
from . import _frames

__all__ = [
    "CxmError", "CxmValueError", "CxmKeyError", "CxmOSError", "CxmFileNotFoundError", "CxmPermissionError",
    "CxmIsADirectoryError", "Store", "RecordResult", "PurchaseSummary", "PurchaseSummaries", "PurchaseModel", "Groups", "Comparison", "FeatureRow", "FeatureTable", "RowError", "IngestResult", "StoreStats", "Nps", "Csat", "Ces", "Gap", "Servqual",
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
        if isinstance(value, bool):
            return 0, _CXM_E_CHANNEL if what == "channel" else _CXM_E_SEGMENT
        if isinstance(value, int) or type(value).__name__.startswith("int"):
            v = int(value)
            return (v, 0) if -(2**31) <= v < 2**31 else (0, _CXM_E_CHANNEL if what == "channel" else _CXM_E_SEGMENT)
        b = _frames._encode(value)
        if b == b"":
            return 0, 0
        fn = self._lib.cxm_store_channel if what == "channel" else self._lib.cxm_store_segment
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
        names = [lib.cxm_model_param_name(k, i).decode() for i in range(m.param_count)]
        return PurchaseModel(lib.cxm_model_name(k).decode(), {n: m.param[i] for i, n in enumerate(names)},
                             {n: _num(m.se[i]) for i, n in enumerate(names)}, m.loglik, m.customers,
                             bool(m.converged), m.iterations,
                             tuple(name for bit, name in _DEGENERATE if m.degenerate & bit), bytes(m))

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

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Save the snapshot to a file, atomically (cxm_store_save; a new
        file gets mode 0600). Raises CxmOSError when it cannot be written."""
        p = os.fsencode(path)
        if b"\0" in p:
            raise CxmError(_CXM_E_IO, f"path {os.fsdecode(p)!r} contains a NUL byte")
        with self._use() as h:
            status = self._lib.cxm_store_save(h, p)
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
            raise CxmError(status, f"cannot write the snapshot {name}{why}", errno=err, filename=name)
        _check(status, os.fsdecode(p))

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
        try:
            return cls._adopt(lambda out: _c.lib().cxm_store_load(out, p, None), os.fsdecode(p))
        except CxmOSError as e:
            raise _os_error(e.status, p) from None

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
        """SERVQUAL gaps (perception - expectation) per dimension and overall."""
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
        """Complaints, compliments, churn events and the compliment ratio of the slice."""
        r = _c.LoyaltyResult()
        with self._use() as h:
            f = self._filter(h, **self._kw(where, channel, stage, segment, start, end))
            _check(self._lib.cxm_store_loyalty(byref(r), h, byref(f)))
        return Loyalty(r.complaints, r.compliments, r.churned, _num(r.compliment_ratio))

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

    def churn(self, to: Optional[Time] = None, horizon_days: int = 90, model: str = "mbgnbd",
              sla_target_seconds: Optional[int] = None, calendar: Optional[Calendar] = None,
              label: str = "both", activity: str = "purchases", train_lapsed: bool = False,
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
        lapsed at the training cut-off are trained on. Customers come
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
