"""pandas support: DataFrames in (Store.record_frame) and out (to_frame()).

pandas and numpy are imported only when one of these is called, so the
package itself keeps no dependency. Events go to the library through one
cxm_store_record_batch() call: the frame's columns are turned into an array
of struct cxm_event with numpy (string columns factorised, each distinct
value encoded once), so nothing loops over rows in Python.
"""

from __future__ import annotations

import ctypes
import dataclasses
import datetime as _dt
import math
from ctypes import byref, c_int32, c_int64
from typing import Any, Dict, List, Optional, Tuple

from . import _lib as _c

# The CSV header names (docs/events.md) are the default column names.
COLUMNS = ("time", "customer", "kind", "value", "channel", "stage", "segment", "ref", "dimension", "id")
REQUIRED = ("time", "customer", "kind")

# status -> the event field (column) it is about, for RowError.column
_FIELD_OF_STATUS = {-4: "customer", -6: "time", -7: "kind", -8: "value", -9: "channel", -10: "stage",
                    -11: "segment", -12: "dimension", -13: "ref", -14: "id", -17: "value"}


def pandas() -> Any:
    """Import pandas, or raise ImportError saying how to get it."""
    try:
        import pandas as pd  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the interpreter
        raise ImportError("this needs pandas (Debian: apt-get install python3-pandas; or pip install pandas)") from e
    return pd


def _event_dtype() -> Any:
    import numpy as np
    names, formats, offsets = [], [], []
    kinds = {ctypes.c_size_t: np.uint64, ctypes.c_char_p: np.uint64, ctypes.c_int64: np.int64,
             ctypes.c_int32: np.int32, ctypes.c_double: np.float64}
    for name, ctype in _c.Event._fields_:
        names.append(name)
        formats.append(kinds[ctype])
        offsets.append(getattr(_c.Event, name).offset)
    return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": ctypes.sizeof(_c.Event)})


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is _pd_na()


def _pd_na() -> Any:
    pd = pandas()
    return getattr(pd, "NA", None)


def _factorize(col: Any) -> Tuple[Any, List[Any]]:
    """(codes, uniques): codes -1 for missing values, uniques in order of
    first appearance (categoricals: only the categories used, in that
    order too, so codes interned from them match a row-by-row pass)."""
    pd = pandas()
    codes, uniques = pd.factorize(col, sort=False)
    return codes, list(uniques)


def _encode(v: Any) -> bytes:
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode("utf-8", "surrogateescape")
    return str(v).encode("utf-8")


def _string_column(col: Any, what: str, status: int, keep: List[Any]) -> Tuple[Any, Any]:
    """Pointers and lengths for a text column (customer, ref, id): each
    distinct value encoded once into one buffer kept in ``keep``."""
    import numpy as np
    from . import CxmError
    codes, uniques = _factorize(col)
    enc = [_encode(u) for u in uniques]
    for u, b in zip(uniques, enc):
        if b"\0" in b:
            raise CxmError(status, f"column {what!r}: {u!r} contains a NUL byte")
    buf = ctypes.create_string_buffer(b"".join(enc) or b"\0")
    keep.append(buf)
    lens = np.fromiter((len(b) for b in enc), dtype=np.uint64, count=len(enc))
    starts = np.zeros(len(enc), dtype=np.uint64)
    if len(enc) > 1:
        starts[1:] = np.cumsum(lens[:-1])
    base = ctypes.addressof(buf)
    ptr = np.where(codes >= 0, starts.take(np.maximum(codes, 0)) + np.uint64(base) if len(enc) else 0, 0)
    ln = np.where(codes >= 0, lens.take(np.maximum(codes, 0)) if len(enc) else 0, 0)
    return ptr.astype(np.uint64), ln.astype(np.uint64)


def _code_column(col: Any, lookup: Any, pre: Any) -> Any:
    """int32 codes for a coded column (kind, stage, dimension, channel,
    segment): ``lookup(unique)`` gives (code, status); a negative status
    marks the rows holding that value in ``pre``. Missing values: 0."""
    import numpy as np
    codes, uniques = _factorize(col)
    table = np.zeros(len(uniques), dtype=np.int32)
    bad = np.zeros(len(uniques), dtype=np.int32)
    for k, u in enumerate(uniques):
        table[k], bad[k] = lookup(u)
    out = np.where(codes >= 0, table.take(np.maximum(codes, 0)) if len(uniques) else 0, 0).astype(np.int32)
    st = np.where(codes >= 0, bad.take(np.maximum(codes, 0)) if len(uniques) else 0, 0).astype(np.int32)
    np.copyto(pre, st, where=(pre == 0) & (st < 0))
    return out


def _plain_utc(a: Any) -> Tuple[Any, Any]:
    """Seconds since 1970 of "YYYY-MM-DDTHH:MM:SSZ" strings (a numpy U20
    array), and which of them are valid dates in 1970..9999 with hours
    below 24, minutes and seconds below 60 (the others are left to the
    library's parser). Days from the civil date as in H. Hinnant's
    days_from_civil."""
    import numpy as np
    d = a.view(np.uint32).reshape(-1, 20)

    def num(i: int, n: int) -> Any:
        v = d[:, i].astype(np.int64) - 48
        for k in range(1, n):
            v = v * 10 + (d[:, i + k].astype(np.int64) - 48)
        return v

    Y, M, D, h, m, sec = num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)
    leap = (Y % 4 == 0) & ((Y % 100 != 0) | (Y % 400 == 0))
    dim = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(M, 0, 12)] + ((M == 2) & leap)
    ok = (Y >= 1970) & (M >= 1) & (M <= 12) & (D >= 1) & (D <= dim) & (h < 24) & (m < 60) & (sec < 60)
    y = Y - (M <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * np.where(M > 2, M - 3, M + 9) + 2) // 5 + D - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146097 + doe - 719468
    return days * 86400 + h * 3600 + m * 60 + sec, ok


def _time_column(col: Any, tz: Any, name: str, pre: Any) -> Any:
    """int64 seconds since 1970 UTC. datetime64 with a zone: converted;
    naive datetime64: needs ``tz`` (else CxmValueError CXM_E_TIME); ints:
    seconds; text: the library's RFC 3339 parser (zone-less text with
    ``tz``: that zone)."""
    import numpy as np
    pd = pandas()
    from . import CxmError
    lib = _c.lib()
    s = pd.Series(col)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if getattr(s.dt, "tz", None) is None:
            if tz is None:
                raise CxmError(-6, f"column {name!r} holds datetimes without a time zone: pass tz='UTC' (or the "
                                   "zone they were written in) to record_frame")
            try:
                s = s.dt.tz_localize(tz)
            except Exception as e:  # nonexistent or ambiguous local times, unknown zone
                raise CxmError(-6, f"column {name!r}: cannot place the times in {tz!r}: {e}") from None
        s = s.dt.tz_convert("UTC")
        ns = s.to_numpy(dtype="datetime64[ns]").view(np.int64)
        nat = s.isna().to_numpy()
        out = np.floor_divide(ns, 10**9)
        np.copyto(pre, np.int32(-6), where=(pre == 0) & nat)
        return np.where(nat, 0, out).astype(np.int64)
    if pd.api.types.is_integer_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return s.to_numpy(dtype=np.int64)

    def one(u: Any) -> Tuple[int, int]:
        if isinstance(u, (str, bytes)):
            b = u.encode() if isinstance(u, str) else u
            out = c_int64()
            if lib.cxm_time_parse(byref(out), b, len(b)) == 0:
                return out.value, 0
            if tz is None:
                return 0, -6
            try:
                u = pd.Timestamp(u)
            except (ValueError, TypeError):
                return 0, -6
        if isinstance(u, _dt.datetime):
            u = pd.Timestamp(u)
            if u.tzinfo is None:
                if tz is None:
                    return 0, -6
                try:
                    u = u.tz_localize(tz)
                except Exception:
                    return 0, -6
            return u.value // 10**9, 0
        if isinstance(u, _dt.date):
            return (u - _dt.date(1970, 1, 1)).days * 86400, 0
        if isinstance(u, int) and not isinstance(u, bool):
            return u, 0
        return 0, -6

    codes, uniques = _factorize(s)
    table = np.zeros(len(uniques), dtype=np.int64)
    bad = np.zeros(len(uniques), dtype=np.int32)
    done = np.zeros(len(uniques), dtype=bool)
    if uniques:
        # The common form, "YYYY-MM-DDTHH:MM:SSZ", read by numpy/pandas at
        # once; any other text (and any such text pandas does not take, or
        # before 1970) goes to the library's parser one distinct value at a
        # time, so both paths accept exactly what the reader accepts.
        if all(type(x) is str for x in uniques):
            a = np.array(uniques, dtype="U21")  # longer text is cut: its 21st code point is not 0
            cp = a.view(np.uint32).reshape(-1, 21)
            digit = (cp >= 48) & (cp <= 57)
            plain = (cp[:, 20] == 0) & (cp[:, 19] == ord("Z")) & (cp[:, 10] == ord("T"))
            plain &= (cp[:, 4] == ord("-")) & (cp[:, 7] == ord("-")) & (cp[:, 13] == ord(":")) & (cp[:, 16] == ord(":"))
            plain &= digit[:, [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]].all(axis=1)
        else:
            plain = np.zeros(len(uniques), dtype=bool)
        if plain.any():
            secs, ok = _plain_utc(np.ascontiguousarray(a[plain]).astype("U20"))
            idx = np.flatnonzero(plain)[ok]
            table[idx] = secs[ok]
            done[idx] = True
    for k in np.flatnonzero(~done):
        table[k], bad[k] = one(uniques[k])
    out = np.where(codes >= 0, table.take(np.maximum(codes, 0)) if len(uniques) else 0, 0).astype(np.int64)
    st = np.where(codes >= 0, bad.take(np.maximum(codes, 0)) if len(uniques) else -6, -6).astype(np.int32)
    np.copyto(pre, st, where=(pre == 0) & (st < 0))
    return out


def build_events(store: Any, h: int, df: Any, names: Dict[str, Optional[str]], tz: Any,
                 keep: List[Any]) -> Tuple[Any, Any]:
    """The cxm_event array for a frame, and the statuses of rows refused
    before the library sees them (0 for the others). Interns channels and
    segments (the caller holds the store for writing)."""
    import numpy as np
    from . import CxmError
    lib = _c.lib()
    n = len(df)
    ev = np.zeros(n, dtype=_event_dtype())
    ev["size"] = ctypes.sizeof(_c.Event)
    pre = np.zeros(n, dtype=np.int32)

    def col(field: str) -> Any:
        c = names.get(field)
        return None if c is None else df[c]

    ev["time"] = _time_column(col("time"), tz, names["time"], pre)
    ev["customer"], ev["customer_len"] = _string_column(col("customer"), names["customer"], -4, keep)

    def parser(fn: Any, status: int, what: str) -> Any:
        def look(u: Any) -> Tuple[int, int]:
            if isinstance(u, (int, np.integer)) and not isinstance(u, bool):
                v = int(u)
                return (v, 0) if -(2**31) <= v < 2**31 else (0, status)
            b = _encode(u)
            out = c_int32()
            rc = fn(byref(out), b, len(b))
            return (out.value, 0) if rc == 0 else (0, rc if rc < 0 else status)
        return look

    ev["kind"] = _code_column(col("kind"), parser(lib.cxm_kind_parse, -7, "kind"), pre)
    if col("stage") is not None:
        ev["stage"] = _code_column(col("stage"), parser(lib.cxm_stage_parse, -10, "stage"), pre)
    if col("dimension") is not None:
        # a rating's dimension is an attribute label of the store (interned),
        # any other kind's a SERVQUAL dimension
        dim = col("dimension")
        rating = ev["kind"] == 17
        if rating.any():
            dim = pandas().Series(dim).reset_index(drop=True)
            out = np.zeros(n, dtype=np.int32)
            for mask, look in ((~rating, parser(lib.cxm_dimension_parse, -12, "dimension")),
                               (rating, lambda u: store._intern_code(h, u, "attribute"))):
                at = np.flatnonzero(mask)
                sub_pre = pre[at].copy()
                out[at] = _code_column(dim.iloc[at], look, sub_pre)
                pre[at] = sub_pre
            ev["dimension"] = out
        else:
            ev["dimension"] = _code_column(dim, parser(lib.cxm_dimension_parse, -12, "dimension"), pre)
    if col("channel") is not None:
        ev["channel"] = _code_column(col("channel"), lambda u: store._intern_code(h, u, "channel"), pre)
    if col("segment") is not None:
        ev["segment"] = _code_column(col("segment"), lambda u: store._intern_code(h, u, "segment"), pre)
    v = col("value")
    if v is not None:
        pd = pandas()
        try:
            values = pd.to_numeric(pd.Series(v), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        except TypeError:
            values = pd.to_numeric(pd.Series(v), errors="coerce").astype("float64").to_numpy()
        given = ~np.isnan(values)
        # A value that is present but not a number is the reader's CXM_E_VALUE.
        raw_missing = pd.Series(v).isna().to_numpy()
        np.copyto(pre, np.int32(-8), where=(pre == 0) & ~given & ~raw_missing)
        ev["has_value"] = given.astype(np.int32)
        ev["value"] = np.where(given, values, 0.0)
    for field, status in (("ref", -13), ("id", -14)):
        c = col(field)
        if c is not None:
            ev[field], ev[field + "_len"] = _string_column(c, names[field], status, keep)
    if (ev["customer_len"] == 0).any():  # a missing customer
        np.copyto(pre, np.int32(-4), where=(pre == 0) & (ev["customer_len"] == 0))
    if not ev.flags["C_CONTIGUOUS"]:  # pragma: no cover
        raise CxmError(-1, "internal: event array not contiguous")
    return ev, pre


def column_of(status: int, names: Dict[str, Optional[str]]) -> str:
    """The frame column a row status is about ("" when none)."""
    field = _FIELD_OF_STATUS.get(status)
    return (names.get(field) or field or "") if field else ""


# ---- to_frame ----------------------------------------------------------------


def _ts(v: Optional[int]) -> Any:
    pd = pandas()
    return pd.NaT if v is None else pd.Timestamp(v, unit="s", tz="UTC")


def flat(obj: Any, prefix: Optional[str] = None) -> Dict[str, Any]:
    """One flat row for a result dataclass: the main figure under the
    metric's name (``nps``), the other fields ``nps_n``, ``nps_ci_low``...;
    intervals split into ``_low`` / ``_high``; dicts into one column per
    key; times (seconds since 1970) as timezone-aware Timestamps."""
    cls = type(obj)
    prefix = getattr(cls, "_frame_prefix", None) if prefix is None else prefix
    main = getattr(cls, "_frame_main", None)
    times = getattr(cls, "_frame_times", ())
    skip = getattr(cls, "_frame_skip", ())
    row: Dict[str, Any] = {}

    def name(field: str) -> str:
        if field == main:
            return prefix or field
        return f"{prefix}_{field}" if prefix else field

    for f in dataclasses.fields(obj):
        if f.name.startswith("_") or f.name in skip:
            continue
        v = getattr(obj, f.name)
        if f.name in times:
            row[name(f.name)] = _ts(v)
        elif isinstance(v, tuple) and f.name.startswith("ci95"):
            stem = name("ci" + f.name[4:])
            row[stem + "_low"], row[stem + "_high"] = v
        elif isinstance(v, dict):
            for k, x in v.items():
                row[name(f"{f.name}_{k}")] = x
        elif dataclasses.is_dataclass(v):
            row.update(flat(v))
        elif v is None or isinstance(v, (int, float, str, bool)):
            row[name(f.name)] = v
    return row


def frame(rows: List[Dict[str, Any]], index: Optional[str] = None) -> Any:
    pd = pandas()
    df = pd.DataFrame(rows)
    if index is not None and index in df.columns:
        df = df.set_index(index)
    return df
